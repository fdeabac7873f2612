//go:build linux

package core

import (
	"time"

	"golang.org/x/sys/unix"

	"github.com/goevent/goevent/internal/sys"
)

// epollBackend is Linux's epoll(7): O(1) per event, edge-triggered mode,
// and EPOLLRDHUP for early close detection. Interest changes go straight
// to the kernel with epoll_ctl on the raw syscall path (they are safe while
// another thread sleeps in epoll_wait), so no change needs a wakeup.
type epollBackend struct {
	epfd   int
	events []unix.EpollEvent
}

const (
	epollInitEvents = 32
	epollMaxEvents  = 4096
)

func newEpoll() (backend, error) {
	fd, err := unix.EpollCreate1(unix.EPOLL_CLOEXEC)
	if err != nil {
		return nil, &BackendError{Backend: "epoll", Op: "epoll_create1", FD: -1, Err: err}
	}
	return &epollBackend{epfd: fd, events: make([]unix.EpollEvent, epollInitEvents)}, nil
}

func (e *epollBackend) name() string { return "epoll" }

func (e *epollBackend) features() Features { return FeatureET | FeatureO1 | FeatureEarlyClose }

func epollMask(f Flags) uint32 {
	var m uint32
	if f&Read != 0 {
		m |= unix.EPOLLIN
	}
	if f&Write != 0 {
		m |= unix.EPOLLOUT
	}
	if f&Closed != 0 {
		m |= unix.EPOLLRDHUP
	}
	if f&ET != 0 {
		m |= unix.EPOLLET
	}
	return m
}

func (e *epollBackend) ctl(fd int, old, new Flags) error {
	if new&(Read|Write|Closed) == 0 {
		err := sys.EpollCtl(e.epfd, unix.EPOLL_CTL_DEL, fd, &unix.EpollEvent{})
		// The fd may already be closed, which removed it from the set.
		if err == nil || err == unix.ENOENT || err == unix.EBADF || err == unix.EPERM {
			return nil
		}
		return &BackendError{Backend: "epoll", Op: "epoll_ctl(DEL)", FD: fd, Err: err}
	}
	ev := unix.EpollEvent{Events: epollMask(new), Fd: int32(fd)}
	op := unix.EPOLL_CTL_MOD
	if old&(Read|Write|Closed) == 0 {
		op = unix.EPOLL_CTL_ADD
	}
	err := sys.EpollCtl(e.epfd, op, fd, &ev)
	switch {
	case err == unix.EEXIST && op == unix.EPOLL_CTL_ADD:
		// A dup of a closed fd left a registration behind; take it over.
		err = sys.EpollCtl(e.epfd, unix.EPOLL_CTL_MOD, fd, &ev)
	case err == unix.ENOENT && op == unix.EPOLL_CTL_MOD:
		// The fd was closed and reopened under the same number.
		err = sys.EpollCtl(e.epfd, unix.EPOLL_CTL_ADD, fd, &ev)
	}
	if err != nil {
		name := "epoll_ctl(ADD)"
		if op == unix.EPOLL_CTL_MOD {
			name = "epoll_ctl(MOD)"
		}
		return &BackendError{Backend: "epoll", Op: name, FD: fd, Err: err}
	}
	return nil
}

func (e *epollBackend) wait(b *Base, timeout time.Duration) error {
	// Poll without blocking first, on the raw path; only a wait that may
	// sleep goes through the scheduler (and drops the Base's lock).
	n, err := sys.EpollWait(e.epfd, e.events, 0)
	if err == nil && n == 0 && timeout != 0 {
		b.mu.Unlock()
		n, err = sys.EpollWait(e.epfd, e.events, timeoutMillis(timeout))
		b.mu.Lock()
	}
	if err != nil {
		if err == unix.EINTR {
			return nil
		}
		return &BackendError{Backend: "epoll", Op: "epoll_wait", FD: -1, Err: err}
	}
	for i := 0; i < n; i++ {
		ev := &e.events[i]
		var what Flags
		if ev.Events&(unix.EPOLLHUP|unix.EPOLLERR) != 0 {
			what = Read | Write | Closed
		} else {
			if ev.Events&unix.EPOLLIN != 0 {
				what |= Read
			}
			if ev.Events&unix.EPOLLOUT != 0 {
				what |= Write
			}
			if ev.Events&unix.EPOLLRDHUP != 0 {
				what |= Closed
			}
		}
		b.ready(int(ev.Fd), what)
	}
	if n == len(e.events) && n < epollMaxEvents {
		e.events = make([]unix.EpollEvent, 2*n)
	}
	return nil
}

func (e *epollBackend) close() error { return unix.Close(e.epfd) }
