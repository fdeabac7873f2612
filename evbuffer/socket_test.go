//go:build unix

package evbuffer

import (
	"testing"

	"golang.org/x/sys/unix"
)

// socketpair returns a connected pair of non-blocking, close-on-exec
// AF_UNIX stream sockets, closed by t.Cleanup (closeEarly closes one
// before). It avoids internal/looptest so that the tests build on every
// unix (SOCK_NONBLOCK is Linux and BSD only).
func socketpair(t testing.TB) []int {
	t.Helper()
	fds, err := unix.Socketpair(unix.AF_UNIX, unix.SOCK_STREAM, 0)
	if err != nil {
		t.Fatalf("socketpair: %v", err)
	}
	p := fds[:]
	for _, fd := range p {
		unix.CloseOnExec(fd)
		if err := unix.SetNonblock(fd, true); err != nil {
			t.Fatal(err)
		}
	}
	t.Cleanup(func() {
		closeEarly(p, 0)
		closeEarly(p, 1)
	})
	return p
}

func closeEarly(fds []int, i int) {
	if fds[i] >= 0 {
		unix.Close(fds[i])
		fds[i] = -1
	}
}

func writeString(t testing.TB, fd int, s string) {
	t.Helper()
	if n, err := unix.Write(fd, []byte(s)); n != len(s) || err != nil {
		t.Fatalf("write: %d, %v", n, err)
	}
}
