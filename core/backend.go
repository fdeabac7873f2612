package core

import "time"

// A backend is one kernel readiness interface (epoll, kqueue, poll,
// select). Each lives in its own backend_*.go file; the table of those
// available on the system, in order of preference, is backendTable in the
// per-OS backends_*.go file.
//
// Every method is called with the Base's lock held. wait releases the lock
// around the blocking system call itself and holds it again while it
// reports readiness.
type backend interface {
	// name is what Base.Backend reports.
	name() string
	// features says what the backend supports.
	features() Features
	// ctl changes the kernel's interest in fd from old to new; each is a
	// mask of Read, Write, Closed and ET. new == 0 removes the fd.
	ctl(fd int, old, new Flags) error
	// wait polls for at most timeout (negative: no limit; zero: do not
	// block) and reports each ready fd with b.ready(fd, what) where what is
	// a mask of Read, Write and Closed. An interrupted wait (EINTR) is not
	// an error.
	wait(b *Base, timeout time.Duration) error
	// close releases the backend's own fds.
	close() error
}

type backendInfo struct {
	name string
	new  func() (backend, error)
}

// Backends lists the backends available on this system in libevent's order
// of preference; NewBase picks the first one not avoided.
func Backends() []string {
	names := make([]string, len(backendTable))
	for i, b := range backendTable {
		names[i] = b.name
	}
	return names
}

// timeoutMillis converts a poll timeout to whole milliseconds, rounding up
// so that a timer never fires before its deadline. Negative means forever.
func timeoutMillis(d time.Duration) int {
	if d < 0 {
		return -1
	}
	ms := (d + time.Millisecond - 1) / time.Millisecond
	if ms > 1<<30 {
		ms = 1 << 30
	}
	return int(ms)
}
