//go:build freebsd || netbsd

package sys

import (
	"syscall"

	"golang.org/x/sys/unix"
)

// Readv reads into iov from a non-blocking fd.
func Readv(fd int, iov []unix.Iovec) (int, error) {
	n, _, e := syscall.Syscall(unix.SYS_READV, uintptr(fd), uintptr(slicePtr(iov)), uintptr(len(iov)))
	if e != 0 {
		return -1, e
	}
	return int(n), nil
}

// Writev writes iov to a non-blocking fd.
func Writev(fd int, iov []unix.Iovec) (int, error) {
	n, _, e := syscall.Syscall(unix.SYS_WRITEV, uintptr(fd), uintptr(slicePtr(iov)), uintptr(len(iov)))
	if e != 0 {
		return -1, e
	}
	return int(n), nil
}
