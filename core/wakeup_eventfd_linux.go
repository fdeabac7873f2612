//go:build linux

package core

import (
	"golang.org/x/sys/unix"

	"github.com/goevent/goevent/internal/sys"
)

// waker wakes a loop blocked in its poller. On Linux it is one eventfd.
type waker struct{ fd int }

func newWaker() (waker, error) {
	fd, err := unix.Eventfd(0, unix.EFD_NONBLOCK|unix.EFD_CLOEXEC)
	if err != nil {
		return waker{-1}, &BackendError{Backend: "eventfd", Op: "eventfd", FD: -1, Err: err}
	}
	return waker{fd}, nil
}

func (w waker) readFD() int { return w.fd }

func (w waker) wake() {
	one := [8]byte{1}
	sys.Write(w.fd, one[:]) // EAGAIN means the counter is already non-zero
}

func (w waker) drain() {
	var buf [8]byte
	sys.Read(w.fd, buf[:])
}

func (w waker) close() error { return unix.Close(w.fd) }
