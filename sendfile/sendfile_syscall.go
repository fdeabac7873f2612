//go:build linux || freebsd || darwin

package sendfile

import (
	"io"
	"os"

	"github.com/goevent/goevent/internal/sys"
	"golang.org/x/sys/unix"
)

// sendSyscall is Send's loop over sendfile(2) (sys.Sendfile). unsupported
// says which errors, before any byte is sent, mean "this kernel will not
// sendfile between these descriptors", which falls back to pread+write.
func sendSyscall(dst int, f *File, off, n int64, unsupported func(error) bool) (int64, error) {
	var sent int64
	for sent < n {
		chunk := min(n-sent, maxChunk)
		w, err := sys.Sendfile(dst, f.fd, off+sent, int(chunk))
		if w > 0 {
			sent += int64(w)
		}
		switch {
		case err == nil && w == 0:
			return sent, io.ErrUnexpectedEOF
		case err == nil:
			// A short count before the size seen at open means dst is
			// full: skip the call that would only say EAGAIN. Past that
			// size it may be the end of the file: call again to know.
			if int64(w) < chunk && off+sent < f.size {
				return sent, nil
			}
		case err == unix.EINTR:
		case err == unix.EAGAIN:
			return wouldBlock(sent)
		case sent == 0 && unsupported(err):
			return sendPread(dst, f, off, n)
		default:
			return sent, os.NewSyscallError("sendfile", err)
		}
	}
	return sent, nil
}
