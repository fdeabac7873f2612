//go:build unix

package sendfile

import (
	"io"
	"os"
	"sync"

	"github.com/goevent/goevent/internal/sys"
	"golang.org/x/sys/unix"
)

// preadBufSize is the pooled buffer of the read+write path: one pread and
// one write per 64 KiB.
const preadBufSize = 64 << 10

var preadBufs = sync.Pool{New: func() any { b := make([]byte, preadBufSize); return &b }}

// sendPread is Send without sendfile(2): pread into a pooled buffer, then
// write. It is compiled on every unix system (Linux uses it when sendfile
// is refused, and its tests call it directly). Only what write accepted is
// counted: bytes read but not written are read again by the next call.
func sendPread(dst int, f *File, off, n int64) (int64, error) {
	bp := preadBufs.Get().(*[]byte)
	defer preadBufs.Put(bp)
	buf := *bp
	var sent int64
	for sent < n {
		r, err := pread(f.fd, buf[:min(n-sent, int64(len(buf)))], off+sent)
		if err == unix.EINTR {
			continue
		}
		if err != nil {
			return sent, os.NewSyscallError("pread", err)
		}
		if r == 0 {
			return sent, io.ErrUnexpectedEOF
		}
		p := buf[:r]
		for len(p) > 0 {
			w, err := sys.Write(dst, p)
			if w > 0 {
				sent += int64(w)
				p = p[w:]
			}
			switch {
			case err == nil && len(p) > 0:
				// Short write: dst is full (see sendSyscall).
				return wouldBlock(sent)
			case err == nil:
			case err == unix.EINTR:
			case err == unix.EAGAIN:
				return wouldBlock(sent)
			default:
				return sent, os.NewSyscallError("write", err)
			}
		}
	}
	return sent, nil
}
