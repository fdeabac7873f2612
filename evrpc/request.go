package evrpc

import (
	"fmt"

	"github.com/goevent/goevent/core"
	"github.com/goevent/goevent/evhttp"
)

// A Request is one RPC being served (libevent's EVRPC_STRUCT(rpcname)):
// the decoded request, the reply to fill in, and the HTTP request they
// came with. The handler answers now or later by calling Done. A Request
// belongs to the loop goroutine of its connection; another goroutine
// answers with r.Base().Post(func() { r.Done() }).
type Request[Req, Rep any] struct {
	// Req is the decoded request.
	Req *Req
	// Reply is the reply, zero when the handler is called; Done encodes
	// it.
	Reply *Rep

	base     *Base
	name     string
	http     *evhttp.Request
	handler  func(*Request[Req, Rep])
	hc       HookContext
	done     bool
	onCancel func(error)

	// req and rep are what Req and Reply point to: one allocation per
	// call holds the Request and both messages.
	req Req
	rep Rep
}

// RPC returns the RPC's name.
func (r *Request[Req, Rep]) RPC() string { return r.name }

// HTTP returns the HTTP request the RPC came in (libevent's
// EVRPC_REQUEST_HTTP), valid until Done, for its headers or peer address.
// Replying through it directly bypasses the RPC's output hooks.
func (r *Request[Req, Rep]) HTTP() *evhttp.Request { return r.http }

// Base returns the event loop the Request belongs to.
func (r *Request[Req, Rep]) Base() *core.Base { return r.http.Base() }

// FindMeta returns meta data the call's input hooks attached under key.
func (r *Request[Req, Rep]) FindMeta(key string) ([]byte, bool) { return r.hc.FindMeta(key) }

// OnCancel sets fn to run if the connection ends (the client goes away, a
// server timeout, Shutdown) before the reply is sent; err says why. After
// fn, Done fails with ErrDone. A handler that answers later should set it,
// to stop work whose result nobody will read. Loop goroutine only.
func (r *Request[Req, Rep]) OnCancel(fn func(err error)) { r.onCancel = fn }

// Done sends the reply (libevent's EVRPC_REQUEST_DONE): it encodes Reply,
// runs the Base's output hooks on it and answers 200 with Content-Type
// application/octet-stream unless a hook set one. A Reply that cannot be
// encoded (a required field missing) is answered 503, as libevent does,
// and the error is returned. Done fails with ErrDone when called twice or
// after the client went away. Loop goroutine only.
func (r *Request[Req, Rep]) Done() error {
	if r.done || r.hc.dead {
		return ErrDone
	}
	r.done = true
	out := r.http.OutputBuffer()
	if err := r.base.codec.MarshalBuffer(out, r.Reply); err != nil {
		r.hc.end()
		sendUnavailable(r.http)
		return fmt.Errorf("evrpc: %s: encoding reply: %w", r.name, err)
	}
	r.hc.runHooks(Output, r.base.hooks.list(Output), out, r.http.OutputHeaders(), r)
	return nil
}

// serve runs one RPC request through libevent's server steps: method and
// body checks, input hooks, decoding, the handler.
func serve[Req, Rep any](b *Base, name string, h func(*Request[Req, Rep]), hr *evhttp.Request) {
	if hr.Method() != "POST" || hr.InputBuffer().Len() == 0 {
		sendUnavailable(hr)
		return
	}
	r := &Request[Req, Rep]{base: b, name: name, http: hr, handler: h}
	r.hc.rpc, r.hc.sreq = name, hr
	r.hc.runHooks(Input, b.hooks.list(Input), hr.InputBuffer(), hr.InputHeaders(), r)
	if !r.hc.dead {
		// The call outlives this callback (a paused hook, a handler that
		// answers later): the connection may end before it is answered.
		// A call answered within the callback needs no such watch, and
		// saves its closure.
		hr.CancelOnClose(r.cancel)
	}
}

// hooksDone continues the call once its hooks are done: after the input
// hooks the request is decoded and handled, after the output hooks the
// reply is sent.
func (r *Request[Req, Rep]) hooksDone(t HookType, res HookResult) {
	if t == Output {
		r.hc.end()
		if res != Continue {
			sendUnavailable(r.http)
			return
		}
		h := r.http.OutputHeaders()
		if !h.Has("Content-Type") {
			h.Set("Content-Type", "application/octet-stream")
		}
		r.http.SendReply(evhttp.StatusOK, "OK", nil)
		return
	}
	if res != Continue {
		r.hc.end()
		sendUnavailable(r.http)
		return
	}
	if err := r.base.codec.UnmarshalBuffer(r.http.InputBuffer(), &r.req); err != nil {
		r.hc.end()
		sendUnavailable(r.http)
		return
	}
	r.Req, r.Reply = &r.req, &r.rep
	r.handler(r)
}

// cancel is the HTTP request's cancel callback: the connection ended
// before the reply was sent.
func (r *Request[Req, Rep]) cancel(_ *evhttp.Request, err error) {
	r.hc.end()
	if r.onCancel != nil {
		r.onCancel(err)
	}
}

// unavailablePage is the body of the 503 reply, the page libevent 2.1
// sends for every RPC failure.
const unavailablePage = "<HTML><HEAD>\n<TITLE>503 Service Unavailable</TITLE>\n</HEAD><BODY>\n" +
	"<H1>Service Unavailable</H1>\n</BODY></HTML>\n"

// sendUnavailable answers a failed RPC as libevent's evrpc does: 503 and
// the connection closed.
func sendUnavailable(hr *evhttp.Request) {
	h := hr.OutputHeaders()
	h.Reset()
	hr.OutputBuffer().Reset()
	h.Set("Content-Type", "text/html")
	h.Set("Connection", "close")
	hr.OutputBuffer().AddString(unavailablePage)
	hr.SendReply(evhttp.StatusServiceUnavailable, "", nil)
}
