package bufferevent

import (
	"fmt"
	"io"
	"net"
	"os"
	"sync"
	"time"

	"github.com/goevent/goevent/core"
	"golang.org/x/sys/unix"
)

const (
	// netConnReadAhead is how much a net.Conn view reads ahead of its
	// caller before it stops reading.
	netConnReadAhead = 64 << 10
	// netConnWriteBuf is how much a net.Conn view's Write queues in Output
	// before it waits for the connection to take it.
	netConnWriteBuf = 64 << 10
	// netConnLinger bounds how long Close keeps sending queued bytes.
	netConnLinger = 30 * time.Second
)

// ioReq is one Read or Write waiting for the loop. Its fields are guarded
// by netConn.mu.
type ioReq struct {
	p    []byte
	n    int
	err  error
	done bool
	ch   chan struct{} // closed when done by the loop
}

// netConn is the net.Conn view of a BufferEvent (AsNetConn). Its exported
// methods run on any goroutine and hand work to the loop with Post; the
// loop fills requests under mu.
type netConn struct {
	base *core.Base    // immutable
	bev  *BufferEvent  // loop goroutine only
	rmu  sync.Mutex    // serialises Reads
	wmu  sync.Mutex    // serialises Writes
	mu   sync.Mutex    // guards what follows
	rreq *ioReq        // a Read waiting for data
	wreq *ioReq        // a Write waiting for room
	rerr error         // the read side's end: io.EOF or an error
	werr error         // the write side's end
	gone bool          // the BufferEvent was freed or closed
	shut bool          // Close was called
	shCh chan struct{} // closed by Close

	rdl, wdl     time.Time
	rdlCh, wdlCh chan struct{} // closed and replaced when a deadline changes

	local, remote net.Addr
}

// AsNetConn returns a net.Conn view of the BufferEvent, for code that needs
// one (crypto/tls, net/http) running on other goroutines. The view takes
// over the BufferEvent's callbacks and reading: do not use the
// BufferEvent directly afterwards. Read waits for Input to hold data, Write
// queues its bytes in Output (waiting while more than 64 KiB are queued),
// Close closes the BufferEvent with Close (sending what is queued, for at
// most 30 s). Deadlines make Read and Write fail with an error satisfying
// net.Error with Timeout() true (os.ErrDeadlineExceeded). The loop must be
// running for the view's methods to make progress; they start no
// goroutine.
//
// AsNetConn itself belongs to the loop goroutine (other goroutines:
// Base.Post); the returned net.Conn is safe from any goroutine except the
// loop's own, where its blocking methods would wait for themselves.
func (bev *BufferEvent) AsNetConn() net.Conn {
	if c := bev.nc(); c != nil {
		return c
	}
	c := &netConn{
		base:  bev.base,
		bev:   bev,
		shCh:  make(chan struct{}),
		rdlCh: make(chan struct{}),
		wdlCh: make(chan struct{}),
	}
	c.local, c.remote = sockAddrs(bev.FD())
	bev.extra().netConn = c
	bev.SetCallbacks(c.onRead, c.onWrite, c.onEvent)
	if bev.wmWrite().low < netConnWriteBuf/2 {
		bev.extra().wmWrite.low = netConnWriteBuf / 2
	}
	if bev.freed {
		c.gone = true
	} else {
		bev.Enable(Read | Write)
	}
	return c
}

// detach is called on the loop when the BufferEvent goes away.
func (c *netConn) detach(error) {
	c.mu.Lock()
	c.gone = true
	c.finishLocked(&c.rreq, 0, nil)
	c.finishLocked(&c.wreq, 0, nil)
	c.mu.Unlock()
	if x := c.bev.x; x != nil {
		x.netConn = nil
	}
}

func closedErr() error { return fmt.Errorf("%w: %w", ErrClosed, net.ErrClosed) }

// finishLocked completes *slot (if any) with err, or the closed error when
// err is nil.
func (c *netConn) finishLocked(slot **ioReq, n int, err error) {
	r := *slot
	if r == nil {
		return
	}
	if err == nil {
		err = closedErr()
	}
	r.err = err
	r.done = true
	*slot = nil
	close(r.ch)
}

// serveRead runs on the loop: hand buffered bytes (or the end) to a
// waiting Read.
func (c *netConn) serveRead() {
	c.mu.Lock()
	if c.gone {
		c.finishLocked(&c.rreq, 0, nil)
		c.mu.Unlock()
		return
	}
	bev := c.bev
	if r := c.rreq; r != nil {
		switch {
		case bev.input.Len() > 0:
			r.n, _ = bev.input.Remove(r.p)
			r.done = true
			c.rreq = nil
			close(r.ch)
		case c.rerr != nil:
			c.finishLocked(&c.rreq, 0, c.rerr)
		}
	}
	c.mu.Unlock()
	if c.rerr == nil && bev.input.Len() < netConnReadAhead && bev.enabled&Read == 0 {
		bev.Enable(Read)
	}
}

// serveWrite runs on the loop: move a waiting Write's bytes into Output
// while it has room.
func (c *netConn) serveWrite() {
	c.mu.Lock()
	defer c.mu.Unlock()
	r := c.wreq
	if r == nil {
		return
	}
	if c.gone {
		c.finishLocked(&c.wreq, 0, nil)
		return
	}
	if c.werr != nil {
		c.finishLocked(&c.wreq, 0, c.werr)
		return
	}
	out := &c.bev.output
	for r.n < len(r.p) && out.Len() < netConnWriteBuf {
		k := min(len(r.p)-r.n, netConnWriteBuf-out.Len())
		if err := out.Add(r.p[r.n : r.n+k]); err != nil {
			c.finishLocked(&c.wreq, 0, err)
			return
		}
		r.n += k
	}
	if r.n == len(r.p) {
		r.done = true
		c.wreq = nil
		close(r.ch)
	}
}

func (c *netConn) onRead(bev *BufferEvent) {
	c.serveRead()
	if bev.input.Len() >= netConnReadAhead {
		bev.Disable(Read)
	}
}

func (c *netConn) onWrite(*BufferEvent) { c.serveWrite() }

func (c *netConn) onEvent(bev *BufferEvent, what What, err error) {
	switch {
	case what&Connected != 0:
		l, r := sockAddrs(bev.FD())
		c.mu.Lock()
		c.local, c.remote = l, r
		c.mu.Unlock()
		return
	case what&EOF != 0:
		c.mu.Lock()
		c.rerr = io.EOF
		c.mu.Unlock()
	case what&Timeout != 0:
		c.mu.Lock()
		if what&Reading != 0 {
			c.rerr = os.ErrDeadlineExceeded
		} else {
			c.werr = os.ErrDeadlineExceeded
		}
		c.mu.Unlock()
	default:
		if err == nil {
			err = fmt.Errorf("bufferevent: %v", what)
		}
		c.mu.Lock()
		c.rerr, c.werr = err, err
		c.mu.Unlock()
	}
	c.serveRead()
	c.serveWrite()
}

// Read implements net.Conn.
func (c *netConn) Read(p []byte) (int, error) {
	c.rmu.Lock()
	defer c.rmu.Unlock()
	return c.do(p, true)
}

// Write implements net.Conn.
func (c *netConn) Write(p []byte) (int, error) {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	return c.do(p, false)
}

func (c *netConn) do(p []byte, read bool) (int, error) {
	if len(p) == 0 {
		return 0, nil
	}
	r := &ioReq{p: p, ch: make(chan struct{})}
	slot, serve := &c.wreq, c.serveWrite
	if read {
		slot, serve = &c.rreq, c.serveRead
	}
	c.mu.Lock()
	if c.shut {
		c.mu.Unlock()
		return 0, closedErr()
	}
	*slot = r
	c.mu.Unlock()
	if err := c.base.Post(serve); err != nil {
		return c.cancel(r, slot, closedErr())
	}
	for {
		c.mu.Lock()
		dl, dlCh := c.wdl, c.wdlCh
		if read {
			dl, dlCh = c.rdl, c.rdlCh
		}
		c.mu.Unlock()
		var timeout <-chan time.Time
		var t *time.Timer
		if !dl.IsZero() {
			d := time.Until(dl)
			if d <= 0 {
				return c.cancel(r, slot, os.ErrDeadlineExceeded)
			}
			t = time.NewTimer(d)
			timeout = t.C
		}
		select {
		case <-r.ch:
			if t != nil {
				t.Stop()
			}
			c.mu.Lock()
			n, err := r.n, r.err
			c.mu.Unlock()
			return n, err
		case <-timeout:
			return c.cancel(r, slot, os.ErrDeadlineExceeded)
		case <-c.shCh:
			if t != nil {
				t.Stop()
			}
			return c.cancel(r, slot, closedErr())
		case <-dlCh:
			if t != nil {
				t.Stop()
			}
		}
	}
}

// cancel withdraws r unless the loop completed it first.
func (c *netConn) cancel(r *ioReq, slot **ioReq, err error) (int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if r.done {
		return r.n, r.err
	}
	r.done = true
	if *slot == r {
		*slot = nil
	}
	return r.n, err
}

// Close implements net.Conn: it closes the BufferEvent with Close, which
// keeps sending queued bytes for up to 30 s. Pending Reads and Writes fail.
func (c *netConn) Close() error {
	c.mu.Lock()
	if c.shut {
		c.mu.Unlock()
		return closedErr()
	}
	c.shut = true
	close(c.shCh)
	c.mu.Unlock()
	err := c.base.Post(func() {
		if bev := c.bev; bev.nc() == c && !bev.freed {
			bev.Close(netConnLinger, nil)
		}
	})
	if err != nil {
		return fmt.Errorf("bufferevent: close: %w", err)
	}
	return nil
}

// LocalAddr implements net.Conn.
func (c *netConn) LocalAddr() net.Addr {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.local
}

// RemoteAddr implements net.Conn.
func (c *netConn) RemoteAddr() net.Addr {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.remote
}

// SetDeadline implements net.Conn.
func (c *netConn) SetDeadline(t time.Time) error {
	c.SetReadDeadline(t)
	return c.SetWriteDeadline(t)
}

// SetReadDeadline implements net.Conn.
func (c *netConn) SetReadDeadline(t time.Time) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.rdl = t
	close(c.rdlCh)
	c.rdlCh = make(chan struct{})
	return nil
}

// SetWriteDeadline implements net.Conn.
func (c *netConn) SetWriteDeadline(t time.Time) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.wdl = t
	close(c.wdlCh)
	c.wdlCh = make(chan struct{})
	return nil
}

// pipeAddr is the address of a BufferEvent without a socket (a pair).
type pipeAddr struct{}

func (pipeAddr) Network() string { return "bufferevent" }
func (pipeAddr) String() string  { return "bufferevent" }

// sockAddrs returns the local and remote addresses of fd.
func sockAddrs(fd int) (local, remote net.Addr) {
	local, remote = pipeAddr{}, pipeAddr{}
	if fd < 0 {
		return
	}
	if sa, err := unix.Getsockname(fd); err == nil {
		local = toAddr(sa)
	}
	if sa, err := unix.Getpeername(fd); err == nil {
		remote = toAddr(sa)
	}
	return
}

func toAddr(sa unix.Sockaddr) net.Addr {
	switch sa := sa.(type) {
	case *unix.SockaddrInet4:
		return &net.TCPAddr{IP: sa.Addr[:], Port: sa.Port}
	case *unix.SockaddrInet6:
		return &net.TCPAddr{IP: sa.Addr[:], Port: sa.Port}
	case *unix.SockaddrUnix:
		return &net.UnixAddr{Name: sa.Name, Net: "unix"}
	}
	return pipeAddr{}
}
