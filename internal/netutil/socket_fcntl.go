//go:build unix && !(dragonfly || freebsd || linux || netbsd || openbsd)

package netutil

import (
	"os"
	"syscall"

	"golang.org/x/sys/unix"
)

// Socket returns a new socket that is non-blocking and close-on-exec.
// This system has no SOCK_CLOEXEC, so the flags are set after socket(2)
// while holding syscall.ForkLock, as the standard library does, so no
// fork in this process inherits the socket in between.
func Socket(family, sotype, proto int) (int, error) {
	syscall.ForkLock.RLock()
	fd, err := unix.Socket(family, sotype, proto)
	if err == nil {
		unix.CloseOnExec(fd)
	}
	syscall.ForkLock.RUnlock()
	if err != nil {
		return -1, os.NewSyscallError("socket", err)
	}
	if err := unix.SetNonblock(fd, true); err != nil {
		unix.Close(fd)
		return -1, os.NewSyscallError("fcntl", err)
	}
	return fd, nil
}
