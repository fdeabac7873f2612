//go:build darwin || freebsd || netbsd || openbsd

package core

import (
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// kqueueBackend is the BSDs' kqueue(2): O(1) per event and edge-triggered
// mode (EV_CLEAR). It has no early close detection: kqueue's EV_EOF says
// nothing until the data before it is read, so Closed is unsupported, as
// in libevent.
//
// Like libevent's kqueue.c it batches interest changes: ctl appends
// kevent changes to a list, and wait hands the list to the kernel in the
// same kevent(2) call that fetches events. A change made while the loop
// sleeps therefore reaches the kernel only on the next wait, so the
// backend sets featureNeedsWake and the Base wakes the loop.
//
// A change that fails comes back in the event list with EV_ERROR (wait
// keeps the list at least as long as the changes so that it always can).
// Deleting a filter of an fd that was closed fails with EBADF, or with
// ENOENT if the fd number was reused meanwhile: closing an fd removes its
// filters. Those failures are ignored, as is any failure of a filter no
// longer wanted. An add that fails because the fd is bad (EBADF, EPIPE,
// EPERM) is reported as readiness of that filter, so the event's callback
// sees the error from its own read or write, as with poll's POLLNVAL. Any
// other failure (EINVAL for an fd kqueue cannot watch, ENOMEM) ends the
// loop with a *BackendError naming the fd; the next loop goes on without
// that filter.
type kqueueBackend struct {
	kq int
	// changes are queued by ctl and submitted by the next wait. Guarded
	// by the Base's lock.
	changes []unix.Kevent_t
	// spare is the other change buffer: wait takes changes, puts spare in
	// its place for ctl calls made while it sleeps, and keeps the
	// submitted buffer as the next spare. Guarded by the Base's lock.
	spare []unix.Kevent_t
	// want[fd] is the interest (Read, Write, ET) last passed to ctl for
	// fd, whether or not it has reached the kernel yet. Guarded by the
	// Base's lock.
	want []Flags
	// events receives kevent's results. Only wait touches it, on the loop
	// goroutine.
	events []unix.Kevent_t
}

const (
	kqueueInitEvents = 32
	kqueueMaxEvents  = 4096
	// kqueueMaxWait caps one sleep so that no system rejects the
	// timespec as too large; the loop recomputes the timeout on each
	// pass, so a capped sleep only costs a spurious wakeup.
	kqueueMaxWait = 1 << 30 * time.Millisecond
)

func newKqueue() (backend, error) {
	// Hold ForkLock so that no exec started from Go inherits the fd
	// before it is close-on-exec (what package net does for sockets).
	syscall.ForkLock.RLock()
	fd, err := unix.Kqueue()
	if err == nil {
		unix.CloseOnExec(fd)
	}
	syscall.ForkLock.RUnlock()
	if err != nil {
		return nil, &BackendError{Backend: "kqueue", Op: "kqueue", FD: -1, Err: err}
	}
	return &kqueueBackend{kq: fd, events: make([]unix.Kevent_t, kqueueInitEvents)}, nil
}

func (k *kqueueBackend) name() string { return "kqueue" }

func (k *kqueueBackend) features() Features {
	return FeatureET | FeatureO1 | FeatureFDs | featureNeedsWake
}

func (k *kqueueBackend) ctl(fd int, old, new Flags) error {
	old &= Read | Write | ET
	new &= Read | Write | ET
	if new&(Read|Write) == 0 {
		new = 0
	}
	k.change(fd, unix.EVFILT_READ, old, new, Read)
	k.change(fd, unix.EVFILT_WRITE, old, new, Write)
	if fd >= len(k.want) {
		if new == 0 {
			return nil
		}
		n := 2 * len(k.want)
		if n <= fd {
			n = fd + 1
		}
		if n < 32 {
			n = 32
		}
		want := make([]Flags, n)
		copy(want, k.want)
		k.want = want
	}
	k.want[fd] = new
	return nil
}

// change queues the kevent changes that take filter (the one for flag,
// Read or Write) from old to new interest in fd. A change of ET on a
// registered filter deletes and re-adds it: EV_CLEAR is fixed when a
// filter is added.
func (k *kqueueBackend) change(fd, filter int, old, new, flag Flags) {
	had, has := old&flag != 0, new&flag != 0
	reset := had && has && old&ET != new&ET
	if had && (!has || reset) {
		var kev unix.Kevent_t
		unix.SetKevent(&kev, fd, filter, unix.EV_DELETE)
		k.changes = append(k.changes, kev)
	}
	if has && (!had || reset) {
		flags := unix.EV_ADD
		if new&ET != 0 {
			flags |= unix.EV_CLEAR
		}
		var kev unix.Kevent_t
		unix.SetKevent(&kev, fd, filter, flags)
		k.changes = append(k.changes, kev)
	}
}

func (k *kqueueBackend) wait(b *Base, timeout time.Duration) error {
	changes := k.changes
	k.changes, k.spare = k.spare[:0], nil
	if len(k.events) < len(changes) {
		// Room for every change's error, so that none is reported as
		// kevent's own failure (libevent does the same).
		k.events = make([]unix.Kevent_t, len(changes))
	}
	var ts *unix.Timespec
	if timeout >= 0 {
		t := unix.NsecToTimespec(int64(min(timeout, kqueueMaxWait)))
		ts = &t
	}
	// A wait that cannot block keeps the lock; one that may sleep drops
	// it. Either way the changes go in with the same call.
	if timeout != 0 {
		b.mu.Unlock()
	}
	n, err := unix.Kevent(k.kq, changes, k.events, ts)
	if timeout != 0 {
		b.mu.Lock()
	}
	k.spare = changes[:0]
	if err != nil {
		if err == unix.EINTR {
			// The changes were applied before the kernel slept.
			return nil
		}
		return &BackendError{Backend: "kqueue", Op: "kevent", FD: -1, Err: err}
	}
	var firstErr error
	for i := 0; i < n; i++ {
		kev := &k.events[i]
		fd := int(kev.Ident)
		var what Flags
		switch kev.Filter {
		case unix.EVFILT_READ:
			what = Read
		case unix.EVFILT_WRITE:
			what = Write
		default:
			continue
		}
		wanted := fd < len(k.want) && k.want[fd]&what != 0
		if kev.Flags&unix.EV_ERROR != 0 {
			errno := syscall.Errno(kev.Data)
			fdErr := errno == unix.EBADF || errno == unix.EPIPE || errno == unix.EPERM
			switch {
			case errno == 0:
				continue
			case errno == unix.ENOENT:
				// A delete of a filter the kernel had already
				// dropped with a closed fd; the number may be in
				// use again, with a new filter added after it.
				continue
			case !wanted && (fdErr || errno == unix.EINVAL):
				// A delete on a closed fd (EBADF), or an add undone
				// in the same batch (EPIPE, EPERM: the fd is one end
				// of a pipe whose other end is closed). libevent also
				// ignores EINVAL here, seen from deletes on FreeBSD.
				continue
			case wanted && fdErr:
				// The add failed because of the fd itself; the
				// callback learns why from its own read or write.
			default:
				if firstErr == nil {
					op := "kevent(EV_DELETE)"
					if wanted {
						op = "kevent(EV_ADD)"
					}
					firstErr = &BackendError{Backend: "kqueue", Op: op, FD: fd, Err: errno}
				}
				continue
			}
		}
		if wanted {
			// EV_EOF needs nothing more: the callback's read returns
			// the end of file or the socket's error.
			b.ready(fd, what)
		}
	}
	if n == len(k.events) && n < kqueueMaxEvents {
		k.events = make([]unix.Kevent_t, 2*n)
	}
	return firstErr
}

func (k *kqueueBackend) close() error { return unix.Close(k.kq) }
