//go:build unix

package core

import (
	"time"

	"golang.org/x/sys/unix"

	"github.com/goevent/goevent/internal/sys"
)

// pollBackend is poll(2), available on every unix. It keeps the interest
// set as the pollfd array itself, one entry per fd, plus an fd-indexed
// table of positions so that ctl costs O(1); each wait costs O(n) in the
// number of fds.
//
// The kernel does not keep the set: wait hands it a copy, taken under the
// Base's lock, and polls that copy with the lock released. A change made
// while the loop sleeps therefore reaches the kernel only on the next wait,
// so the backend sets featureNeedsWake and the Base wakes the loop.
//
// Like libevent's poll.c it offers no edge-triggered mode. On Linux it
// detects early close with POLLRDHUP (pollRDHUP, backend_poll_linux.go).
type pollBackend struct {
	// fds is the interest set, in no particular order. Guarded by the
	// Base's lock.
	fds []unix.PollFd
	// index[fd] is fd's position in fds plus one; 0 means fd is absent.
	// Guarded by the Base's lock.
	index []int32
	// polled is the copy of fds that wait passes to poll(2). Only wait
	// touches it, on the loop goroutine.
	polled []unix.PollFd
}

func newPoll() (backend, error) { return &pollBackend{}, nil }

func (p *pollBackend) name() string { return "poll" }

func (p *pollBackend) features() Features { return FeatureFDs | pollEarlyClose | featureNeedsWake }

func pollMask(f Flags) int16 {
	var m int16
	if f&Read != 0 {
		m |= unix.POLLIN
	}
	if f&Write != 0 {
		m |= unix.POLLOUT
	}
	if f&Closed != 0 {
		m |= pollRDHUP
	}
	return m
}

func (p *pollBackend) ctl(fd int, old, new Flags) error {
	events := pollMask(new)
	i := -1
	if fd < len(p.index) {
		i = int(p.index[fd]) - 1
	}
	switch {
	case events == 0 && i < 0:
		// Nothing registered, nothing wanted.
	case events == 0:
		// Swap-remove: the last entry takes fd's place.
		last := len(p.fds) - 1
		if i != last {
			p.fds[i] = p.fds[last]
			p.index[p.fds[i].Fd] = int32(i + 1)
		}
		p.fds[last] = unix.PollFd{}
		p.fds = p.fds[:last]
		p.index[fd] = 0
	case i >= 0:
		p.fds[i].Events = events
	default:
		if fd >= len(p.index) {
			n := 2 * len(p.index)
			if n <= fd {
				n = fd + 1
			}
			if n < 32 {
				n = 32
			}
			index := make([]int32, n)
			copy(index, p.index)
			p.index = index
		}
		p.fds = append(p.fds, unix.PollFd{Fd: int32(fd), Events: events})
		p.index[fd] = int32(len(p.fds))
	}
	return nil
}

func (p *pollBackend) wait(b *Base, timeout time.Duration) error {
	// poll(2) only writes Revents, so one copy serves both calls.
	p.polled = append(p.polled[:0], p.fds...)
	// Poll without blocking first, on the raw path; only a wait that may
	// sleep goes through the scheduler (and drops the Base's lock).
	n, err := sys.Poll(p.polled, 0)
	if err == nil && n == 0 && timeout != 0 {
		b.mu.Unlock()
		n, err = sys.Poll(p.polled, timeoutMillis(timeout))
		b.mu.Lock()
	}
	if err != nil {
		if err == unix.EINTR {
			return nil
		}
		return &BackendError{Backend: "poll", Op: "poll", FD: -1, Err: err}
	}
	for i := 0; i < len(p.polled) && n > 0; i++ {
		pf := &p.polled[i]
		if pf.Revents == 0 {
			continue
		}
		n--
		fd := int(pf.Fd)
		if fd >= len(p.index) || p.index[fd] == 0 {
			continue // removed while the loop slept
		}
		var what Flags
		switch {
		case pf.Revents&(unix.POLLNVAL|unix.POLLHUP|unix.POLLERR) != 0:
			// POLLNVAL: the fd was closed without removing its
			// events. Either way the callbacks learn what happened
			// from their own read or write (libevent does the same).
			what = Read | Write | pollClosed
		default:
			if pf.Revents&unix.POLLIN != 0 {
				what |= Read
			}
			if pf.Revents&unix.POLLOUT != 0 {
				what |= Write
			}
			if pf.Revents&pollRDHUP != 0 {
				what |= pollClosed
			}
		}
		b.ready(fd, what)
	}
	return nil
}

func (p *pollBackend) close() error { return nil }
