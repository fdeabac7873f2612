package proxy

import (
	"crypto/tls"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/goevent/goevent/core"
	"github.com/goevent/goevent/evhttp"
)

// Config configures a Proxy.
type Config struct {
	// Routes are the prefixes and their upstreams.
	Routes *Table
	// Timeout bounds connecting to an upstream, a response that makes no
	// progress once its request is sent, and a request body write that
	// makes no progress; it ends with 504 (or a cut reply). Zero: 30 s.
	Timeout time.Duration
	// MaxHeaderBytes bounds an upstream response's header section (zero:
	// evhttp's default).
	MaxHeaderBytes int
	// MaxConnsPerUpstream bounds the connections to one http:// or
	// https:// upstream from one loop (zero: evhttp.DefaultPoolMaxConns);
	// requests beyond it wait for one to free up. A unix-socket upstream
	// has no such bound (evhttp.Pool dials host:port only; the Proxy's
	// own pool for sockets keeps idle connections but does not queue).
	MaxConnsPerUpstream int
	// MaxIdlePerUpstream bounds the idle keep-alive connections kept to
	// one upstream from one loop (zero: as many as MaxConnsPerUpstream,
	// so that a steady load reuses its connections instead of closing
	// and dialling one for most requests).
	MaxIdlePerUpstream int
	// TLS is the client configuration for https:// upstreams (nil: the
	// system's roots; ServerName defaults to the upstream's host).
	TLS *tls.Config
	// HTTPS says the clients reach evhttpd over TLS (X-Forwarded-Proto).
	HTTPS bool
	// Logger receives upstream failures. nil discards them.
	Logger *slog.Logger
}

// Result says how a proxied request ended, for access logs and counters.
type Result struct {
	// Code is the status sent to the client: the upstream's, 502 or 504
	// for a failure before the reply started, or 499 when the client
	// went away before it (nginx's convention; nothing was sent).
	Code int
	// Bytes counts the response body bytes passed to the client.
	Bytes int64
	// Err is the upstream failure, nil when the exchange completed or the
	// client ended it.
	Err error
}

// A Proxy forwards requests to the upstreams of its routes. Serve runs
// on the loop goroutine of each request; the Proxy keeps one connection
// pool per upstream per loop, so a request and its upstream connection
// share a loop and no lock is taken on the data path.
type Proxy struct {
	cfg    Config
	tls    *tls.Config
	errors atomic.Int64

	mu    sync.Mutex
	loops map[*core.Base]*loopState // guarded by mu; each state used on its loop only
}

// loopState is a Proxy's pools on one loop.
type loopState struct {
	pools map[*Route]*evhttp.Pool
	unix  map[*Route]*unixPool
}

// New returns a Proxy for cfg.
func New(cfg Config) *Proxy {
	if cfg.Timeout <= 0 {
		cfg.Timeout = 30 * time.Second
	}
	if cfg.MaxConnsPerUpstream <= 0 {
		cfg.MaxConnsPerUpstream = evhttp.DefaultPoolMaxConns
	}
	if cfg.MaxIdlePerUpstream <= 0 {
		cfg.MaxIdlePerUpstream = cfg.MaxConnsPerUpstream
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Routes == nil {
		cfg.Routes = &Table{}
	}
	p := &Proxy{cfg: cfg, tls: cfg.TLS, loops: make(map[*core.Base]*loopState)}
	if p.tls == nil {
		p.tls = &tls.Config{}
	}
	return p
}

// Match returns the route of a request's percent-decoded path (see
// Table.Match), or nil when the request is not proxied.
func (p *Proxy) Match(path string) *Route { return p.cfg.Routes.Match(path) }

// UpstreamErrors returns how many proxied requests failed because of
// their upstream (refused, reset, malformed response, timeout).
func (p *Proxy) UpstreamErrors() int64 { return p.errors.Load() }

// loop returns the pools of base, made on first use. Loop goroutine of
// base only.
func (p *Proxy) loop(base *core.Base) *loopState {
	p.mu.Lock()
	defer p.mu.Unlock()
	ls := p.loops[base]
	if ls == nil {
		ls = &loopState{pools: make(map[*Route]*evhttp.Pool), unix: make(map[*Route]*unixPool)}
		p.loops[base] = ls
	}
	return ls
}

// configure sets up each new upstream connection of rt.
func (p *Proxy) configure(rt *Route) func(*evhttp.Connection) {
	return func(c *evhttp.Connection) {
		c.SetTimeout(p.cfg.Timeout, p.cfg.Timeout, p.cfg.Timeout)
		c.SetMaxBodySize(-1) // streamed through, never held
		if p.cfg.MaxHeaderBytes > 0 {
			c.SetMaxHeadersSize(p.cfg.MaxHeaderBytes)
		}
		if rt.Scheme == HTTPS {
			c.SetTLS(p.tls)
		}
	}
}

// makeRequest sends req to rt's upstream on a pooled connection of base.
// For a unix-socket upstream it returns the pool to give the connection
// back to when the request ends.
func (p *Proxy) makeRequest(base *core.Base, rt *Route, req *evhttp.ClientRequest) (*unixPool, error) {
	ls := p.loop(base)
	if rt.Scheme == Unix {
		up := ls.unix[rt]
		if up == nil {
			up = &unixPool{base: base, path: rt.Path, configure: p.configure(rt), maxIdle: p.cfg.MaxIdlePerUpstream}
			ls.unix[rt] = up
		}
		return up, up.makeRequest(req)
	}
	pool := ls.pools[rt]
	if pool == nil {
		pool = evhttp.NewPool(base, &evhttp.PoolConfig{
			MaxConnsPerHost: p.cfg.MaxConnsPerUpstream,
			MaxIdlePerHost:  p.cfg.MaxIdlePerUpstream,
			Configure:       p.configure(rt),
		})
		ls.pools[rt] = pool
	}
	return nil, pool.MakeRequest(rt.Host, rt.Port, req)
}

// Close closes the pooled upstream connections, each on its loop, and
// waits for that (at most a few seconds: a loop that no longer runs is
// not waited for). Requests in flight fail. Not from a loop goroutine.
func (p *Proxy) Close() {
	p.mu.Lock()
	states := make(map[*core.Base]*loopState, len(p.loops))
	for b, ls := range p.loops {
		states[b] = ls
	}
	p.mu.Unlock()
	var wg sync.WaitGroup
	for base, ls := range states {
		wg.Add(1)
		err := base.Post(func() {
			defer wg.Done()
			for _, pool := range ls.pools {
				pool.Close()
			}
			for _, up := range ls.unix {
				up.close()
			}
		})
		if err != nil {
			wg.Done()
		}
	}
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
	}
}
