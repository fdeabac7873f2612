package evhttp

import (
	"fmt"
	"net"
	"strconv"
	"time"

	"github.com/goevent/goevent/bufferevent"
	"github.com/goevent/goevent/core"
)

// Pool defaults; a zero PoolConfig field means these.
const (
	DefaultPoolMaxConns    = 32
	DefaultPoolMaxIdle     = 8
	DefaultPoolIdleTimeout = 90 * time.Second
)

// PoolConfig configures a Pool. The zero value means the defaults.
type PoolConfig struct {
	// MaxConnsPerHost bounds the connections (busy, idle or connecting)
	// to one host:port; requests beyond it wait for a connection to free
	// up, in the order made. Default DefaultPoolMaxConns.
	MaxConnsPerHost int
	// MaxIdlePerHost bounds the idle connections kept per host:port; the
	// oldest idle one is closed beyond it. Default DefaultPoolMaxIdle.
	MaxIdlePerHost int
	// IdleTimeout is how long an idle connection is kept. Default
	// DefaultPoolIdleTimeout.
	IdleTimeout time.Duration
	// Resolver looks host names up; nil: bufferevent.NetResolver.
	Resolver bufferevent.Resolver
	// Configure, if set, is called for each new Connection before its
	// first request: the place for SetTimeout, SetTLS, limits.
	Configure func(*Connection)
}

// Pool keeps client connections per host:port for reuse, as a reverse
// proxy needs: a request goes to an idle kept-alive connection when there
// is one, to a new connection while the host is below MaxConnsPerHost,
// and otherwise waits for one. Each pooled connection carries one request
// at a time.
//
// A Pool belongs to its Base's loop goroutine: every method must be
// called there; other goroutines use Base.Post.
type Pool struct {
	base   *core.Base // immutable
	cfg    PoolConfig // immutable after NewPool
	hosts  map[string]*poolHost
	closed bool
}

// poolHost is the Pool's state for one host:port.
type poolHost struct {
	pool    *Pool
	key     string
	host    string
	port    int
	conns   []*Connection // every Connection of this host
	idle    []*Connection // idle ones, oldest first
	waiting []*ClientRequest
}

// NewPool returns an empty Pool on base. cfg may be nil. Call it on base's
// loop goroutine or before the loop runs.
func NewPool(base *core.Base, cfg *PoolConfig) *Pool {
	p := &Pool{base: base, hosts: make(map[string]*poolHost)}
	if cfg != nil {
		p.cfg = *cfg
	}
	if p.cfg.MaxConnsPerHost <= 0 {
		p.cfg.MaxConnsPerHost = DefaultPoolMaxConns
	}
	if p.cfg.MaxIdlePerHost <= 0 {
		p.cfg.MaxIdlePerHost = DefaultPoolMaxIdle
	}
	if p.cfg.IdleTimeout <= 0 {
		p.cfg.IdleTimeout = DefaultPoolIdleTimeout
	}
	return p
}

// MakeRequest sends req to host:port on a pooled connection. It fails as
// Connection.MakeRequest does, and with ErrConnectionClosed after Close.
// Loop goroutine only.
func (p *Pool) MakeRequest(host string, port int, req *ClientRequest) error {
	if p.closed {
		return ErrConnectionClosed
	}
	if req.state != reqNew || req.conn != nil {
		return ErrRequestUsed
	}
	if err := req.validate(); err != nil {
		return err
	}
	key := net.JoinHostPort(host, strconv.Itoa(port))
	ph := p.hosts[key]
	if ph == nil {
		ph = &poolHost{pool: p, key: key, host: host, port: port}
		p.hosts[key] = ph
	}
	if c := ph.takeIdle(); c != nil {
		return c.MakeRequest(req)
	}
	if len(ph.conns) < p.cfg.MaxConnsPerHost {
		return ph.newConn().MakeRequest(req)
	}
	ph.waiting = append(ph.waiting, req)
	return nil
}

// Conns returns how many connections the Pool holds for host:port and
// how many of them are idle. Loop goroutine only.
func (p *Pool) Conns(host string, port int) (total, idle int) {
	ph := p.hosts[net.JoinHostPort(host, strconv.Itoa(port))]
	if ph == nil {
		return 0, 0
	}
	return len(ph.conns), len(ph.idle)
}

// Close closes every connection, failing requests in flight or waiting
// with ErrCancelled. MakeRequest fails afterwards. Loop goroutine only.
func (p *Pool) Close() {
	if p.closed {
		return
	}
	p.closed = true
	for _, ph := range p.hosts {
		waiting := ph.waiting
		ph.waiting = nil
		for _, c := range append([]*Connection(nil), ph.conns...) {
			c.Close()
		}
		for _, r := range waiting {
			r.finish(fmt.Errorf("%w: pool closed", ErrCancelled))
		}
	}
	clear(p.hosts)
}

func (ph *poolHost) newConn() *Connection {
	c := NewConnection(ph.pool.base, ph.pool.cfg.Resolver, ph.host, ph.port)
	if fn := ph.pool.cfg.Configure; fn != nil {
		fn(c)
	}
	c.pipelining = false
	c.pool = ph
	ph.conns = append(ph.conns, c)
	return c
}

// takeIdle returns the most recently idle connection, if any.
func (ph *poolHost) takeIdle() *Connection {
	for len(ph.idle) > 0 {
		c := ph.idle[len(ph.idle)-1]
		ph.idle = ph.idle[:len(ph.idle)-1]
		if c.poolIdle != nil {
			c.poolIdle.Del()
		}
		if c.Connected() && len(c.queue) == 0 {
			return c
		}
	}
	return nil
}

// release takes back a Connection that finished its request and stays
// connected: it serves the next waiting request or becomes idle.
func (ph *poolHost) release(c *Connection) {
	if ph.serveWaiting(c) {
		return
	}
	ph.idle = append(ph.idle, c)
	if c.poolIdle == nil {
		c.poolIdle = ph.pool.base.NewTimer(func(int, core.Flags) {
			ph.removeIdle(c)
			c.Close()
		})
	}
	c.poolIdle.AddTimeout(ph.pool.cfg.IdleTimeout)
	if len(ph.idle) > ph.pool.cfg.MaxIdlePerHost {
		old := ph.idle[0]
		ph.removeIdle(old)
		old.Close()
	}
}

// serveWaiting gives c the oldest waiting request still wanted.
func (ph *poolHost) serveWaiting(c *Connection) bool {
	for len(ph.waiting) > 0 {
		r := ph.waiting[0]
		ph.waiting[0] = nil
		ph.waiting = ph.waiting[1:]
		if r.state != reqNew {
			continue // cancelled while waiting
		}
		if err := c.MakeRequest(r); err != nil {
			r.finish(err)
			continue
		}
		return true
	}
	return false
}

// lost hears that c's connection went away (detach). A Connection left
// with nothing to do leaves the pool; its slot may serve a waiting
// request with a new connection.
func (ph *poolHost) lost(c *Connection) {
	ph.removeIdle(c)
	if len(c.queue) > 0 || c.closed {
		return
	}
	c.closed = true
	c.freeTimer()
	ph.forget(c)
	c.pool = nil
	if len(ph.waiting) > 0 && !ph.pool.closed && len(ph.conns) < ph.pool.cfg.MaxConnsPerHost {
		// Deferred: lost runs inside the dying connection's teardown.
		nc := ph.newConn()
		ph.pool.base.Post(func() {
			if !ph.serveWaiting(nc) && len(nc.queue) == 0 {
				nc.closed = true
				ph.forget(nc)
			}
		})
	}
}

func (ph *poolHost) removeIdle(c *Connection) {
	for i, x := range ph.idle {
		if x == c {
			copy(ph.idle[i:], ph.idle[i+1:])
			ph.idle[len(ph.idle)-1] = nil
			ph.idle = ph.idle[:len(ph.idle)-1]
			break
		}
	}
	if c.poolIdle != nil {
		c.poolIdle.Del()
	}
}

// forget removes c from the pool (Connection.Close).
func (ph *poolHost) forget(c *Connection) {
	ph.removeIdle(c)
	if c.poolIdle != nil {
		c.poolIdle.Free()
		c.poolIdle = nil
	}
	for i, x := range ph.conns {
		if x == c {
			copy(ph.conns[i:], ph.conns[i+1:])
			ph.conns[len(ph.conns)-1] = nil
			ph.conns = ph.conns[:len(ph.conns)-1]
			break
		}
	}
}
