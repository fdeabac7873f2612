package sendfile

import "golang.org/x/sys/unix"

func send(dst int, f *File, off, n int64) (int64, error) {
	return sendSyscall(dst, f, off, n, unsupportedLinux)
}

// unsupportedLinux: EINVAL for descriptors sendfile cannot pair (a source
// without splice_read support, an O_APPEND destination), ENOSYS and
// EOPNOTSUPP for kernels or filesystems without it.
func unsupportedLinux(err error) bool {
	return err == unix.EINVAL || err == unix.ENOSYS || err == unix.EOPNOTSUPP
}
