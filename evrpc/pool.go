package evrpc

import (
	"fmt"
	"time"

	"github.com/goevent/goevent/core"
	"github.com/goevent/goevent/evhttp"
	"github.com/goevent/goevent/evrpc/evtag"
)

// PoolConfig configures a Pool. The zero value means the defaults.
type PoolConfig struct {
	// Timeout bounds each call from the moment it is sent until its reply
	// is complete (libevent's evrpc_pool_set_timeout); a call that takes
	// longer fails with StatusTimeout and its connection is closed. Zero
	// means no RPC timeout: only the connections' own timeouts apply.
	Timeout time.Duration
}

// A Pool sends RPCs over a set of evhttp connections (libevent's struct
// evrpc_pool). Calls are queued in the order made and each goes to the
// first connection that has no call outstanding, so a connection carries
// one call at a time; with no connection free a call waits, and its
// timeout starts only when it is sent. A connection closed by the server
// (libevent's server closes after every 503) reconnects for the next call.
//
// A Pool belongs to its Base's loop goroutine: every method, and
// MakeRequest, must be called there (other goroutines use Base.Post),
// except AddHook and RemoveHook, which are safe from any goroutine. Call
// callbacks and hooks run on the loop goroutine.
type Pool struct {
	base    *core.Base
	codec   evtag.Codec
	hooks   hookSet
	timeout time.Duration
	conns   []*poolConn
	queue   callQueue
	active  map[*Call]struct{}              // started and not finished
	sent    map[*evhttp.ClientRequest]*Call // on the wire, until its HTTP callback
	paths   map[string]string               // RPC name -> URIPrefix+name
	closed  bool

	// The callbacks every call hands to the loop and to evhttp, made once
	// rather than as a closure per call.
	dispatchFunc func()
	onReplyFunc  func(*evhttp.ClientRequest)
	onErrorFunc  func(*evhttp.ClientRequest, error)
}

// poolConn is a connection of a Pool and the call it carries.
type poolConn struct {
	c    *evhttp.Connection
	call *Call
}

// NewPool returns an empty Pool on base (libevent's evrpc_pool_new); add
// connections with AddConnection.
func NewPool(base *core.Base, cfg *PoolConfig) *Pool {
	p := &Pool{
		base:   base,
		active: make(map[*Call]struct{}),
		sent:   make(map[*evhttp.ClientRequest]*Call),
		paths:  make(map[string]string),
	}
	p.dispatchFunc = p.dispatch
	p.onReplyFunc = p.onReply
	p.onErrorFunc = p.onError
	if cfg != nil {
		p.timeout = cfg.Timeout
	}
	return p
}

// maxPaths bounds the Pool's cache of RPC paths.
const maxPaths = 256

// path returns the HTTP path of the RPC name, or ErrName.
func (p *Pool) path(name string) (string, error) {
	if path, ok := p.paths[name]; ok {
		return path, nil
	}
	if !validName(name) {
		return "", fmt.Errorf("%w: %q", ErrName, name)
	}
	path := URIPrefix + name
	if len(p.paths) < maxPaths {
		p.paths[name] = path
	}
	return path, nil
}

// onReply is the OnComplete callback of every request the Pool sends.
func (p *Pool) onReply(creq *evhttp.ClientRequest) {
	if c, ok := p.sent[creq]; ok {
		delete(p.sent, creq)
		c.onReply(creq)
	}
}

// onError is the OnError callback of every request the Pool sends.
func (p *Pool) onError(creq *evhttp.ClientRequest, err error) {
	if c, ok := p.sent[creq]; ok {
		delete(p.sent, creq)
		c.onHTTPError(err)
	}
}

// Base returns the event loop p belongs to.
func (p *Pool) Base() *core.Base { return p.base }

// AddConnection adds c to p (libevent's evrpc_pool_add_connection) and
// sends a waiting call on it. The Pool owns c from then on: Close closes
// it. c must belong to p's Base.
func (p *Pool) AddConnection(c *evhttp.Connection) {
	if p.closed {
		c.Close()
		return
	}
	p.conns = append(p.conns, &poolConn{c: c})
	p.dispatch()
}

// RemoveConnection takes c out of p (libevent's
// evrpc_pool_remove_connection) and reports whether it was there. A call
// already on c goes on; the caller owns c again.
func (p *Pool) RemoveConnection(c *evhttp.Connection) bool {
	for i, pc := range p.conns {
		if pc.c == c {
			p.conns = append(p.conns[:i], p.conns[i+1:]...)
			if pc.call != nil {
				pc.call.detached = true
			}
			return true
		}
	}
	return false
}

// SetTimeout changes the RPC timeout (PoolConfig.Timeout) for calls sent
// from now on.
func (p *Pool) SetTimeout(d time.Duration) { p.timeout = d }

// Timeout returns the RPC timeout.
func (p *Pool) Timeout() time.Duration { return p.timeout }

// AddHook adds a hook run for every call of p (libevent's evrpc_add_hook
// on an evrpc_pool): Output hooks before a request is sent, Input hooks
// before a reply is decoded. Hooks run in the order added.
func (p *Pool) AddHook(t HookType, h Hook) *HookHandle { return p.hooks.add(t, h) }

// RemoveHook removes a hook added by AddHook and reports whether it was
// there (libevent's evrpc_remove_hook).
func (p *Pool) RemoveHook(h *HookHandle) bool { return p.hooks.remove(h) }

// Close fails every call that has not finished with StatusCancelled and
// closes the Pool's connections (libevent's evrpc_pool_free). MakeRequest
// fails with ErrPoolClosed afterwards.
func (p *Pool) Close() {
	if p.closed {
		return
	}
	p.closed = true
	for _, c := range p.queue.drain() {
		c.finish(StatusCancelled, 0, nil)
	}
	for c := range p.active {
		c.Cancel()
	}
	conns := p.conns
	p.conns = nil
	for _, pc := range conns {
		pc.c.Close()
	}
}

// dispatch sends waiting calls on free connections.
func (p *Pool) dispatch() {
	for p.queue.len() > 0 && !p.closed {
		var free *poolConn
		for _, pc := range p.conns {
			if pc.call == nil {
				free = pc
				break
			}
		}
		if free == nil {
			return
		}
		p.queue.pop().start(free)
	}
}
