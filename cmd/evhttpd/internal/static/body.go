package static

import (
	"fmt"

	"github.com/goevent/goevent/evbuffer"
	"github.com/goevent/goevent/sendfile"
)

// smallBody is the size up to which a body is copied into the reply
// rather than sent with sendfile(2): then the header and the body leave
// in one write and one TCP segment, where sendfile would take a second
// system call and, with TCP_NODELAY, a second segment.
const smallBody = 16 << 10

// addBody appends n bytes of f from off to b: from the bytes e keeps when
// it has them, read into b when n is small, else as a file segment sent
// with sendfile(2).
func addBody(b *evbuffer.Buffer, e *fileEntry, f *sendfile.File, off, n int64) error {
	switch {
	case e.body != nil && off+n <= int64(len(e.body)):
		return b.AddReference(e.body[off:off+n], nil)
	case n <= smallBody:
		p := b.Reserve(int(n))
		if p == nil {
			return b.AddFile(f, off, n)
		}
		k, err := f.ReadAt(p[:n], off)
		if err != nil || int64(k) != n {
			b.Commit(0)
			return fmt.Errorf("static: read %s: %d of %d bytes: %w", f.Name(), k, n, err)
		}
		return b.Commit(int(n))
	}
	return b.AddFile(f, off, n)
}
