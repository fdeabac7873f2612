//go:build unix && !linux

package sys

import (
	"bytes"
	"net/netip"
	"runtime"
	"strconv"
	"time"

	"golang.org/x/sys/unix"
)

// Read reads from a non-blocking fd.
func Read(fd int, p []byte) (int, error) { return unix.Read(fd, p) }

// Write writes to a non-blocking fd.
func Write(fd int, p []byte) (int, error) { return unix.Write(fd, p) }

// Accept4 accepts a connection from a non-blocking listener; the new fd is
// non-blocking and close-on-exec.
func Accept4(fd int) (int, netip.AddrPort, error) {
	nfd, sa, err := accept(fd)
	if err != nil {
		return -1, netip.AddrPort{}, err
	}
	switch sa := sa.(type) {
	case *unix.SockaddrInet4:
		return nfd, netip.AddrPortFrom(netip.AddrFrom4(sa.Addr), uint16(sa.Port)), nil
	case *unix.SockaddrInet6:
		return nfd, netip.AddrPortFrom(netip.AddrFrom16(sa.Addr), uint16(sa.Port)), nil
	}
	return nfd, netip.AddrPort{}, nil
}

// Poll is poll(2).
func Poll(fds []unix.PollFd, msec int) (int, error) { return unix.Poll(fds, msec) }

// Select is select(2) on the read and write sets, which it overwrites with
// the ready fds. timeout < 0 waits without limit; a positive timeout is
// rounded up to whole microseconds.
func Select(nfd int, r, w *unix.FdSet, timeout time.Duration) (int, error) {
	if timeout < 0 {
		return unix.Select(nfd, r, w, nil, nil)
	}
	tv := unix.NsecToTimeval(int64(timeout)) // rounds up
	return unix.Select(nfd, r, w, nil, &tv)
}

// ThreadID identifies the calling goroutine. Outside Linux goevent has no
// cheap thread id, so it reads the goroutine id from the runtime's stack
// header; core calls this only when deleting an event whose callback is
// running.
func ThreadID() int64 {
	var buf [64]byte
	s := buf[:runtime.Stack(buf[:], false)]
	s = bytes.TrimPrefix(s, []byte("goroutine "))
	if i := bytes.IndexByte(s, ' '); i > 0 {
		s = s[:i]
	}
	id, _ := strconv.ParseInt(string(s), 10, 64)
	return id
}

// Recvfrom reads one datagram from a non-blocking socket.
func Recvfrom(fd int, p []byte) (int, netip.AddrPort, error) {
	n, sa, err := unix.Recvfrom(fd, p, 0)
	if err != nil {
		return 0, netip.AddrPort{}, err
	}
	switch sa := sa.(type) {
	case *unix.SockaddrInet4:
		return n, netip.AddrPortFrom(netip.AddrFrom4(sa.Addr), uint16(sa.Port)), nil
	case *unix.SockaddrInet6:
		return n, netip.AddrPortFrom(netip.AddrFrom16(sa.Addr), uint16(sa.Port)), nil
	}
	return n, netip.AddrPort{}, nil
}

// Sendto sends one datagram to to from a non-blocking socket; with v6
// (an AF_INET6 socket) an IPv4 destination is addressed v4-mapped.
func Sendto(fd int, p []byte, to netip.AddrPort, v6 bool) error {
	if v6 || to.Addr().Is6() {
		return unix.Sendto(fd, p, 0, &unix.SockaddrInet6{Port: int(to.Port()), Addr: to.Addr().As16()})
	}
	return unix.Sendto(fd, p, 0, &unix.SockaddrInet4{Port: int(to.Port()), Addr: to.Addr().As4()})
}
