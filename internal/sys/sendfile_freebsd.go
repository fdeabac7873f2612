//go:build freebsd

package sys

import "golang.org/x/sys/unix"

// Sendfile copies up to n bytes of the file src, starting at offset off, to
// the non-blocking socket dst, and returns how many it copied.
//
// FreeBSD's call is sendfile(fd, s, offset, nbytes, hdtr, &sbytes, flags):
// the file comes first, the offset is passed by value (src's own offset is
// never used), and the count sent comes back through sbytes, which is valid
// on success and also with EAGAIN, EINTR and EBUSY, so the returned count
// may be positive together with one of those errors. nbytes == 0 means "to
// the end of the file" to the kernel, so n <= 0 returns at once instead.
// golang.org/x/sys/unix.Sendfile handles the per-architecture argument
// layout (a split 64-bit offset on 32-bit systems).
func Sendfile(dst, src int, off int64, n int) (int, error) {
	if n <= 0 {
		return 0, nil
	}
	o := off
	w, err := unix.Sendfile(dst, src, &o, n)
	switch err {
	case nil, unix.EAGAIN, unix.EINTR, unix.EBUSY:
	default:
		w = 0
	}
	return max(w, 0), err
}
