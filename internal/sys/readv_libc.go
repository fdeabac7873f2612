//go:build darwin || openbsd

package sys

import "golang.org/x/sys/unix"

// Readv reads into iov from a non-blocking fd.
func Readv(fd int, iov []unix.Iovec) (int, error) { return unix.Readv(fd, iovecSlices(iov)) }

// Writev writes iov to a non-blocking fd.
func Writev(fd int, iov []unix.Iovec) (int, error) { return unix.Writev(fd, iovecSlices(iov)) }

func iovecSlices(iov []unix.Iovec) [][]byte {
	bufs := make([][]byte, len(iov))
	for i := range iov {
		bufs[i] = iovecBytes(&iov[i])
	}
	return bufs
}
