package proxy

import (
	"errors"
	"strconv"
	"strings"

	"github.com/goevent/goevent/evbuffer"
	"github.com/goevent/goevent/evhttp"
)

// replyHighWater is how many reply bytes may wait in the client
// connection's output before the upstream response stops being read
// until they are written.
const replyHighWater = 256 << 10

// statusClientClosed is logged for a request whose client went away
// before the reply started (nginx's 499; never sent).
const statusClientClosed = 499

// exchange is one proxied request: the client's Request, the upstream
// ClientRequest, and the state of the streams between them. It lives on
// the request's loop goroutine.
type exchange struct {
	p       *Proxy
	rt      *Route
	r       *evhttp.Request // not touched once over
	cr      *evhttp.ClientRequest
	done    func(Result)
	unix    *unixPool // the unix-socket pool the connection returns to
	upgrade string    // protocol the client asks to upgrade to

	res         Result
	started     bool // the reply head went to the client
	over        bool // done ran: r is no longer ours
	discardBody bool // the upstream stopped taking the request body
}

// Serve forwards r to rt's upstream and streams the reply back; done
// runs once, on r's loop goroutine, when the exchange ends. Call it from
// the handler of a route with RouteOptions.StreamBody, as the first thing
// that uses r's body.
func (p *Proxy) Serve(r *evhttp.Request, rt *Route, done func(Result)) {
	x := &exchange{p: p, rt: rt, r: r, done: done}
	in := r.InputHeaders()
	x.upgrade = upgradeOf(in)
	x.cr = evhttp.NewClientRequest(r.Method(), originForm(r))
	fw := Forwarded{Proto: "http", Host: in.Get("Host")}
	if p.cfg.HTTPS {
		fw.Proto = "https"
	}
	if a := r.RemoteAddr(); a.IsValid() {
		fw.For = a.Addr().Unmap().String()
	}
	requestHeader(x.cr.Header(), in, fw, x.upgrade)
	if n, ok := bodyLength(in); ok {
		x.cr.StreamBody(n)
		r.SetBodyHandler(x.onBody, x.onBodyEnd)
	}
	x.cr.OnHeaders(x.onHeaders)
	x.cr.OnChunk(x.onChunk)
	x.cr.OnComplete(x.onComplete)
	x.cr.OnError(x.onError)
	r.CancelOnClose(x.onClientGone)
	up, err := p.makeRequest(r.Base(), rt, x.cr)
	x.unix = up
	if err != nil {
		x.upstreamFailed(err)
	}
}

// originForm returns the target to send upstream: the client's, with an
// absolute-form target reduced to its path and query.
func originForm(r *evhttp.Request) string {
	t := r.Target()
	if strings.HasPrefix(t, "/") {
		return t
	}
	if i := strings.Index(t, "://"); i >= 0 {
		rest := t[i+3:]
		if j := strings.IndexAny(rest, "/?"); j >= 0 {
			if rest[j] == '?' {
				return "/" + rest[j:]
			}
			return rest[j:]
		}
	}
	return "/"
}

// bodyLength says whether a request has a body and its length (-1:
// chunked), from the framing fields the server already validated.
func bodyLength(h *evhttp.Header) (int64, bool) {
	if h.Has("Transfer-Encoding") {
		return -1, true
	}
	if v := h.Get("Content-Length"); v != "" {
		n, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
		if err == nil && n > 0 {
			return n, true
		}
	}
	return 0, false
}

// onBody passes the request body bytes that arrived to the upstream and
// stops reading the client until they are written (backpressure).
func (x *exchange) onBody(r *evhttp.Request) {
	in := r.InputBuffer()
	if x.over || x.discardBody {
		in.Drain(in.Len())
		return
	}
	if in.Len() == 0 {
		return // nothing to send, and so no drained callback to wait for
	}
	if err := x.cr.SendBodyChunk(in, x.bodyDrained); err != nil {
		// The upstream answered (or failed) before taking the whole body.
		x.discardBody = true
		in.Drain(in.Len())
		return
	}
	r.PauseBody()
}

// bodyDrained runs when the upstream connection wrote out the body sent
// so far: the client may send more.
func (x *exchange) bodyDrained() {
	if !x.over {
		x.r.ResumeBody()
	}
}

// onBodyEnd ends the upstream body, or the exchange when the client's
// body broke a limit or the protocol (the server answers that itself).
func (x *exchange) onBodyEnd(r *evhttp.Request, err error) {
	if x.over || x.discardBody {
		return
	}
	if err == nil {
		if e := x.cr.EndBody(); e != nil {
			x.discardBody = true
		}
		return
	}
	code := evhttp.StatusBadRequest
	switch {
	case errors.Is(err, evhttp.ErrBodyTooLarge):
		code = evhttp.StatusContentTooLarge
	case errors.Is(err, evhttp.ErrTimeout):
		code = evhttp.StatusRequestTimeout
	}
	if x.started {
		code = x.res.Code
	}
	x.res.Code = code
	x.end(nil)
	x.cr.Cancel()
}

// onHeaders starts the reply with the upstream's status and end-to-end
// fields, or takes both connections over for an upgrade.
func (x *exchange) onHeaders(cr *evhttp.ClientRequest) {
	if x.over {
		return
	}
	code := cr.StatusCode()
	if code == evhttp.StatusSwitchingProtocols {
		x.switchProtocols(cr)
		return
	}
	responseHeader(x.r.OutputHeaders(), cr.ResponseHeader(), false)
	if err := x.r.SendReplyStart(code, cr.Reason()); err != nil {
		x.p.cfg.Logger.Warn("proxy: reply", "route", x.rt.Prefix, "err", err)
		x.res.Code = evhttp.StatusBadGateway
		x.r.Abort()
		x.end(err)
		cr.Cancel()
		return
	}
	x.started = true
	x.res.Code = code
}

// onChunk passes response body bytes to the client; past
// replyHighWater bytes queued, reading the upstream pauses until the
// client connection drained them.
func (x *exchange) onChunk(cr *evhttp.ClientRequest, b *evbuffer.Buffer) {
	if x.over {
		return
	}
	n := b.Len()
	var drained func(*evhttp.Request)
	if x.r.Connection().BufferEvent().Output().Len()+n >= replyHighWater {
		drained = x.replyDrained
	}
	if err := x.r.SendReplyChunk(b, drained); err != nil {
		x.p.cfg.Logger.Warn("proxy: reply", "route", x.rt.Prefix, "err", err)
		x.r.Abort()
		x.end(err)
		cr.Cancel()
		return
	}
	x.res.Bytes += int64(n)
	if drained != nil {
		cr.PauseBody()
	}
}

// replyDrained resumes reading the upstream response.
func (x *exchange) replyDrained(*evhttp.Request) {
	if !x.over {
		x.cr.ResumeBody()
	}
}

// onComplete ends the reply.
func (x *exchange) onComplete(cr *evhttp.ClientRequest) {
	if x.over {
		return
	}
	x.r.SendReplyEnd()
	x.end(nil)
	x.unix.release(cr.Connection())
}

// onError answers an upstream failure: 502, or 504 for a timeout, when
// no reply started; a cut connection otherwise.
func (x *exchange) onError(cr *evhttp.ClientRequest, err error) {
	if x.over {
		x.unix.release(cr.Connection())
		return
	}
	x.unix.release(cr.Connection())
	x.upstreamFailed(err)
}

// upstreamFailed ends the exchange after an upstream failure.
func (x *exchange) upstreamFailed(err error) {
	x.p.errors.Add(1)
	x.p.cfg.Logger.Warn("proxy: upstream failed", "route", x.rt.Prefix, "upstream", x.rt.Upstream(),
		"method", x.r.Method(), "target", x.r.Target(), "started", x.started, "err", err)
	if x.started {
		x.r.Abort()
		x.end(err)
		return
	}
	code := evhttp.StatusBadGateway
	if errors.Is(err, evhttp.ErrTimeout) {
		code = evhttp.StatusGatewayTimeout
	}
	x.res.Code = code
	x.r.SendError(code, "")
	x.end(err)
}

// onClientGone cancels the upstream request of a client that went away.
func (x *exchange) onClientGone(_ *evhttp.Request, _ error) {
	if x.over {
		return
	}
	if !x.started {
		x.res.Code = statusClientClosed
	}
	x.end(nil)
	x.cr.Cancel()
}

// end finishes the exchange once: r is not used afterwards.
func (x *exchange) end(err error) {
	if x.over {
		return
	}
	x.over = true
	x.res.Err = err
	x.r = nil
	if x.done != nil {
		x.done(x.res)
	}
}
