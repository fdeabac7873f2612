package sendfile

import "golang.org/x/sys/unix"

// Send sends n bytes of f, starting at offset off, to the non-blocking
// descriptor dstFD, and returns how many bytes it sent. Offsets are
// explicit: f's own file offset is never used, so the caller resumes a
// partial send at off+sent, and no byte is lost or sent twice.
//
//   - (n, nil): everything was sent.
//   - (k, nil) with 0 < k < n: dstFD accepted no more for now; wait until it
//     is writable and call again with off+k, n-k.
//   - (0, unix.EAGAIN): dstFD is full and nothing was sent (the bare errno,
//     so errors.Is(err, unix.EAGAIN) and err == unix.EAGAIN both hold).
//   - (k, io.ErrUnexpectedEOF): the file ended at off+k, before off+n (it
//     was shorter than asked for, or shrank); the k bytes were sent.
//   - (k, other error): a failing call, as an *os.SyscallError (EPIPE,
//     ECONNRESET...); the k bytes before it were sent.
//
// n == 0 sends nothing and returns (0, nil). A negative off or n gives
// ErrNegative, and a File without references ErrReleased. Send may run
// concurrently on one File; the caller must hold a reference until it
// returns.
//
// Linux, FreeBSD and darwin use sendfile(2); other systems, and Linux when
// the kernel refuses sendfile for this pair of descriptors, read into a
// pooled buffer with pread(2) and write(2) it, reporting only what was
// written.
func Send(dstFD int, f *File, off, n int64) (int64, error) {
	if f.refs.Load() <= 0 {
		return 0, ErrReleased
	}
	if off < 0 || n < 0 {
		return 0, ErrNegative
	}
	if n == 0 {
		return 0, nil
	}
	return send(dstFD, f, off, n)
}

// maxChunk caps one sendfile or pread call. Linux copies at most 0x7ffff000
// bytes per call; 1 GiB keeps every kernel's ssize_t happy.
const maxChunk = 1 << 30

// wouldBlock is the result for a destination that takes no more: (sent,
// nil) after progress, (0, EAGAIN) before any.
func wouldBlock(sent int64) (int64, error) {
	if sent > 0 {
		return sent, nil
	}
	return 0, unix.EAGAIN
}
