package evrpc

import (
	"fmt"
	"net/http"

	"github.com/goevent/goevent/core"
	"github.com/goevent/goevent/evbuffer"
	"github.com/goevent/goevent/evhttp"
)

// callState is where a client call is.
type callState uint8

const (
	callQueued   callState = iota // waiting for a free connection
	callOutHooks                  // output hooks running or paused
	callSent                      // on the wire, waiting for the reply
	callInHooks                   // reply arrived, input hooks running or paused
	callFinished                  // done callback called
)

// A Call is one RPC made by MakeRequest (libevent's struct
// evrpc_request_wrapper). It belongs to its Pool's loop goroutine.
type Call struct {
	pool     *Pool
	name     string
	body     *evbuffer.Buffer
	decode   func(*evbuffer.Buffer) error
	clear    func()
	done     func(error)
	hc       HookContext
	state    callState
	conn     *poolConn
	creq     *evhttp.ClientRequest
	timer    *core.Event
	detached bool // its connection was removed from the Pool
}

// MakeRequest calls the RPC name through p (libevent's EVRPC_MAKE_REQUEST):
// it encodes req now, queues the call, and later runs done exactly once,
// on the loop goroutine and never from inside MakeRequest, with nil when
// reply holds the decoded reply or an *Error otherwise (reply then zeroed,
// as libevent clears it). req may be reused once MakeRequest returns;
// reply must stay untouched until done runs. MakeRequest fails with
// ErrName, ErrPoolClosed, or the encoding error of req (a required field
// missing). Loop goroutine only.
func MakeRequest[Req, Rep any](p *Pool, name string, req *Req, reply *Rep, done func(error)) (*Call, error) {
	if !validName(name) {
		return nil, fmt.Errorf("%w: %q", ErrName, name)
	}
	if p.closed {
		return nil, ErrPoolClosed
	}
	body := evbuffer.New()
	if err := p.codec.MarshalBuffer(body, req); err != nil {
		return nil, fmt.Errorf("evrpc: %s: encoding request: %w", name, err)
	}
	c := &Call{
		pool:   p,
		name:   name,
		body:   body,
		decode: func(b *evbuffer.Buffer) error { return p.codec.UnmarshalBuffer(b, reply) },
		clear:  func() { var zero Rep; *reply = zero },
		done:   done,
	}
	c.hc.rpc = name
	p.queue = append(p.queue, c)
	// dispatch from the loop, so that done never runs inside MakeRequest.
	if err := p.base.Post(p.dispatch); err != nil {
		p.unqueue(c)
		return nil, fmt.Errorf("evrpc: %s: %w", name, err)
	}
	return c, nil
}

// RPC returns the name of the call's RPC.
func (c *Call) RPC() string { return c.name }

// Cancel ends the call with StatusCancelled unless it has finished: a
// queued call is dropped, a call on the wire closes its connection (its
// reply could not be told apart from the next one's). Loop goroutine only.
func (c *Call) Cancel() {
	switch c.state {
	case callFinished:
		return
	case callQueued:
		c.pool.unqueue(c)
	}
	c.finish(StatusCancelled, 0, nil)
}

// start sends c on pc: output hooks first, then the HTTP request.
func (c *Call) start(pc *poolConn) {
	p := c.pool
	c.conn, pc.call = pc, c
	p.active[c] = struct{}{}
	c.state = callOutHooks
	creq := evhttp.NewClientRequest("POST", URIPrefix+c.name)
	creq.Body().AddBuffer(c.body)
	c.body = nil
	c.creq = creq
	c.hc.creq, c.hc.conn = creq, pc.c
	c.hc.runHooks(Output, p.hooks.list(Output), creq.Body(), creq.Header(), func(res HookResult) {
		if res != Continue {
			c.finish(StatusUnstarted, 0, nil)
			return
		}
		creq.OnComplete(c.onReply)
		creq.OnError(c.onHTTPError)
		if err := pc.c.MakeRequest(creq); err != nil {
			c.finish(StatusUnstarted, 0, err)
			return
		}
		c.state = callSent
		if d := p.timeout; d > 0 {
			c.timer = p.base.NewTimer(func(int, core.Flags) {
				c.finish(StatusTimeout, 0, fmt.Errorf("no reply within %v", d))
			})
			if err := c.timer.AddTimeout(d); err != nil {
				c.finish(StatusTimeout, 0, err)
			}
		}
	})
}

// onReply runs when the HTTP response is complete: input hooks, then the
// reply is decoded.
func (c *Call) onReply(creq *evhttp.ClientRequest) {
	if c.state != callSent {
		return
	}
	c.stopTimer()
	c.release()
	c.state = callInHooks
	c.hc.runHooks(Input, c.pool.hooks.list(Input), creq.ResponseBody(), creq.ResponseHeader(), func(res HookResult) {
		code := creq.StatusCode()
		switch {
		case res != Continue:
			c.finish(StatusHookAborted, code, nil)
		case code != http.StatusOK:
			c.finish(StatusBadPayload, code, fmt.Errorf("%w: %d %s", ErrServerError, code, creq.Reason()))
		default:
			if err := c.decode(creq.ResponseBody()); err != nil {
				c.finish(StatusBadPayload, code, err)
				return
			}
			c.finish(StatusOK, code, nil)
		}
	})
}

// onHTTPError runs when the HTTP request failed: no reply (libevent
// reports this as a timeout whatever the cause).
func (c *Call) onHTTPError(_ *evhttp.ClientRequest, err error) {
	c.release()
	if c.state == callSent {
		c.finish(StatusTimeout, 0, err)
	}
}

// release frees c's connection for the next call.
func (c *Call) release() {
	if pc := c.conn; pc != nil {
		c.conn = nil
		if pc.call == c {
			pc.call = nil
		}
		if !c.detached {
			c.pool.base.Post(c.pool.dispatch)
		}
	}
}

func (c *Call) stopTimer() {
	if c.timer != nil {
		c.timer.Free()
		c.timer = nil
	}
}

// finish ends c with status and calls done.
func (c *Call) finish(status Status, code int, cause error) {
	if c.state == callFinished {
		return
	}
	prev := c.state
	c.state = callFinished
	delete(c.pool.active, c)
	c.stopTimer()
	c.hc.end()
	switch prev {
	case callOutHooks:
		c.release() // the request was never made
	case callSent:
		// The HTTP request is still out: cancelling it closes the
		// connection, and its error callback releases the connection.
		c.creq.Cancel()
	}
	if status == StatusOK {
		c.done(nil)
		return
	}
	c.clear()
	c.done(&Error{Status: status, RPC: c.name, Code: code, Err: cause})
}
