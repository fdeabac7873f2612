package ssl

import (
	"net"
	"sync"
	"time"

	"github.com/goevent/goevent/evbuffer"
)

// recordHeaderLen is the size of a TLS record header: type, version,
// length.
const recordHeaderLen = 5

// recordCursor tracks where a byte stream stands relative to TLS record
// boundaries, so that the shim never hands crypto/tls bytes past the end
// of the record it is reading: its raw input buffer then never holds more
// than one record.
type recordCursor struct {
	hdr       [recordHeaderLen]byte
	hdrN      int // header bytes seen of the current record
	remaining int // body bytes left of the current record (after its header)
}

// limit returns how many of n available bytes may be given without
// crossing a record boundary.
func (r *recordCursor) limit(n int) int {
	if r.remaining > 0 {
		return min(n, r.remaining)
	}
	return min(n, recordHeaderLen-r.hdrN)
}

// advance accounts for bytes given.
func (r *recordCursor) advance(b []byte) {
	for len(b) > 0 {
		if r.remaining > 0 {
			k := min(len(b), r.remaining)
			r.remaining -= k
			b = b[k:]
			continue
		}
		k := copy(r.hdr[r.hdrN:], b)
		r.hdrN += k
		b = b[k:]
		if r.hdrN == recordHeaderLen {
			r.remaining = int(r.hdr[3])<<8 | int(r.hdr[4])
			r.hdrN = 0
		}
	}
}

// ready returns whether src holds every byte up to the end of the
// current record.
func (r *recordCursor) ready(src *evbuffer.Buffer) bool {
	if r.remaining > 0 {
		return src.Len() >= r.remaining
	}
	var hdr [recordHeaderLen]byte
	copy(hdr[:], r.hdr[:r.hdrN])
	need := recordHeaderLen - r.hdrN
	if src.Len() < need {
		return false
	}
	if n, _ := src.CopyOut(hdr[r.hdrN:]); n < need {
		return false
	}
	return src.Len() >= need+(int(hdr[3])<<8|int(hdr[4]))
}

// shim is the net.Conn under the tls.Conn. It has two modes.
//
// During the handshake, the handshake goroutine calls Read and Write: Read
// waits for bytes the loop feeds (feed) and Write copies its bytes and
// hands them to the loop with Base.Post, since the underlying Output
// belongs to the loop goroutine. Fields marked "guarded by mu" are shared
// between the two goroutines then.
//
// Once the handshake is over (toLoop), only the loop goroutine calls
// them: Read takes bytes straight from the underlying Input while an
// input filter runs (src) and otherwise returns errWouldBlock, and Write
// appends to the underlying Output. Nothing waits in this mode.
type shim struct {
	s *session // immutable, never nil

	mu      sync.Mutex
	cond    sync.Cond // signalled when pending grows or readErr is set
	pending []byte    // guarded by mu: bytes fed, not yet read
	readErr error     // guarded by mu: what Read returns once pending is empty
	loop    bool      // guarded by mu until the handshake ends; loop mode

	cur recordCursor     // used by whichever goroutine reads (one at a time)
	src *evbuffer.Buffer // loop mode: the Input an input filter is running on
}

func (c *shim) init(s *session) {
	c.s = s
	c.cond.L = &c.mu
}

// feed moves src's bytes to the handshake goroutine. Loop goroutine.
func (c *shim) feed(src *evbuffer.Buffer) {
	n := src.Len()
	if n == 0 {
		return
	}
	c.mu.Lock()
	old := len(c.pending)
	c.pending = append(c.pending, make([]byte, n)...)
	got, _ := src.Remove(c.pending[old:])
	c.pending = c.pending[:old+got]
	c.mu.Unlock()
	c.cond.Signal()
}

// closeRead makes Read return err once the bytes fed are read. Any
// goroutine.
func (c *shim) closeRead(err error) {
	c.mu.Lock()
	if c.readErr == nil {
		c.readErr = err
	}
	c.mu.Unlock()
	c.cond.Broadcast()
}

// toLoop switches to loop mode and returns the bytes fed but not read by
// the handshake; they start at a record boundary. Loop goroutine, after
// the handshake goroutine finished.
func (c *shim) toLoop() []byte {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.loop = true
	left := c.pending
	c.pending = nil
	return left
}

// Read implements net.Conn for crypto/tls, never past a record boundary.
func (c *shim) Read(p []byte) (int, error) {
	if c.loop { // written by the loop goroutine, which is the reader now
		src := c.src
		if src == nil || src.Len() == 0 || len(p) == 0 {
			return 0, errWouldBlock
		}
		n, _ := src.Remove(p[:c.cur.limit(min(len(p), src.Len()))])
		c.cur.advance(p[:n])
		return n, nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	for len(c.pending) == 0 && c.readErr == nil {
		c.cond.Wait()
	}
	if len(c.pending) == 0 {
		return 0, c.readErr
	}
	n := copy(p[:c.cur.limit(len(p))], c.pending)
	c.cur.advance(p[:n])
	c.pending = c.pending[n:]
	if len(c.pending) == 0 {
		c.pending = nil // let the handshake's bytes go
	}
	return n, nil
}

// Write implements net.Conn for crypto/tls; it never blocks.
func (c *shim) Write(p []byte) (int, error) {
	if c.loop {
		return c.s.writeOut(p)
	}
	b := append([]byte(nil), p...)
	if err := c.s.base.Post(func() { _, _ = c.s.writeOut(b) }); err != nil {
		return 0, err
	}
	return len(p), nil
}

// Close ends a handshake in progress: its reads fail with ErrClosed.
func (c *shim) Close() error {
	c.closeRead(ErrClosed)
	return nil
}

// shimAddr is the address the shim reports; the real addresses belong to
// the socket under the BufferEvent chain.
type shimAddr struct{}

func (shimAddr) Network() string { return "bufferevent" }
func (shimAddr) String() string  { return "bufferevent" }

func (c *shim) LocalAddr() net.Addr  { return shimAddr{} }
func (c *shim) RemoteAddr() net.Addr { return shimAddr{} }

// Deadlines are the BufferEvent's timeouts; crypto/tls's own calls
// (around close_notify) have nothing to do.
func (c *shim) SetDeadline(time.Time) error      { return nil }
func (c *shim) SetReadDeadline(time.Time) error  { return nil }
func (c *shim) SetWriteDeadline(time.Time) error { return nil }
