//go:build darwin

package sys

import "golang.org/x/sys/unix"

// Sendfile copies up to n bytes of the file src, starting at offset off, to
// the non-blocking socket dst, and returns how many it copied.
//
// darwin's call is sendfile(fd, s, offset, &len, hdtr, flags): the file
// comes first, the offset is passed by value (src's own offset is never
// used), and len is in-out: the count to send going in, the count sent
// coming back, which is also valid with EAGAIN and EINTR, so the returned
// count may be positive together with one of those errors. len == 0 means
// "to the end of the file" to the kernel, so n <= 0 returns at once
// instead. dst must be a socket (ENOTSOCK otherwise).
func Sendfile(dst, src int, off int64, n int) (int, error) {
	if n <= 0 {
		return 0, nil
	}
	o := off
	w, err := unix.Sendfile(dst, src, &o, n)
	switch err {
	case nil, unix.EAGAIN, unix.EINTR:
	default:
		w = 0
	}
	return max(w, 0), err
}
