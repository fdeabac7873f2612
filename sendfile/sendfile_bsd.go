//go:build freebsd

package sendfile

import "golang.org/x/sys/unix"

func send(dst int, f *File, off, n int64) (int64, error) {
	return sendSyscall(dst, f, off, n, unsupportedBSD)
}

// unsupportedBSD: FreeBSD's sendfile only writes to stream sockets
// (ENOTSOCK, EINVAL otherwise), and some filesystems cannot back it
// (EOPNOTSUPP).
func unsupportedBSD(err error) bool {
	return err == unix.ENOTSOCK || err == unix.EINVAL || err == unix.EOPNOTSUPP || err == unix.ENOSYS
}
