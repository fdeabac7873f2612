//go:build unix

package core

import (
	"fmt"
	"time"

	"golang.org/x/sys/unix"

	"github.com/goevent/goevent/internal/sys"
)

// selectBackend is select(2), the last resort on every unix. The interest
// set is a pair of fd_sets, so it only takes fds below FD_SETSIZE (1024;
// 256 on NetBSD): ctl refuses larger ones with ErrFDTooLarge. Each wait
// costs O(maxfd).
//
// select(2) overwrites the sets it is given, so wait passes copies, taken
// under the Base's lock, and sleeps with the lock released. A change made
// while the loop sleeps therefore reaches the kernel only on the next
// wait: the backend sets featureNeedsWake and the Base wakes the loop.
//
// An fd closed without removing its events makes the whole select(2) call
// fail with EBADF, which ends the loop with a *BackendError (libevent's
// select.c behaves the same way); poll reports such an fd as ready instead.
type selectBackend struct {
	// The interest sets and the highest fd in either (-1 if none).
	// Guarded by the Base's lock.
	readSet, writeSet unix.FdSet
	maxFD             int
	// The copies select(2) overwrites. Only wait touches them, on the
	// loop goroutine.
	readOut, writeOut unix.FdSet
}

// selectSetSize is the number of fds an FdSet holds: FD_SETSIZE. The
// element type of FdSet.Bits differs between systems; its length and
// NFDBITS always multiply to the set's size in bits.
const selectSetSize = len(unix.FdSet{}.Bits) * unix.NFDBITS

// selectMaxWait caps one sleep: some systems reject a select timeout of
// more than 10^8 seconds with EINVAL. The loop recomputes the timeout on
// each pass, so a capped sleep only costs a spurious wakeup.
const selectMaxWait = 1 << 30 * time.Millisecond

func newSelect() (backend, error) { return &selectBackend{maxFD: -1}, nil }

func (s *selectBackend) name() string { return "select" }

func (s *selectBackend) features() Features { return FeatureFDs | featureNeedsWake }

func (s *selectBackend) ctl(fd int, old, new Flags) error {
	if fd >= selectSetSize {
		if new&(Read|Write) == 0 {
			return nil // never registered: the add was refused
		}
		return fmt.Errorf("%w: select: fd %d (FD_SETSIZE is %d)", ErrFDTooLarge, fd, selectSetSize)
	}
	if new&Read != 0 {
		s.readSet.Set(fd)
	} else {
		s.readSet.Clear(fd)
	}
	if new&Write != 0 {
		s.writeSet.Set(fd)
	} else {
		s.writeSet.Clear(fd)
	}
	if new&(Read|Write) != 0 {
		if fd > s.maxFD {
			s.maxFD = fd
		}
	} else if fd == s.maxFD {
		for s.maxFD >= 0 && !s.readSet.IsSet(s.maxFD) && !s.writeSet.IsSet(s.maxFD) {
			s.maxFD--
		}
	}
	return nil
}

func (s *selectBackend) wait(b *Base, timeout time.Duration) error {
	nfd := s.maxFD + 1
	s.readOut, s.writeOut = s.readSet, s.writeSet
	// Poll without blocking first (on the raw path on Linux); only a wait
	// that may sleep goes through the scheduler and drops the Base's lock.
	n, err := sys.Select(nfd, &s.readOut, &s.writeOut, 0)
	if err == nil && n == 0 && timeout != 0 {
		// The first call cleared the copies: take them again.
		s.readOut, s.writeOut = s.readSet, s.writeSet
		if timeout > selectMaxWait {
			timeout = selectMaxWait
		}
		b.mu.Unlock()
		n, err = sys.Select(nfd, &s.readOut, &s.writeOut, timeout)
		b.mu.Lock()
	}
	if err != nil {
		if err == unix.EINTR {
			return nil
		}
		return &BackendError{Backend: "select", Op: "select", FD: -1, Err: err}
	}
	// n counts set bits over both sets; skip the words with none.
	for w := 0; w*unix.NFDBITS < nfd && n > 0; w++ {
		if s.readOut.Bits[w]|s.writeOut.Bits[w] == 0 {
			continue
		}
		end := min((w+1)*unix.NFDBITS, nfd)
		for fd := w * unix.NFDBITS; fd < end; fd++ {
			var what Flags
			if s.readOut.IsSet(fd) {
				what |= Read
				n--
			}
			if s.writeOut.IsSet(fd) {
				what |= Write
				n--
			}
			if what == 0 || (!s.readSet.IsSet(fd) && !s.writeSet.IsSet(fd)) {
				continue // not ready, or removed while the loop slept
			}
			b.ready(fd, what)
		}
	}
	return nil
}

func (s *selectBackend) close() error { return nil }
