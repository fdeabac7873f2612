//go:build unix && !linux

package core

import (
	"syscall"

	"golang.org/x/sys/unix"

	"github.com/goevent/goevent/internal/sys"
)

// waker wakes a loop blocked in its poller. Outside Linux it is a
// non-blocking pipe.
type waker struct{ r, w int }

func newWaker() (waker, error) {
	var p [2]int
	// Hold ForkLock so no exec in another goroutine inherits the pipe
	// before it is close-on-exec (darwin has no pipe2).
	syscall.ForkLock.RLock()
	err := unix.Pipe(p[:])
	if err == nil {
		unix.CloseOnExec(p[0])
		unix.CloseOnExec(p[1])
	}
	syscall.ForkLock.RUnlock()
	if err != nil {
		return waker{-1, -1}, &BackendError{Backend: "pipe", Op: "pipe", FD: -1, Err: err}
	}
	for _, fd := range p {
		if err := unix.SetNonblock(fd, true); err != nil {
			unix.Close(p[0])
			unix.Close(p[1])
			return waker{-1, -1}, &BackendError{Backend: "pipe", Op: "fcntl", FD: fd, Err: err}
		}
	}
	return waker{p[0], p[1]}, nil
}

func (w waker) readFD() int { return w.r }

func (w waker) wake() {
	one := [1]byte{1}
	sys.Write(w.w, one[:]) // EAGAIN means the pipe already holds a wakeup
}

func (w waker) drain() {
	var buf [64]byte
	for {
		n, err := sys.Read(w.r, buf[:])
		if err != nil || n < len(buf) {
			return
		}
	}
}

func (w waker) close() error {
	err := unix.Close(w.r)
	if err2 := unix.Close(w.w); err == nil {
		err = err2
	}
	return err
}
