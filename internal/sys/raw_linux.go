//go:build linux

package sys

import (
	"net/netip"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// errno turns a raw errno into an error without allocating for the common
// values (the runtime keeps boxed copies of small integers).
func errno(e syscall.Errno) error {
	if e == 0 {
		return nil
	}
	return e
}

// Read reads from a non-blocking fd on the raw path.
func Read(fd int, p []byte) (int, error) {
	n, _, e := syscall.RawSyscall(unix.SYS_READ, uintptr(fd), uintptr(bytesPtr(p)), uintptr(len(p)))
	if e != 0 {
		return -1, errno(e)
	}
	return int(n), nil
}

// Write writes to a non-blocking fd on the raw path.
func Write(fd int, p []byte) (int, error) {
	n, _, e := syscall.RawSyscall(unix.SYS_WRITE, uintptr(fd), uintptr(bytesPtr(p)), uintptr(len(p)))
	if e != 0 {
		return -1, errno(e)
	}
	return int(n), nil
}

// Readv reads into iov from a non-blocking fd on the raw path.
func Readv(fd int, iov []unix.Iovec) (int, error) {
	n, _, e := syscall.RawSyscall(unix.SYS_READV, uintptr(fd), uintptr(slicePtr(iov)), uintptr(len(iov)))
	if e != 0 {
		return -1, errno(e)
	}
	return int(n), nil
}

// Writev writes iov to a non-blocking fd on the raw path.
func Writev(fd int, iov []unix.Iovec) (int, error) {
	n, _, e := syscall.RawSyscall(unix.SYS_WRITEV, uintptr(fd), uintptr(slicePtr(iov)), uintptr(len(iov)))
	if e != 0 {
		return -1, errno(e)
	}
	return int(n), nil
}

// Accept4 accepts a connection from a non-blocking listener on the raw path.
// The new fd is non-blocking and close-on-exec. The peer address is returned
// without allocating (zero for unix-domain peers).
func Accept4(fd int) (int, netip.AddrPort, error) {
	var rsa unix.RawSockaddrAny
	l := uint32(unix.SizeofSockaddrAny)
	nfd, _, e := syscall.RawSyscall6(unix.SYS_ACCEPT4, uintptr(fd), uintptr(anyPtr(&rsa)), uintptr(anyPtr(&l)),
		unix.SOCK_NONBLOCK|unix.SOCK_CLOEXEC, 0, 0)
	if e != 0 {
		return -1, netip.AddrPort{}, errno(e)
	}
	return int(nfd), SockaddrToAddrPort(&rsa), nil
}

// EpollCtl is epoll_ctl(2) on the raw path.
func EpollCtl(epfd, op, fd int, ev *unix.EpollEvent) error {
	_, _, e := syscall.RawSyscall6(unix.SYS_EPOLL_CTL, uintptr(epfd), uintptr(op), uintptr(fd), uintptr(anyPtr(ev)), 0, 0)
	return errno(e)
}

// EpollWait is epoll_wait(2). With msec == 0 it cannot block and takes the
// raw path; otherwise it goes through the scheduler-aware path.
func EpollWait(epfd int, events []unix.EpollEvent, msec int) (int, error) {
	var n uintptr
	var e syscall.Errno
	if msec == 0 {
		n, _, e = syscall.RawSyscall6(unix.SYS_EPOLL_PWAIT, uintptr(epfd), uintptr(slicePtr(events)), uintptr(len(events)), 0, 0, 0)
	} else {
		n, _, e = syscall.Syscall6(unix.SYS_EPOLL_PWAIT, uintptr(epfd), uintptr(slicePtr(events)), uintptr(len(events)), uintptr(msec), 0, 0)
	}
	if e != 0 {
		return 0, errno(e)
	}
	return int(n), nil
}

// Poll is poll(2): raw with a zero timeout, scheduler-aware otherwise.
func Poll(fds []unix.PollFd, msec int) (int, error) {
	var n uintptr
	var e syscall.Errno
	switch {
	case msec == 0:
		var ts unix.Timespec
		n, _, e = syscall.RawSyscall6(unix.SYS_PPOLL, uintptr(slicePtr(fds)), uintptr(len(fds)), uintptr(anyPtr(&ts)), 0, 0, 0)
	case msec < 0:
		n, _, e = syscall.Syscall6(unix.SYS_PPOLL, uintptr(slicePtr(fds)), uintptr(len(fds)), 0, 0, 0, 0)
	default:
		ts := unix.NsecToTimespec(int64(msec) * 1e6)
		n, _, e = syscall.Syscall6(unix.SYS_PPOLL, uintptr(slicePtr(fds)), uintptr(len(fds)), uintptr(anyPtr(&ts)), 0, 0, 0)
	}
	if e != 0 {
		return 0, errno(e)
	}
	return int(n), nil
}

// Select is select(2) on the read and write sets, which it overwrites with
// the ready fds (pselect6 on Linux, which every architecture has).
// timeout < 0 waits without limit; a zero timeout cannot block and takes
// the raw path.
func Select(nfd int, r, w *unix.FdSet, timeout time.Duration) (int, error) {
	var n uintptr
	var e syscall.Errno
	switch {
	case timeout == 0:
		var ts unix.Timespec
		n, _, e = syscall.RawSyscall6(unix.SYS_PSELECT6, uintptr(nfd), uintptr(anyPtr(r)), uintptr(anyPtr(w)), 0, uintptr(anyPtr(&ts)), 0)
	case timeout < 0:
		n, _, e = syscall.Syscall6(unix.SYS_PSELECT6, uintptr(nfd), uintptr(anyPtr(r)), uintptr(anyPtr(w)), 0, 0, 0)
	default:
		ts := unix.NsecToTimespec(int64(timeout))
		n, _, e = syscall.Syscall6(unix.SYS_PSELECT6, uintptr(nfd), uintptr(anyPtr(r)), uintptr(anyPtr(w)), 0, uintptr(anyPtr(&ts)), 0)
	}
	if e != 0 {
		return 0, errno(e)
	}
	return int(n), nil
}

// ThreadID identifies the calling OS thread. A goroutine locked to its
// thread (runtime.LockOSThread) keeps one ThreadID, and no other goroutine
// can share it while the lock holds.
func ThreadID() int64 {
	tid, _, _ := syscall.RawSyscall(unix.SYS_GETTID, 0, 0, 0)
	return int64(tid)
}

// Sendfile is sendfile(2) on the raw path: it copies up to n bytes of the
// file src, starting at offset off, to dst, and returns how many it copied
// (0 at the end of the file). The offset is passed by value to the kernel's
// copy, so src's own file offset is never used nor moved. dst must be
// non-blocking: a full socket gives EAGAIN, never a sleep. On an error
// nothing was copied. n must fit in the platform's ssize_t; callers keep it
// at or under 1 GiB (Linux copies at most 0x7ffff000 bytes per call anyway).
func Sendfile(dst, src int, off int64, n int) (int, error) {
	if n <= 0 {
		return 0, nil
	}
	o := off
	r, _, e := syscall.RawSyscall6(sysSendfile, uintptr(dst), uintptr(src), uintptr(anyPtr(&o)), uintptr(n), 0, 0)
	if e != 0 {
		return 0, errno(e)
	}
	return int(r), nil
}

// Recvfrom reads one datagram from a non-blocking socket on the raw path,
// returning its length and source address without allocating.
func Recvfrom(fd int, p []byte) (int, netip.AddrPort, error) {
	var rsa unix.RawSockaddrAny
	l := uint32(unix.SizeofSockaddrAny)
	n, _, e := syscall.RawSyscall6(unix.SYS_RECVFROM, uintptr(fd), uintptr(bytesPtr(p)), uintptr(len(p)), 0,
		uintptr(ptrOf(&rsa)), uintptr(anyPtr(&l)))
	if e != 0 {
		return 0, netip.AddrPort{}, errno(e)
	}
	return int(n), SockaddrToAddrPort(&rsa), nil
}

// Sendto sends one datagram to to from a non-blocking socket on the raw
// path without allocating. With v6 (the socket is AF_INET6), an IPv4
// destination is addressed v4-mapped.
func Sendto(fd int, p []byte, to netip.AddrPort, v6 bool) error {
	var e syscall.Errno
	if v6 || to.Addr().Is6() {
		sa := unix.RawSockaddrInet6{Family: unix.AF_INET6, Addr: to.Addr().As16()}
		putNetPort(&sa.Port, to.Port())
		_, _, e = syscall.RawSyscall6(unix.SYS_SENDTO, uintptr(fd), uintptr(bytesPtr(p)), uintptr(len(p)), 0,
			uintptr(anyPtr(&sa)), unix.SizeofSockaddrInet6)
	} else {
		sa := unix.RawSockaddrInet4{Family: unix.AF_INET, Addr: to.Addr().As4()}
		putNetPort(&sa.Port, to.Port())
		_, _, e = syscall.RawSyscall6(unix.SYS_SENDTO, uintptr(fd), uintptr(bytesPtr(p)), uintptr(len(p)), 0,
			uintptr(anyPtr(&sa)), unix.SizeofSockaddrInet4)
	}
	return errno(e)
}
