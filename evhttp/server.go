package evhttp

import (
	"errors"
	"fmt"
	"net"
	"net/netip"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/goevent/goevent/bufferevent"
	"github.com/goevent/goevent/core"
)

// Default limits and timeouts of a Server; a zero Config field means these.
const (
	DefaultMaxBodySize   = 16 << 20
	DefaultHeaderTimeout = 20 * time.Second
	DefaultBodyTimeout   = 60 * time.Second
	DefaultIdleTimeout   = 60 * time.Second
	DefaultWriteTimeout  = 60 * time.Second
	// DefaultContentType is what the server puts in Content-Type when a
	// reply with a body has none (libevent's default).
	DefaultContentType = "text/html; charset=ISO-8859-1"
)

// Config holds a Server's limits and timeouts. The zero value means the
// defaults; a negative value turns a limit or timeout off where the field
// says so. A Server copies its Config in New; connections read it when they
// start.
type Config struct {
	// MaxRequestLine bounds the request line in bytes (414 beyond it).
	// Default DefaultMaxRequestLine (8 KiB).
	MaxRequestLine int
	// MaxHeaderBytes bounds the header section, and a chunked body's
	// trailer section, in bytes (431 beyond it). Default
	// DefaultMaxHeaderBytes (64 KiB).
	MaxHeaderBytes int
	// MaxHeaders bounds the number of header fields (431 beyond it).
	// Default DefaultMaxHeaders (100).
	MaxHeaders int
	// MaxBodySize bounds a request body in bytes (413 beyond it), also a
	// streamed one unless its route says otherwise. Default
	// DefaultMaxBodySize (16 MiB); negative: no limit but 1<<62.
	MaxBodySize int64
	// HeaderTimeout bounds the time from a request's first byte to the
	// end of its header section; a client trickling headers is answered
	// 408 and closed when it passes. Default DefaultHeaderTimeout;
	// negative: none.
	HeaderTimeout time.Duration
	// BodyTimeout is how long the server waits for more of a request
	// body before it gives up (408 and close); it restarts on progress.
	// Default DefaultBodyTimeout; negative: none.
	BodyTimeout time.Duration
	// IdleTimeout is how long a keep-alive connection may wait for its
	// next request. Default DefaultIdleTimeout; negative: none.
	IdleTimeout time.Duration
	// WriteTimeout is how long a reply may make no progress while it has
	// bytes to send before the connection is closed. Default
	// DefaultWriteTimeout; negative: none.
	WriteTimeout time.Duration
	// MaxConnections bounds the open connections over every loop; a
	// connection beyond it is answered 503 and closed. 0: no limit.
	MaxConnections int
	// DefaultContentType goes in Content-Type when a reply with a body
	// has none. Default DefaultContentType.
	DefaultContentType string
	// StreamBufferSize is how many body bytes a streamed request holds
	// in its InputBuffer before the server stops reading until the
	// handler drains them. Default 256 KiB.
	StreamBufferSize int
	// Compress, when set, compresses the replies that qualify (see
	// CompressConfig) on every route but those with CompressOff. Routes
	// with CompressOn compress even when it is nil, with the defaults.
	Compress *CompressConfig
}

func (c *Config) withDefaults() Config {
	cfg := *c
	if cfg.MaxRequestLine <= 0 {
		cfg.MaxRequestLine = DefaultMaxRequestLine
	}
	if cfg.MaxHeaderBytes <= 0 {
		cfg.MaxHeaderBytes = DefaultMaxHeaderBytes
	}
	if cfg.MaxHeaders <= 0 {
		cfg.MaxHeaders = DefaultMaxHeaders
	}
	switch {
	case cfg.MaxBodySize == 0:
		cfg.MaxBodySize = DefaultMaxBodySize
	case cfg.MaxBodySize < 0 || cfg.MaxBodySize > maxContentLength:
		cfg.MaxBodySize = maxContentLength
	}
	cfg.HeaderTimeout = durationOr(cfg.HeaderTimeout, DefaultHeaderTimeout)
	cfg.BodyTimeout = durationOr(cfg.BodyTimeout, DefaultBodyTimeout)
	cfg.IdleTimeout = durationOr(cfg.IdleTimeout, DefaultIdleTimeout)
	cfg.WriteTimeout = durationOr(cfg.WriteTimeout, DefaultWriteTimeout)
	if cfg.DefaultContentType == "" {
		cfg.DefaultContentType = DefaultContentType
	}
	if cfg.StreamBufferSize <= 0 {
		cfg.StreamBufferSize = 256 << 10
	}
	return cfg
}

// durationOr returns d, or def when d is 0, or 0 (none) when d is
// negative, rounded up to whole milliseconds: BufferEvents keep their
// timeouts in milliseconds, and connections compare theirs with them.
func durationOr(d, def time.Duration) time.Duration {
	switch {
	case d == 0:
		d = def
	case d < 0:
		return 0
	}
	return (d + time.Millisecond - 1) / time.Millisecond * time.Millisecond
}

// BevFunc makes the BufferEvent for an accepted connection fd on base: a
// TLS server (ssl.NewServer) for HTTPS, or a socket with other options. It
// owns fd from the call on (it must close it when it fails), and the
// BufferEvent it returns must free the connection when freed
// (bufferevent.CloseOnFree).
type BevFunc func(base *core.Base, fd int) (*bufferevent.BufferEvent, error)

// A Server is an HTTP/1.x server: libevent's struct evhttp. It serves
// connections on one Base (New) or spread over the Bases of a core.Loops
// (NewOnLoops), each connection staying on the loop that accepted it, and
// dispatches requests to callbacks by path and virtual host.
//
// Goroutines: the configuration methods (SetCallback, AddVirtualHost,
// SetAllowedMethods, SetBevCallback...), Bind, Accept, Shutdown and
// ConnectionCount are safe from any goroutine; routing changes apply to
// requests parsed afterwards. Callbacks run on the loop goroutine of the
// request's connection, and a Request belongs to that goroutine.
type Server struct {
	cfg   Config
	loops []*loopState // fixed at construction
	next  atomic.Uint32

	routes atomic.Pointer[routeTable]
	rmu    sync.Mutex // serializes routing writers (copy on write)

	bevcb atomic.Pointer[BevFunc]

	nconns   atomic.Int64
	shutdown atomic.Bool

	comp        *compressor // Config.Compress; nil when off
	compOnce    sync.Once
	compDefault *compressor // for CompressOn routes when comp is nil

	mu        sync.Mutex
	listeners []*BoundSocket
	done      chan struct{} // closed when shut down and every connection closed
}

// loopState is a Server's per-Base state, touched only on that Base's loop
// goroutine: its connections (for Shutdown), a free list of Requests, and
// the cached Date header.
type loopState struct {
	srv      *Server
	base     *core.Base
	conns    conn // sentinel of the ring of open connections
	n        int  // open connections on this loop
	free     []*Request
	dateSec  int64
	date     [29]byte
	draining bool
	onEmpty  func() // Shutdown's: runs when the last connection closes
	scratch  []byte // a reply head being built
	sweeper  *core.Event
}

// maxFreeRequests bounds each loop's free list of Requests.
const maxFreeRequests = 256

// New returns a Server whose connections run on base's loop. cfg may be
// nil for the defaults. The Server takes no connection until Bind or
// Accept.
func New(base *core.Base, cfg *Config) *Server {
	return newServer([]*core.Base{base}, cfg)
}

// NewOnLoops returns a Server whose connections are spread over the loops
// of ls: Bind opens one SO_REUSEPORT listener per loop, so the kernel
// spreads connections, and each connection stays on the loop that accepted
// it. cfg may be nil for the defaults.
func NewOnLoops(ls *core.Loops, cfg *Config) *Server {
	bases := make([]*core.Base, ls.Len())
	for i := range bases {
		bases[i] = ls.Base(i)
	}
	return newServer(bases, cfg)
}

func newServer(bases []*core.Base, cfg *Config) *Server {
	if cfg == nil {
		cfg = &Config{}
	}
	s := &Server{cfg: cfg.withDefaults(), done: make(chan struct{})}
	if s.cfg.Compress != nil {
		s.comp = newCompressor(s.cfg.Compress)
	}
	for _, b := range bases {
		ls := &loopState{srv: s, base: b}
		ls.conns.next, ls.conns.prev = &ls.conns, &ls.conns
		s.loops = append(s.loops, ls)
		if b != nil {
			for _, d := range [...]time.Duration{s.cfg.IdleTimeout, s.cfg.HeaderTimeout, s.cfg.BodyTimeout, s.cfg.WriteTimeout} {
				if d > 0 {
					_ = b.InitCommonTimeout(d)
				}
			}
		}
	}
	s.routes.Store(&routeTable{allowed: defaultAllowed})
	return s
}

// Config returns the Server's configuration with the defaults filled in.
func (s *Server) Config() Config { return s.cfg }

// SetBevCallback makes fn create the BufferEvent of every connection the
// Server accepts from now on, on listeners without a callback of their own
// (BoundSocket.SetBevCallback); nil restores plain sockets. This is how a
// Server speaks HTTPS:
//
//	srv.SetBevCallback(func(base *core.Base, fd int) (*bufferevent.BufferEvent, error) {
//		return ssl.NewServer(base, fd, tlsConfig, bufferevent.CloseOnFree)
//	})
func (s *Server) SetBevCallback(fn BevFunc) {
	if fn == nil {
		s.bevcb.Store(nil)
		return
	}
	s.bevcb.Store(&fn)
}

// ConnectionCount returns the number of open connections over every loop.
func (s *Server) ConnectionCount() int { return int(s.nconns.Load()) }

// A BoundSocket is one listening socket of a Server: what Bind and Accept
// return. Its methods are safe from any goroutine.
type BoundSocket struct {
	srv   *Server
	lns   []*core.Listener
	loops []*loopState // loop of each listener's connections; nil: round-robin
	addr  net.Addr
	bevcb atomic.Pointer[BevFunc]
	unix  string // socket path Bind created, removed by Close
	once  sync.Once
}

// Addr returns the socket's address (the port chosen by the kernel for
// port 0).
func (bs *BoundSocket) Addr() net.Addr { return bs.addr }

// Listeners returns the core Listeners behind the socket: one, or one per
// loop on a Server made by NewOnLoops.
func (bs *BoundSocket) Listeners() []*core.Listener { return bs.lns }

// SetBevCallback makes fn create the BufferEvent of the connections this
// socket accepts (overriding the Server's); nil falls back to the Server's.
func (bs *BoundSocket) SetBevCallback(fn BevFunc) {
	if fn == nil {
		bs.bevcb.Store(nil)
		return
	}
	bs.bevcb.Store(&fn)
}

// Close stops accepting on the socket (libevent's evhttp_del_accept_socket);
// open connections go on. It removes a unix socket file Bind created.
func (bs *BoundSocket) Close() error {
	var err error
	bs.once.Do(func() {
		for _, l := range bs.lns {
			if e := l.Close(); e != nil && err == nil {
				err = e
			}
		}
		if bs.unix != "" {
			removeSocketFile(bs.unix)
		}
		s := bs.srv
		s.mu.Lock()
		for i, x := range s.listeners {
			if x == bs {
				s.listeners = append(s.listeners[:i], s.listeners[i+1:]...)
				break
			}
		}
		s.mu.Unlock()
	})
	return err
}

// Bind listens on addr and serves the connections it accepts: "host:port"
// for TCP (an IPv6 literal in brackets listens on tcp6, v6 only), or
// "unix:/path" for a unix socket (an existing socket file at path is
// replaced). Listening sockets use SO_REUSEADDR, TCP_NODELAY on accepted
// connections, and on a Server made by NewOnLoops one SO_REUSEPORT socket
// per loop. Bind may be called several times.
func (s *Server) Bind(addr string) (*BoundSocket, error) {
	if s.shutdown.Load() {
		return nil, ErrServerClosed
	}
	if path, ok := strings.CutPrefix(addr, "unix:"); ok {
		ln, err := listenUnix(path)
		if err != nil {
			return nil, fmt.Errorf("evhttp: bind %s: %w", addr, err)
		}
		bs, err := s.accept(ln)
		ln.Close() // accept owns a duplicate of the fd
		if err != nil {
			removeSocketFile(path)
			return nil, err
		}
		bs.unix = path
		return bs, nil
	}
	network := "tcp"
	var opts []core.ListenOption
	if ap, err := netip.ParseAddrPort(addr); err == nil && ap.Addr().Is6() && !ap.Addr().Is4In6() {
		network = "tcp6"
		opts = append(opts, core.WithIPv6Only())
	}
	bs := &BoundSocket{srv: s}
	if len(s.loops) > 1 {
		opts = append(opts, core.WithReusePort())
	}
	for i, ls := range s.loops {
		a := addr
		if i > 0 {
			a = bs.addr.String() // the port the first socket got
		}
		ls := ls
		l, err := core.Listen(ls.base, network, a, func(fd int, peer netip.AddrPort) {
			s.newConn(ls, bs, fd, peer)
		}, opts...)
		if err != nil {
			for _, l := range bs.lns {
				l.Close()
			}
			return nil, fmt.Errorf("evhttp: bind %s: %w", addr, err)
		}
		if i == 0 {
			bs.addr = l.Addr()
		}
		bs.lns = append(bs.lns, l)
		bs.loops = append(bs.loops, ls)
	}
	s.addListener(bs)
	return bs, nil
}

// Accept serves the connections of ln, a *net.TCPListener or
// *net.UnixListener (libevent's evhttp_accept_socket). It duplicates ln's
// fd and owns the duplicate; the caller keeps ln. On a Server made by
// NewOnLoops the connections are handed round-robin to the loops.
func (s *Server) Accept(ln net.Listener) (*BoundSocket, error) {
	if s.shutdown.Load() {
		return nil, ErrServerClosed
	}
	return s.accept(ln)
}

func (s *Server) accept(ln net.Listener) (*BoundSocket, error) {
	bs := &BoundSocket{srv: s, addr: ln.Addr()}
	first := s.loops[0]
	l, err := core.NewListener(first.base, ln, func(fd int, peer netip.AddrPort) {
		if len(s.loops) == 1 {
			s.newConn(first, bs, fd, peer)
			return
		}
		ls := s.loops[int(s.next.Add(1))%len(s.loops)]
		if ls == first {
			s.newConn(first, bs, fd, peer)
			return
		}
		if err := ls.base.Post(func() { s.newConn(ls, bs, fd, peer) }); err != nil {
			closeFD(fd)
		}
	})
	if err != nil {
		return nil, fmt.Errorf("evhttp: accept on %s: %w", ln.Addr(), err)
	}
	bs.lns = []*core.Listener{l}
	s.addListener(bs)
	return bs, nil
}

func (s *Server) addListener(bs *BoundSocket) {
	s.mu.Lock()
	s.listeners = append(s.listeners, bs)
	s.mu.Unlock()
}

// Shutdown stops accepting, closes idle connections at once, lets the
// requests in progress finish (each connection closes after its current
// reply) for up to grace, then closes every connection that is left. It
// returns a channel closed when the last connection has closed. Shutdown is
// safe from any goroutine, loop goroutines included (do not wait on the
// channel there); calling it again returns the same channel.
func (s *Server) Shutdown(grace time.Duration) <-chan struct{} {
	if !s.shutdown.CompareAndSwap(false, true) {
		return s.done
	}
	s.mu.Lock()
	lns := append([]*BoundSocket(nil), s.listeners...)
	s.mu.Unlock()
	for _, bs := range lns {
		bs.Close()
	}
	var pending atomic.Int32
	pending.Store(int32(len(s.loops)))
	for _, ls := range s.loops {
		ls := ls
		err := ls.base.Post(func() {
			ls.drain(grace, func() {
				if pending.Add(-1) == 0 {
					close(s.done)
				}
			})
		})
		if err != nil && pending.Add(-1) == 0 { // the Base is closed: nothing to drain
			close(s.done)
		}
	}
	return s.done
}

// drain runs Shutdown on one loop: idle connections close now, busy ones
// after their reply; after grace whatever is left is closed.
func (ls *loopState) drain(grace time.Duration, done func()) {
	ls.draining = true
	ls.closeIdle()
	if ls.n == 0 {
		ls.stopSweep()
		done()
		return
	}
	var timer *core.Event
	check := func() {
		if ls.n == 0 {
			if timer != nil {
				timer.Free()
			}
			ls.stopSweep()
			done()
		}
	}
	ls.onEmpty = check
	if grace > 0 {
		timer = ls.base.NewTimer(func(int, core.Flags) {
			timer = nil
			ls.closeAll()
		})
		timer.AddTimeout(grace)
	} else {
		ls.closeAll()
	}
}

// closeIdle closes the loop's connections that wait for a request.
func (ls *loopState) closeIdle() {
	for c := ls.conns.next; c != &ls.conns; {
		next := c.next
		if c.req == nil && c.bev != nil {
			c.close()
		}
		c = next
	}
}

// closeAll closes every connection of the loop at once.
func (ls *loopState) closeAll() {
	for c := ls.conns.next; c != &ls.conns; {
		next := c.next
		c.abort(ErrServerClosed)
		c = next
	}
}

// sweepInterval is how often a loop trims the buffers of its idle
// connections.
const sweepInterval = time.Second

// startSweep arms the loop's sweep timer if it is not armed.
func (ls *loopState) startSweep() {
	if ls.sweeper == nil {
		ls.sweeper = ls.base.NewTimer(func(int, core.Flags) { ls.sweep() })
	}
	if ls.sweeper.Pending(core.Timeout) == 0 {
		ls.sweeper.AddTimeout(sweepInterval)
	}
}

// stopSweep frees the sweep timer (Shutdown).
func (ls *loopState) stopSweep() {
	if ls.sweeper != nil {
		ls.sweeper.Free()
		ls.sweeper = nil
	}
}

// sweep gives back the buffer memory of connections that have been idle
// since the last sweep: an empty evbuffer keeps its segment list so that a
// busy connection does not allocate one per request, and the sweep drops
// it once the connection has gone quiet, so idle connections hold only
// their BufferEvent and conn. It re-arms itself while the loop has
// connections.
func (ls *loopState) sweep() {
	for c := ls.conns.next; c != &ls.conns; c = c.next {
		if c.req != nil || c.closing || c.bev == nil {
			continue
		}
		if in := c.bev.Input(); in.Len() == 0 {
			in.Trim()
		}
		if out := c.bev.Output(); out.Len() == 0 {
			out.Trim()
		}
	}
	if ls.n > 0 && ls.sweeper != nil {
		ls.sweeper.AddTimeout(sweepInterval)
	}
}

// getRequest takes a Request from the free list or makes one.
func (ls *loopState) getRequest() *Request {
	if n := len(ls.free); n > 0 {
		r := ls.free[n-1]
		ls.free[n-1] = nil
		ls.free = ls.free[:n-1]
		return r
	}
	return new(Request)
}

// putRequest resets r and keeps it for reuse.
func (ls *loopState) putRequest(r *Request) {
	r.reset()
	if len(ls.free) < maxFreeRequests {
		ls.free = append(ls.free, r)
	}
}

// dateHeader returns the IMF-fixdate of the loop's cached time, formatted
// once a second.
func (ls *loopState) dateHeader() []byte {
	now := ls.base.Now()
	if sec := now.Unix(); sec != ls.dateSec {
		ls.dateSec = sec
		now.UTC().AppendFormat(ls.date[:0], "Mon, 02 Jan 2006 15:04:05 GMT")
	}
	return ls.date[:]
}

// ErrServerClosed is returned by Bind and Accept after Shutdown, and given
// to the cancel callbacks of requests that Shutdown cut short.
var ErrServerClosed = errors.New("evhttp: server closed")
