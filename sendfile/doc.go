// Package sendfile holds goevent's reference-counted open files, the
// zero-copy send of a file range to a socket, and the HTTP Range helpers
// that pick those ranges.
//
// A File is shared by every evbuffer segment and every request that sends
// from it; each holder takes a reference with Ref and drops it with
// Release, and the fd is closed exactly when the last reference goes.
//
//	f, err := sendfile.Open("/srv/www/big.iso")
//	if err != nil { ... }
//	defer f.Release()
//	ranges, err := sendfile.ParseRange(req.Header.Get("Range"), f.Size())
//	switch {
//	case errors.Is(err, sendfile.ErrUnsatisfiable): // 416, Content-Range: sendfile.UnsatisfiedContentRange(f.Size())
//	case err != nil: // ignore Range: 200 with the whole file
//	}
//	// with ranges[0]: 206, Content-Range: ranges[0].ContentRange(f.Size())
//	n, err := sendfile.Send(sockFD, f, ranges[0].Start, ranges[0].Length)
//
// Send uses sendfile(2) on Linux, FreeBSD and darwin, and pread(2) into a
// pooled buffer plus write(2) elsewhere (and on Linux when the kernel
// refuses sendfile for the pair of descriptors). Offsets are always
// explicit: the file's own offset is never read nor moved, so any number of
// sends from one File may be in flight on different sockets.
//
// On Linux, sendfile(2) takes the raw syscall path (internal/sys), like the
// other calls on non-blocking sockets: the destination must be
// non-blocking. A file that is not in the page cache can still make the
// call wait for the disk.
//
// Goroutines: File's methods are safe from any goroutine. Send may run
// concurrently on the same File for different destinations; the caller
// must hold a reference for the duration of the call.
package sendfile
