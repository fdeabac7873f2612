// Package netutil holds goevent's socket helpers: making listening sockets
// non-blocking and close-on-exec, duplicating descriptors, and the socket
// options core's Listener sets (SO_REUSEADDR, SO_REUSEPORT, IPV6_V6ONLY).
//
// Every function takes and returns raw descriptors; errors are
// *os.SyscallError values that unwrap to the errno, so callers compare
// them with errors.Is(err, unix.EADDRINUSE) and wrap them with context.
// Options that exist only on some systems live in per-OS files with the
// same function set, so callers never test runtime.GOOS.
package netutil

import (
	"os"

	"golang.org/x/sys/unix"
)

// DupCloseOnExec duplicates fd; the copy has close-on-exec set and shares
// fd's open file description (and so its O_NONBLOCK status).
func DupCloseOnExec(fd int) (int, error) {
	nfd, err := unix.FcntlInt(uintptr(fd), unix.F_DUPFD_CLOEXEC, 0)
	if err != nil {
		return -1, os.NewSyscallError("fcntl", err)
	}
	return nfd, nil
}

// SetNonblock puts fd in non-blocking mode.
func SetNonblock(fd int) error {
	if err := unix.SetNonblock(fd, true); err != nil {
		return os.NewSyscallError("fcntl", err)
	}
	return nil
}

// SetReuseAddr sets or clears SO_REUSEADDR, which lets a TCP listener bind
// a port that connections in TIME_WAIT still hold.
func SetReuseAddr(fd int, on bool) error {
	return setBool(fd, unix.SOL_SOCKET, unix.SO_REUSEADDR, on)
}

// SetIPv6Only sets or clears IPV6_V6ONLY on an AF_INET6 socket: set, it
// accepts IPv6 only; clear, a wildcard bind accepts IPv4 too (as
// v4-mapped addresses).
func SetIPv6Only(fd int, on bool) error {
	return setBool(fd, unix.IPPROTO_IPV6, unix.IPV6_V6ONLY, on)
}

// SetNoDelay sets TCP_NODELAY on a TCP socket: Nagle's algorithm off, so
// small writes are sent at once.
func SetNoDelay(fd int) error {
	return setBool(fd, unix.IPPROTO_TCP, unix.TCP_NODELAY, true)
}

func setBool(fd, level, opt int, on bool) error {
	v := 0
	if on {
		v = 1
	}
	if err := unix.SetsockoptInt(fd, level, opt, v); err != nil {
		return os.NewSyscallError("setsockopt", err)
	}
	return nil
}
