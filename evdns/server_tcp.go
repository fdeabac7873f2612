package evdns

import (
	"encoding/binary"
	"net"
	"net/netip"

	"github.com/goevent/goevent/bufferevent"
	"github.com/goevent/goevent/core"
)

// ServeTCP answers the queries of TCP clients connecting to ln: each
// message with its two-byte length (RFC 7766), many per connection,
// answered in the order the Handler responds. A connection silent for the
// idle timeout is closed, and connections beyond the maximum are closed
// as soon as accepted. ln's descriptor is duplicated (core.NewListener);
// the caller keeps ln. Loop goroutine only.
func (p *ServerPort) ServeTCP(ln net.Listener) error {
	if p.closed {
		return ErrServerClosed
	}
	l, err := core.NewListener(p.base, ln, p.accept)
	if err != nil {
		return err
	}
	p.listeners = append(p.listeners, l)
	return nil
}

// A serverConn is one TCP client of a ServerPort.
type serverConn struct {
	port    *ServerPort
	bev     *bufferevent.BufferEvent
	peer    netip.AddrPort
	pending int  // requests handed to the Handler and not yet finished
	eof     bool // the client has sent everything it will
	closed  bool
}

func (p *ServerPort) accept(fd int, peer netip.AddrPort) {
	if p.closed || len(p.conns) >= p.maxConns {
		closeFD(fd)
		return
	}
	bev, err := bufferevent.NewSocket(p.base, fd, bufferevent.CloseOnFree)
	if err != nil {
		closeFD(fd)
		return
	}
	c := &serverConn{port: p, bev: bev, peer: netip.AddrPortFrom(peer.Addr().Unmap(), peer.Port())}
	p.conns[c] = struct{}{}
	bev.SetCallbacks(func(*bufferevent.BufferEvent) { c.read() }, nil,
		func(_ *bufferevent.BufferEvent, what bufferevent.What, _ error) {
			if what&bufferevent.EOF != 0 && what&bufferevent.Error == 0 {
				c.eof = true
				c.closeIfIdle()
				return
			}
			c.close() // error or idle timeout
		})
	_ = bev.SetTimeouts(p.idle, p.idle)
	_ = bev.Enable(bufferevent.Read)
}

// read hands each complete message to the ServerPort.
func (c *serverConn) read() {
	for !c.closed {
		in := c.bev.Input()
		var hdr [2]byte
		if n, _ := in.CopyOut(hdr[:]); n < 2 {
			return
		}
		size := int(binary.BigEndian.Uint16(hdr[:]))
		if in.Len() < 2+size {
			return
		}
		_ = in.Drain(2)
		msg := c.port.buf[:size]
		_, _ = in.Remove(msg)
		c.port.handle(msg, c.peer, c)
	}
}

// send queues one reply with its length prefix.
func (c *serverConn) send(b []byte) error {
	if c.closed {
		return errConnGone
	}
	h := lengthPrefix(len(b))
	if err := c.bev.Output().Add(h[:]); err != nil {
		return err
	}
	return c.bev.Output().Add(b)
}

// finished records that a request of this connection was answered.
func (c *serverConn) finished() {
	c.pending--
	c.closeIfIdle()
}

// closeIfIdle closes a connection whose client has finished sending once
// every request is answered, after the replies are written.
func (c *serverConn) closeIfIdle() {
	if c.eof && c.pending == 0 && !c.closed {
		c.closed = true
		delete(c.port.conns, c)
		bev := c.bev
		_ = bev.Close(c.port.idle, func(int, error) {})
	}
}

// close drops the connection at once.
func (c *serverConn) close() {
	if c.closed {
		return
	}
	c.closed = true
	delete(c.port.conns, c)
	c.bev.SetCallbacks(nil, nil, nil)
	c.bev.Free()
}
