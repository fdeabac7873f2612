package sendfile

import "golang.org/x/sys/unix"

func send(dst int, f *File, off, n int64) (int64, error) {
	return sendSyscall(dst, f, off, n, unsupportedDarwin)
}

// unsupportedDarwin: darwin's sendfile only writes to stream sockets
// (ENOTSOCK, EINVAL otherwise) and not from every filesystem (ENOTSUP).
func unsupportedDarwin(err error) bool {
	return err == unix.ENOTSOCK || err == unix.EINVAL || err == unix.ENOTSUP || err == unix.EOPNOTSUPP || err == unix.ENOSYS
}
