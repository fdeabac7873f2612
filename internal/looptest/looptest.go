// Package looptest holds test helpers shared by goevent's event-loop
// packages that do not depend on core itself: non-blocking socketpairs and
// pipes that close themselves when the test ends, open-fd counting, a
// goroutine-leak check, and a wait for a condition another goroutine makes
// true.
package looptest

import (
	"bytes"
	"os"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// Socketpair returns a connected pair of non-blocking, close-on-exec
// AF_UNIX stream sockets, closed by t.Cleanup. A test that closes one
// itself uses CloseEarly, so that Cleanup does not close a number the
// process may have reused meanwhile.
func Socketpair(t testing.TB) []int {
	t.Helper()
	syscall.ForkLock.RLock() // darwin has no SOCK_CLOEXEC
	fds, err := unix.Socketpair(unix.AF_UNIX, unix.SOCK_STREAM, 0)
	if err == nil {
		unix.CloseOnExec(fds[0])
		unix.CloseOnExec(fds[1])
	}
	syscall.ForkLock.RUnlock()
	if err != nil {
		t.Fatalf("socketpair: %v", err)
	}
	p := fds[:]
	setNonblock(t, p)
	t.Cleanup(func() { closeAll(p) })
	return p
}

// Pipe returns a non-blocking, close-on-exec pipe: index 0 is the read
// end, 1 the write end. Cleanup and CloseEarly work as for Socketpair.
func Pipe(t testing.TB) []int {
	t.Helper()
	p := make([]int, 2)
	syscall.ForkLock.RLock() // darwin has no pipe2
	err := unix.Pipe(p)
	if err == nil {
		unix.CloseOnExec(p[0])
		unix.CloseOnExec(p[1])
	}
	syscall.ForkLock.RUnlock()
	if err != nil {
		t.Fatalf("pipe: %v", err)
	}
	setNonblock(t, p)
	t.Cleanup(func() { closeAll(p) })
	return p
}

// CloseEarly closes fds[i], returned by Socketpair or Pipe, and marks it
// closed for their cleanup.
func CloseEarly(fds []int, i int) {
	if fds[i] >= 0 {
		unix.Close(fds[i])
		fds[i] = -1
	}
}

func closeAll(fds []int) {
	for i := range fds {
		CloseEarly(fds, i)
	}
}

// WriteString writes s to the non-blocking fd, failing the test on a short
// write.
func WriteString(t testing.TB, fd int, s string) {
	t.Helper()
	n, err := unix.Write(fd, []byte(s))
	if err != nil || n != len(s) {
		t.Fatalf("write(%d, %q) = %d, %v", fd, s, n, err)
	}
}

// Drain reads everything readable from the non-blocking fd and returns it.
func Drain(fd int) string {
	var out []byte
	var buf [4096]byte
	for {
		n, err := unix.Read(fd, buf[:])
		if n > 0 {
			out = append(out, buf[:n]...)
		}
		if err != nil || n <= 0 {
			return string(out)
		}
	}
}

// OpenFDs counts the process's open fds through /proc/self/fd; it returns
// -1 where /proc is not mounted (the BSDs, darwin).
func OpenFDs() int {
	f, err := os.Open("/proc/self/fd")
	if err != nil {
		return -1
	}
	defer f.Close()
	names, err := f.Readdirnames(-1)
	if err != nil {
		return -1
	}
	return len(names) - 1 // the directory's own fd
}

// Goroutines returns the stacks of the goroutines, other than the
// caller's, whose stack mentions any of match.
func Goroutines(match ...string) []string {
	buf := make([]byte, 1<<20)
	for {
		n := runtime.Stack(buf, true)
		if n < len(buf) {
			buf = buf[:n]
			break
		}
		buf = make([]byte, 2*len(buf))
	}
	var out []string
	for i, g := range bytes.Split(buf, []byte("\n\n")) {
		if i == 0 {
			continue // the caller's own goroutine comes first
		}
		s := string(g)
		for _, m := range match {
			if strings.Contains(s, m) {
				out = append(out, s)
				break
			}
		}
	}
	return out
}

// WaitGoroutines waits up to timeout for Goroutines(match...) to be empty
// and returns what is left.
func WaitGoroutines(timeout time.Duration, match ...string) []string {
	deadline := time.Now().Add(timeout)
	for {
		left := Goroutines(match...)
		if len(left) == 0 || time.Now().After(deadline) {
			return left
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// WaitFor waits until cond returns true, failing the test after 10 seconds.
// It sequences a test with a state that another goroutine reaches and that
// no channel announces (a goroutine blocked inside a call); it never
// stands in for a channel the test could use.
func WaitFor(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		runtime.Gosched()
		time.Sleep(100 * time.Microsecond)
	}
}

func setNonblock(t testing.TB, fds []int) {
	t.Helper()
	for _, fd := range fds {
		if err := unix.SetNonblock(fd, true); err != nil {
			closeAll(fds)
			t.Fatalf("set non-blocking: %v", err)
		}
	}
}
