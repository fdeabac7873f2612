//go:build !race

package sendfile

import (
	"testing"

	"golang.org/x/sys/unix"
)

// TestSendAllocs: Send and the pread path allocate nothing in steady state
// (EAGAIN comes back bare, the pread buffer is pooled).
func TestSendAllocs(t *testing.T) {
	f := openTemp(t, testContent(100<<10))
	defer f.Release()
	dst, _ := tinySocketpair(t)
	for _, path := range sendPaths {
		// Fill the socket, then measure the EAGAIN path; and the data path
		// through /dev/null.
		for {
			if _, err := path.fn(dst, f, 0, 100<<10); err == unix.EAGAIN {
				break
			}
		}
		if a := testing.AllocsPerRun(100, func() { path.fn(dst, f, 0, 100<<10) }); a != 0 {
			t.Errorf("%s EAGAIN: %v allocs", path.name, a)
		}
		null, err := unix.Open("/dev/null", unix.O_WRONLY|unix.O_CLOEXEC, 0)
		if err != nil {
			t.Skip(err)
		}
		defer unix.Close(null)
		if n, err := path.fn(null, f, 3, 50000); err != nil || n != 50000 {
			t.Fatalf("%s to /dev/null: %d, %v", path.name, n, err)
		}
		if a := testing.AllocsPerRun(100, func() { path.fn(null, f, 3, 50000) }); a != 0 {
			t.Errorf("%s: %v allocs", path.name, a)
		}
	}
}
