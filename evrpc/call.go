package evrpc

import (
	"fmt"
	"net/http"
	"reflect"

	"github.com/goevent/goevent/core"
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
	creq     *evhttp.ClientRequest // its body holds the encoded request
	reply    any                   // the *Rep to decode the reply into
	done     func(error)
	hc       HookContext
	state    callState
	conn     *poolConn
	timer    *core.Event
	detached bool // its connection was removed from the Pool
}

// MakeRequest calls the RPC name through p (libevent's EVRPC_MAKE_REQUEST):
// it encodes req now, queues the call, and later runs done exactly once,
// on the loop goroutine and never from inside MakeRequest, with nil when
// reply holds the decoded reply or an *Error otherwise (reply then zeroed,
// as libevent clears it). req may be reused once MakeRequest returns;
// reply must stay untouched until done runs, and may be passed to the
// next MakeRequest after that. MakeRequest fails with ErrName,
// ErrPoolClosed, or the encoding error of req (a required field missing).
// Loop goroutine only.
func MakeRequest[Req, Rep any](p *Pool, name string, req *Req, reply *Rep, done func(error)) (*Call, error) {
	if p.closed {
		return nil, ErrPoolClosed
	}
	path, err := p.path(name)
	if err != nil {
		return nil, err
	}
	creq := evhttp.NewClientRequest("POST", path)
	if err := p.codec.MarshalBuffer(creq.Body(), req); err != nil {
		return nil, fmt.Errorf("evrpc: %s: encoding request: %w", name, err)
	}
	c := &Call{pool: p, name: name, creq: creq, reply: reply, done: done}
	c.hc.rpc = name
	p.queue.push(c)
	// dispatch from the loop, so that done never runs inside MakeRequest.
	if err := p.base.Post(p.dispatchFunc); err != nil {
		p.queue.remove(c)
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
		c.pool.queue.remove(c)
	}
	c.finish(StatusCancelled, 0, nil)
}

// start sends c on pc: output hooks first, then the HTTP request.
func (c *Call) start(pc *poolConn) {
	p := c.pool
	c.conn, pc.call = pc, c
	p.active[c] = struct{}{}
	c.state = callOutHooks
	c.hc.creq, c.hc.conn = c.creq, pc.c
	c.hc.runHooks(Output, p.hooks.list(Output), c.creq.Body(), c.creq.Header(), c)
}

// hooksDone continues c once its hooks are done: after the output hooks
// the request is sent, after the input hooks the reply is decoded.
func (c *Call) hooksDone(t HookType, res HookResult) {
	if t == Output {
		c.send(res)
	} else {
		c.decode(res)
	}
}

// send puts c on the wire once its output hooks let it.
func (c *Call) send(res HookResult) {
	if res != Continue {
		c.finish(StatusUnstarted, 0, nil)
		return
	}
	p := c.pool
	c.creq.OnComplete(p.onReplyFunc)
	c.creq.OnError(p.onErrorFunc)
	if err := c.conn.c.MakeRequest(c.creq); err != nil {
		c.finish(StatusUnstarted, 0, err)
		return
	}
	p.sent[c.creq] = c
	c.state = callSent
	if d := p.timeout; d > 0 {
		c.timer = p.base.NewTimer(c.onTimeout)
		if err := c.timer.AddTimeout(d); err != nil {
			c.finish(StatusTimeout, 0, err)
		}
	}
}

// onTimeout runs when the Pool's timeout passes before the reply.
func (c *Call) onTimeout(int, core.Flags) {
	c.finish(StatusTimeout, 0, fmt.Errorf("no reply within %v", c.pool.timeout))
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
	c.hc.runHooks(Input, c.pool.hooks.list(Input), creq.ResponseBody(), creq.ResponseHeader(), c)
}

// decode ends c with the reply once its input hooks let it.
func (c *Call) decode(res HookResult) {
	creq := c.creq
	code := creq.StatusCode()
	switch {
	case res != Continue:
		c.finish(StatusHookAborted, code, nil)
	case code != http.StatusOK:
		c.finish(StatusBadPayload, code, fmt.Errorf("%w: %d %s", ErrServerError, code, creq.Reason()))
	default:
		if err := c.pool.codec.UnmarshalBuffer(creq.ResponseBody(), c.reply); err != nil {
			c.finish(StatusBadPayload, code, err)
			return
		}
		c.finish(StatusOK, code, nil)
	}
}

// onHTTPError runs when the HTTP request failed: no reply (libevent
// reports this as a timeout whatever the cause).
func (c *Call) onHTTPError(err error) {
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
			c.pool.base.Post(c.pool.dispatchFunc)
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
	reflect.ValueOf(c.reply).Elem().SetZero()
	c.done(&Error{Status: status, RPC: c.name, Code: code, Err: cause})
}
