package evrpc

import (
	"errors"
	"fmt"
	"time"

	"github.com/goevent/goevent/core"
	"github.com/goevent/goevent/evhttp"
	"github.com/goevent/goevent/evrpc/evtag"
)

// ErrPipelineAborted: a pipelined call lost its connection because another
// call on it ended on the wire (its timeout, Call.Cancel) and closed it.
// It comes with StatusTimeout: the call's request was sent and may have
// been processed, so it is not sent again. See PoolConfig.Pipeline.
var ErrPipelineAborted = errors.New("evrpc: connection closed by another pipelined call")

// PoolConfig configures a Pool. The zero value means the defaults.
type PoolConfig struct {
	// Timeout bounds each call from the moment it is sent until its reply
	// is complete (libevent's evrpc_pool_set_timeout); a call that takes
	// longer fails with StatusTimeout and its connection is closed. Zero
	// means no RPC timeout: only the connections' own timeouts apply.
	Timeout time.Duration

	// Pipeline is the most calls a connection carries at once. 0 or 1
	// is libevent's model: one call per connection, the next sent once
	// the reply of the last has arrived. Above 1 the Pool turns on
	// HTTP/1.1 pipelining on its connections (evhttp's
	// Connection.SetPipelining) and sends each call to the connection
	// with the fewest calls outstanding, when that is below Pipeline; a
	// call counts from its output hooks until its reply arrives. The
	// server answers a connection's requests strictly in order, so a
	// slow call delays the replies of the calls behind it.
	//
	// RPCs are POSTs, which are not idempotent: a call whose request may
	// have reached the server is never sent again. When a pipelined
	// connection breaks, its calls end as follows.
	//
	//   - The server answered a call with an error and closed the
	//     connection, saying "Connection: close" (libevent's server and
	//     this package's do so for every 503): that call fails with
	//     StatusBadPayload and ErrServerError as usual. The server
	//     processed none of the requests behind it (RFC 9112 §9.6), so
	//     they are sent again, in order, on a new connection, and their
	//     calls go on (their timeouts still count from the first send).
	//   - A call timed out (Timeout) or was cancelled while on the wire:
	//     its connection is closed, as without pipelining, since the
	//     replies behind its own cannot be read without it. Every other
	//     call on the wire there fails with StatusTimeout, its error
	//     wrapping ErrPipelineAborted and evhttp.ErrEOF.
	//   - The connection failed or closed without warning: every call
	//     on the wire there fails with StatusTimeout wrapping the
	//     connection's error (evhttp.ErrEOF, evhttp.ErrTimeout for its
	//     read timeout). Requests not yet written, which happens only
	//     while the connection is being made, wait for the next
	//     connection; if it cannot be made they fail with StatusTimeout
	//     wrapping evhttp.ErrConnect.
	//
	// Calls still waiting in the Pool for a connection are never at
	// risk. Hooks run per call as without pipelining: a call paused in
	// an output hook keeps its place in the count of its connection but
	// not on the wire, where the calls started after it may pass it.
	Pipeline int
}

// A Pool sends RPCs over a set of evhttp connections (libevent's struct
// evrpc_pool). Calls are queued in the order made and each goes to the
// first connection that has no call outstanding, so a connection carries
// one call at a time; with no connection free a call waits, and its
// timeout starts only when it is sent. A connection closed by the server
// (libevent's server closes after every 503) reconnects for the next call.
//
// With PoolConfig.Pipeline above 1 (not in libevent) a connection carries
// up to that many calls at once, pipelined: a few connections then serve
// many calls outstanding with far fewer system calls per call. Each call
// goes to the connection with the fewest outstanding; see
// PoolConfig.Pipeline for what happens to pipelined calls when a
// connection breaks.
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
	depth   int // most calls outstanding per connection
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

// poolConn is a connection of a Pool and the calls it carries.
type poolConn struct {
	c *evhttp.Connection
	// call is the call started last on c: without pipelining the only
	// one, nil once its connection is released.
	call *Call
	// hooking holds calls started on c that may still be in their
	// output hooks (paused); the others are counted by c.Pending.
	hooking []*Call
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
	p.depth = 1
	if cfg != nil {
		p.timeout = cfg.Timeout
		p.depth = max(cfg.Pipeline, 1)
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
	c, ok := p.sent[creq]
	if !ok {
		return
	}
	delete(p.sent, creq)
	if c.state == callSent {
		switch {
		case p.closed:
			// Close cancels every call; one cancelled on the wire
			// closes a connection under the calls pipelined with it.
			c.finish(StatusCancelled, 0, nil)
		case p.depth > 1 && p.abortedByOther(c):
			err = fmt.Errorf("%w: %w", ErrPipelineAborted, err)
		}
	}
	c.onHTTPError(err)
}

// abortedByOther reports whether c's request failed because another call
// on its connection ended on the wire (a timeout, Cancel) and so closed
// the connection. That call is still in p.sent: it has finished and is
// cancelling its own request, which evhttp fails after the others.
func (p *Pool) abortedByOther(c *Call) bool {
	for _, o := range p.sent {
		if o != c && o.conn == c.conn && o.state == callFinished {
			return true
		}
	}
	return false
}

// Base returns the event loop p belongs to.
func (p *Pool) Base() *core.Base { return p.base }

// AddConnection adds c to p (libevent's evrpc_pool_add_connection) and
// sends a waiting call on it. The Pool owns c from then on: Close closes
// it. With PoolConfig.Pipeline above 1 it turns on c's pipelining. c must
// belong to p's Base.
func (p *Pool) AddConnection(c *evhttp.Connection) {
	if p.closed {
		c.Close()
		return
	}
	if p.depth > 1 {
		c.SetPipelining(true)
	}
	p.conns = append(p.conns, &poolConn{c: c})
	p.dispatch()
}

// RemoveConnection takes c out of p (libevent's
// evrpc_pool_remove_connection) and reports whether it was there. Calls
// already on c go on; the caller owns c again (its pipelining stays as
// the Pool set it).
func (p *Pool) RemoveConnection(c *evhttp.Connection) bool {
	for i, pc := range p.conns {
		if pc.c == c {
			p.conns = append(p.conns[:i], p.conns[i+1:]...)
			for call := range p.active {
				if call.conn == pc {
					call.detached = true
				}
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

// dispatch sends waiting calls on connections with room for them.
func (p *Pool) dispatch() {
	for p.queue.len() > 0 && !p.closed {
		pc := p.pick()
		if pc == nil {
			return
		}
		c := p.queue.pop()
		c.start(pc)
		if c.state == callOutHooks && p.depth > 1 {
			pc.hooking = append(pc.hooking, c)
		}
	}
}

// pick returns the connection a call goes to: the first free one without
// pipelining, else the one with the fewest calls outstanding below the
// Pipeline depth; nil when all are full.
func (p *Pool) pick() *poolConn {
	if p.depth == 1 {
		for _, pc := range p.conns {
			if pc.call == nil {
				return pc
			}
		}
		return nil
	}
	var best *poolConn
	least := p.depth
	for _, pc := range p.conns {
		if n := pc.outstanding(); n < least {
			best, least = pc, n
			if n == 0 {
				break
			}
		}
	}
	return best
}

// outstanding returns how many calls pc carries on a pipelined Pool: its
// requests queued or awaiting their replies, and its calls still in
// their output hooks.
func (pc *poolConn) outstanding() int {
	live := pc.hooking[:0]
	for _, c := range pc.hooking {
		if c.state == callOutHooks && c.conn == pc {
			live = append(live, c)
		}
	}
	clear(pc.hooking[len(live):])
	pc.hooking = live
	return pc.c.Pending() + len(live)
}
