//go:build dragonfly || freebsd || linux || netbsd || openbsd

package netutil

import (
	"os"

	"golang.org/x/sys/unix"
)

// Socket returns a new socket that is non-blocking and close-on-exec from
// the start (SOCK_NONBLOCK|SOCK_CLOEXEC).
func Socket(family, sotype, proto int) (int, error) {
	fd, err := unix.Socket(family, sotype|unix.SOCK_NONBLOCK|unix.SOCK_CLOEXEC, proto)
	if err != nil {
		return -1, os.NewSyscallError("socket", err)
	}
	return fd, nil
}
