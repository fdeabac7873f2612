package proxy

import (
	"github.com/goevent/goevent/core"
	"github.com/goevent/goevent/evhttp"
)

// unixPool keeps idle keep-alive connections to one unix-socket upstream
// on one loop: evhttp.Pool dials host:port only. Every request gets an
// idle connection or a new one; a connection whose request completed and
// that stays open becomes idle again, up to maxIdle of them. It belongs
// to its Base's loop goroutine.
type unixPool struct {
	base      *core.Base
	path      string
	configure func(*evhttp.Connection)
	maxIdle   int
	idle      []*evhttp.Connection
	closed    bool
}

// makeRequest sends req on an idle connection or a new one.
func (u *unixPool) makeRequest(req *evhttp.ClientRequest) error {
	if u.closed {
		return evhttp.ErrConnectionClosed
	}
	for len(u.idle) > 0 {
		c := u.idle[len(u.idle)-1]
		u.idle = u.idle[:len(u.idle)-1]
		if c.Connected() && c.Pending() == 0 {
			return c.MakeRequest(req)
		}
		c.Close()
	}
	c := evhttp.NewUnixConnection(u.base, u.path)
	u.configure(c)
	if err := c.MakeRequest(req); err != nil {
		c.Close()
		return err
	}
	return nil
}

// release takes back the connection of a finished request: kept when it
// is still open and idle, closed otherwise. A nil pool does nothing.
func (u *unixPool) release(c *evhttp.Connection) {
	if u == nil || c == nil {
		return
	}
	if u.closed || !c.Connected() || c.Pending() > 0 || len(u.idle) >= u.maxIdle {
		// The close is deferred: release runs inside the connection's
		// own callback.
		u.base.Post(c.Close)
		return
	}
	u.idle = append(u.idle, c)
}

// close closes the idle connections; later requests fail.
func (u *unixPool) close() {
	u.closed = true
	for _, c := range u.idle {
		c.Close()
	}
	u.idle = nil
}
