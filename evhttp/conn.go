package evhttp

import (
	"errors"
	"fmt"
	"net/netip"
	"strings"
	"time"

	"github.com/goevent/goevent/bufferevent"
)

// conn is the server side of one connection: a state machine driven by its
// BufferEvent's callbacks. It parses one request at a time from the input;
// while a request's reply is pending it parses nothing more, so pipelined
// requests are answered strictly in order, and a reply made synchronously
// by the handler lets the next pipelined request be parsed in the same
// pass.
type conn struct {
	next, prev *conn // ring of the loop's connections
	ls         *loopState
	srv        *Server
	bs         *BoundSocket
	bev        *bufferevent.BufferEvent
	lbev       *bufferevent.BufferEvent // bev after close(), while it flushes
	peer       netip.AddrPort
	req        *Request // the request being read or answered; nil when idle
	// mark is a loop time (ns): the current request's first byte while its
	// head is read, or when a lingering close gives up.
	mark int64

	inProcess bool // process is on the stack
	again     bool // something asked process to run again
	eof       bool // the client closed its side
	closing   bool // closing after the output drains
	linger    bool // closing: read and discard after shutdown(SHUT_WR)
	lingering bool // the shutdown has been done
	upgraded  bool // a 101 was sent: wait for Hijack, parse nothing more
	waitWrite bool // too much output queued: parse nothing more until it drains
}

// Bounds of a connection's buffering.
const (
	outputHighWater = 1 << 20         // stop parsing pipelined requests above this much queued output
	lingerTimeout   = 2 * time.Second // how long a lingering close waits for more to discard
	lingerTotal     = 2 * time.Second // how long a lingering close discards at most (a client still sending gets no longer)
)

var errConnClosed = errors.New("evhttp: connection closed by client")

// newConn starts serving fd on ls's loop (loop goroutine).
func (s *Server) newConn(ls *loopState, bs *BoundSocket, fd int, peer netip.AddrPort) {
	if s.shutdown.Load() || ls.draining {
		closeFD(fd)
		return
	}
	if max := s.cfg.MaxConnections; max > 0 && s.nconns.Load() >= int64(max) {
		refuseFD(fd)
		return
	}
	var bev *bufferevent.BufferEvent
	var err error
	fn := bs.bevcb.Load()
	if fn == nil {
		fn = s.bevcb.Load()
	}
	if fn != nil {
		bev, err = (*fn)(ls.base, fd)
	} else {
		bev, err = bufferevent.NewSocket(ls.base, fd, bufferevent.CloseOnFree)
		if err != nil {
			closeFD(fd)
		}
	}
	if err != nil || bev == nil {
		return
	}
	c := &conn{ls: ls, srv: s, bs: bs, bev: bev, peer: netip.AddrPortFrom(peer.Addr().Unmap(), peer.Port())}
	c.prev, c.next = ls.conns.prev, &ls.conns
	ls.conns.prev.next = c
	ls.conns.prev = c
	ls.n++
	s.nconns.Add(1)
	bev.SetHandler(c)
	ls.startSweep()
	c.setTimeouts(s.cfg.IdleTimeout, s.cfg.WriteTimeout)
	bev.Enable(bufferevent.Read | bufferevent.Write)
}

// OnRead, OnWrite and OnEvent make conn the bufferevent.Handler of its
// BufferEvent, so a connection costs no closure per callback.
func (c *conn) OnRead(*bufferevent.BufferEvent) {
	if c.closing {
		c.discard()
		return
	}
	c.process()
}

func (c *conn) OnWrite(*bufferevent.BufferEvent) {
	if c.closing {
		if c.bev.Output().Len() == 0 {
			c.startLinger()
		}
		return
	}
	if r := c.req; r != nil && r.drained != nil && r.reply == replyStarted {
		fn := r.drained
		r.drained = nil
		fn(r)
	}
	if c.waitWrite && c.bev != nil {
		c.waitWrite = false
		c.process()
	}
}

func (c *conn) OnEvent(_ *bufferevent.BufferEvent, what bufferevent.What, err error) {
	if what&bufferevent.Connected != 0 {
		return // a TLS handshake finished (ssl's BufferEvents report it)
	}
	if c.closing {
		c.free()
		return
	}
	switch {
	case what&bufferevent.Timeout != 0 && what&bufferevent.Reading != 0:
		r := c.req
		if r == nil {
			c.close() // idle keep-alive connection
			return
		}
		if !r.handled || !r.bodyDone {
			c.fail(StatusRequestTimeout, ErrTimeout)
			return
		}
		c.abort(ErrTimeout)
	case what&bufferevent.Timeout != 0:
		c.abort(fmt.Errorf("%w: writing", ErrTimeout))
	case what&bufferevent.EOF != 0:
		// The client half-closed: answer the complete requests it sent,
		// then close once the output is written (the last reply may
		// still be queued, even on an idle connection); adjust closes at
		// once if a request was cut short.
		c.eof = true
		c.process()
	default:
		if err == nil {
			err = errConnClosed
		}
		c.abort(err)
	}
}

// schedule asks for process to run: now, or again after the running pass.
func (c *conn) schedule() {
	if c.inProcess {
		c.again = true
		return
	}
	c.process()
}

// process drives the state machine as far as the buffered input allows,
// then adjusts reading and timeouts to the state it stopped in.
func (c *conn) process() {
	if c.inProcess {
		c.again = true
		return
	}
	c.inProcess = true
	for {
		c.again = false
		c.step()
		if !c.again || c.bev == nil || c.closing {
			break
		}
	}
	c.inProcess = false
	if c.bev != nil && !c.closing {
		c.adjust()
	}
}

// step runs the state machine until it waits for input, a reply or output.
func (c *conn) step() {
	for c.bev != nil && !c.closing {
		in := c.bev.Input()
		r := c.req
		if r == nil {
			if c.upgraded {
				c.close() // a 101 without a Hijack
				return
			}
			if in.Len() == 0 {
				if c.eof {
					c.close()
					return
				}
				return
			}
			if c.ls.draining {
				c.close()
				return
			}
			if c.bev.Output().Len() > outputHighWater {
				c.waitWrite = true
				return
			}
			r = c.ls.getRequest()
			r.c = c
			r.p.maxRequestLine = c.srv.cfg.MaxRequestLine
			r.p.maxHeaderBytes = c.srv.cfg.MaxHeaderBytes
			r.p.maxHeaders = c.srv.cfg.MaxHeaders
			r.chunked.maxTrailerBytes = c.srv.cfg.MaxHeaderBytes
			r.chunked.maxTrailers = c.srv.cfg.MaxHeaders
			c.req = r
			c.mark = 0 // set on the first NeedMore: most heads arrive whole
		}
		if r.reply == replyDone {
			c.finish(r)
			continue
		}
		if r.p.state != stateDone {
			st, err := r.p.parse(in)
			switch st {
			case NeedMore:
				if c.mark == 0 {
					// The loop's time is cached per pass, so this is the
					// time the request's first bytes were read.
					c.mark = c.ls.base.Now().UnixNano()
				}
				if d := c.srv.cfg.HeaderTimeout; d > 0 && c.ls.base.Now().UnixNano()-c.mark >= int64(d) {
					c.fail(StatusRequestTimeout, fmt.Errorf("%w: header section", ErrTimeout))
				}
				return
			case Corrupt, TooLong:
				c.fail(parseErrorStatus(st, err), err)
				return
			}
			if !c.startRequest(r, err) {
				continue
			}
		}
		if !r.bodyDone {
			if !c.readBody(r) || c.bev == nil || c.closing || c.req != r {
				return
			}
			continue
		}
		if !r.handled {
			r.handled = true
			r.route.h(r)
			continue
		}
		if fn := r.onBodyEnd; fn != nil {
			// A streamed body that was complete (or empty) before its
			// handler set the callbacks.
			r.onBodyEnd = nil
			fn(r, nil)
			continue
		}
		return // the handler answers later
	}
}

// startRequest routes a request whose head is parsed and checks what can
// be checked before its body. It returns false when it answered the
// request itself (an error reply).
func (c *conn) startRequest(r *Request, perr error) bool {
	root := c.srv
	t := root.routes.Load()
	srv := root
	if len(t.vhosts) > 0 || len(t.aliases) > 0 {
		srv = root.hostServer(strings.ToLower(r.Host()))
		t = srv.routes.Load()
	}
	r.srv = srv
	r.path = routePath(r)
	r.keepAlive = requestKeepAlive(r)
	fr := r.p.framing
	if fr.kind == framingNone {
		r.bodyDone = true
	}
	rt, found := t.lookup(r.path)
	switch {
	case perr != nil && !(errors.Is(perr, ErrMissingHost) && found && rt.opts.AllowMissingHost):
		c.replyError(r, StatusBadRequest, perr)
		return false
	case !t.allows(r.p.method):
		code := StatusNotImplemented
		for _, m := range knownMethods {
			if m == r.p.method {
				code = StatusMethodNotAllowed
				r.outHeaders.Set("Allow", strings.Join(t.allowed, ", "))
			}
		}
		c.replyError(r, code, nil)
		return false
	case !found:
		c.replyError(r, StatusNotFound, nil)
		return false
	}
	r.route = rt
	limit := c.srv.cfg.MaxBodySize
	if m := rt.opts.MaxBodySize; m > 0 {
		limit = m
	} else if m < 0 {
		limit = maxContentLength
	}
	r.bodyLimit = limit
	if fr.kind == framingLength && fr.length > limit {
		c.replyError(r, StatusContentTooLarge, ErrBodyTooLarge)
		return false
	}
	if r.p.minor >= 1 && r.p.header.Has("Expect") {
		if !strings.EqualFold(r.p.header.Get("Expect"), "100-continue") || r.p.header.count("Expect") > 1 {
			c.replyError(r, StatusExpectationFailed, nil)
			return false
		}
		r.expect100 = !r.bodyDone
	}
	if rt.opts.StreamBody {
		r.handled = true
		rt.h(r)
	}
	return true
}

// readBody moves body bytes from the connection's input to the request's
// InputBuffer and, for a streamed body, hands them to the handler. It
// returns false when it must wait (for input, or for the handler).
func (c *conn) readBody(r *Request) bool {
	in := c.bev.Input()
	stream := r.handled
	if stream && (r.onBody == nil || r.paused || r.in.Len() >= c.srv.cfg.StreamBufferSize) {
		return false
	}
	if r.expect100 {
		r.expect100 = false
		if in.Len() == 0 && r.reply == replyNone {
			c.bev.Output().AddString("HTTP/1.1 100 Continue\r\n\r\n")
		}
	}
	before := r.in.Len()
	switch r.p.framing.kind {
	case framingLength:
		n := r.p.framing.length - r.bodyRead
		if avail := int64(in.Len()); avail < n {
			n = avail
		}
		if stream {
			if room := int64(c.srv.cfg.StreamBufferSize - r.in.Len()); room < n {
				n = room
			}
		}
		if n > 0 {
			moved, err := in.RemoveBuffer(&r.in, int(n))
			if err != nil {
				c.fail(StatusInternalServerError, fmt.Errorf("%w: %w", ErrBuffer, err))
				return false
			}
			r.bodyRead += int64(moved)
		}
		if r.bodyRead == r.p.framing.length {
			r.bodyDone = true
		}
	case framingChunked:
		limit := r.bodyLimit
		if limit > maxContentLength {
			limit = maxContentLength
		}
		st, err := r.chunked.decode(in, &r.in, int(limit))
		switch st {
		case AllRead:
			r.bodyDone = true
		case Corrupt, TooLong:
			c.bodyFailed(r, parseErrorStatus(st, err), err)
			return false
		}
	default:
		r.bodyDone = true
	}
	if !stream {
		return r.bodyDone
	}
	if r.in.Len() > before && r.onBody != nil {
		r.onBody(r)
		if c.bev == nil || c.req != r {
			return false
		}
	}
	if r.bodyDone {
		if fn := r.onBodyEnd; fn != nil {
			r.onBodyEnd = nil
			fn(r, nil)
		}
		return true
	}
	return false
}

// bodyFailed ends a request whose body broke the protocol or a limit.
func (c *conn) bodyFailed(r *Request, code int, err error) {
	if fn := r.onBodyEnd; fn != nil && r.handled {
		r.onBodyEnd = nil
		fn(r, err)
		if c.bev == nil || c.req != r {
			return
		}
	}
	if r.reply != replyNone {
		c.abort(err)
		return
	}
	c.fail(code, err)
}

// finish ends a request whose reply is complete and starts on the next.
func (c *conn) finish(r *Request) {
	keep := r.keepAlive && r.bodyDone && !c.ls.draining
	c.req = nil
	c.ls.putRequest(r)
	if !keep {
		c.closeAfterReply()
	}
}

// fail answers the current request (or a request never parsed) with an
// error status and closes the connection after it. A handler that was
// waiting to answer is told with its cancel callback and loses the
// Request; the error reply goes out on a fresh one.
func (c *conn) fail(code int, err error) {
	r := c.req
	if r != nil && r.handled {
		if r.reply != replyNone {
			c.abort(err)
			return
		}
		c.cancel(r, err)
		if c.bev == nil || c.req != r {
			return
		}
		r.c = nil
		r = nil
	}
	if r == nil {
		r = c.ls.getRequest()
		r.c = c
		c.req = r
	}
	r.keepAlive = false
	c.replyError(r, code, err)
}

// replyError sends the server's own error reply to r.
func (c *conn) replyError(r *Request, code int, err error) {
	r.handled = true
	if code == StatusInternalServerError || code == StatusHTTPVersionNotSupported || code == StatusBadRequest || code == StatusRequestTimeout || code == StatusContentTooLarge ||
		code == StatusURITooLong || code == StatusRequestHeaderFieldsTooLarge || code == StatusExpectationFailed {
		r.keepAlive = false
	}
	r.sendError(code, "", err)
}

// cancel tells a handler that its request will get no reply.
func (c *conn) cancel(r *Request, err error) {
	if r.reply == replyDone || r.reply == replyHijacked || r.reply == replyCanceled {
		return
	}
	r.reply = replyCanceled
	if fn := r.onBodyEnd; fn != nil && !r.bodyDone {
		r.onBodyEnd = nil
		fn(r, err)
	}
	if fn := r.onCancel; fn != nil {
		r.onCancel = nil
		fn(r, err)
	}
}

// closeAfterReply closes the connection once the output is written. When
// unread bytes may still come from the client (a body not read, pipelined
// requests), it lingers: after the output it shuts down the write side and
// reads and discards for a while, so that closing does not reset the
// connection before the client has read the reply.
func (c *conn) closeAfterReply() {
	if c.bev == nil || c.closing {
		return
	}
	if c.eof || c.bev.FD() < 0 || c.bev.Underlying() != nil {
		c.close()
		return
	}
	c.closing, c.linger = true, true
	c.setTimeouts(0, c.srv.cfg.WriteTimeout)
	c.bev.Disable(bufferevent.Read)
	c.bev.Input().Drain(c.bev.Input().Len())
	if c.bev.Output().Len() == 0 {
		c.startLinger()
	}
}

// startLinger shuts down the write side once the reply is out.
func (c *conn) startLinger() {
	if c.lingering || c.bev == nil {
		return
	}
	c.lingering = true
	if err := shutdownWrite(c.bev.FD()); err != nil {
		c.free()
		return
	}
	c.mark = c.ls.base.Now().Add(lingerTotal).UnixNano()
	c.bev.SetTimeouts(lingerTimeout, 0)
	c.bev.Enable(bufferevent.Read)
}

// discard drops what a lingering connection reads. The bound is time, not
// bytes: when the reply goes out the kernel may already hold megabytes of
// an upload, and a client reacts to the reply only after it has read it, so
// a byte cap would reset the connection before then.
func (c *conn) discard() {
	in := c.bev.Input()
	in.Drain(in.Len())
	if c.ls.base.Now().UnixNano() > c.mark {
		c.free()
	}
}

// close closes the connection after its output is written (Shutdown, idle
// timeout, a reply that ends the connection).
func (c *conn) close() { c.closeWith(nil) }

// closeWith is close telling a handler waiting to answer why (err nil:
// ErrServerClosed).
// The connection stays on the loop's ring (and counted) until the output
// is flushed, so Shutdown's channel does not close while replies are still
// leaving, and a Shutdown grace that runs out cuts the flush too.
func (c *conn) closeWith(err error) {
	if c.bev == nil {
		return
	}
	bev := c.bev
	c.detach(err)
	c.lbev = bev
	if bev.Close(c.srv.cfg.WriteTimeout, c.flushed) != nil {
		c.flushed(0, nil)
	}
}

// flushed is bufferevent.Close's done callback for a closing connection.
func (c *conn) flushed(int, error) {
	if c.lbev != nil {
		c.lbev = nil
		c.unlink()
	}
}

// abort closes the connection at once, telling a handler waiting to answer;
// a connection still flushing after close() is cut.
func (c *conn) abort(err error) {
	if c.bev == nil {
		if bev := c.lbev; bev != nil {
			c.lbev = nil
			bev.Free()
			c.unlink()
		}
		return
	}
	bev := c.bev
	c.detach(err)
	bev.Free()
	c.unlink()
}

// free releases a closing connection.
func (c *conn) free() { c.abort(nil) }

// detach takes the BufferEvent from the connection; the caller ends bev
// and then unlinks the connection (at once, or once bev is flushed).
func (c *conn) detach(err error) {
	c.bev.SetCallbacks(nil, nil, nil)
	c.bev = nil
	c.closing = true
	if r := c.req; r != nil {
		c.req = nil
		switch {
		case !r.handled:
			c.ls.putRequest(r)
		case r.reply == replyNone || r.reply == replyStarted:
			if err == nil {
				err = ErrServerClosed
			}
			c.cancel(r, err)
			r.c = nil
		default:
			r.c = nil
		}
	}
}

// unlink takes the connection off its loop's ring and out of the counts;
// Shutdown's wait ends with the last one.
func (c *conn) unlink() {
	c.prev.next = c.next
	c.next.prev = c.prev
	c.next, c.prev = nil, nil
	ls := c.ls
	ls.n--
	c.srv.nconns.Add(-1)
	if ls.n == 0 && ls.onEmpty != nil {
		fn := ls.onEmpty
		ls.onEmpty = nil
		fn()
	}
}

// adjust sets reading and the read timeout to fit the state process
// stopped in.
func (c *conn) adjust() {
	cfg := &c.srv.cfg
	in := c.bev.Input()
	want := !c.eof && !c.upgraded
	var rto time.Duration
	needInput := false // the request cannot go on without more bytes
	switch r := c.req; {
	case r == nil:
		rto = cfg.IdleTimeout
		if c.waitWrite {
			want = want && in.Len() < cfg.MaxHeaderBytes
		}
	case r.p.state != stateDone:
		rto = c.headerTimeoutLeft()
		needInput = true
	case !r.bodyDone && (!r.handled || r.onBody != nil && !r.paused && r.in.Len() < cfg.StreamBufferSize):
		rto = cfg.BodyTimeout
		needInput = true
	case !r.bodyDone:
		want = want && in.Len() < cfg.StreamBufferSize
	default: // waiting for the reply; read only to notice the client leave
		want = want && in.Len() < cfg.MaxHeaderBytes
	}
	if needInput && c.eof {
		// Cut short by the client's half-close: nobody waits for a reply
		// to it, but earlier replies still go out.
		c.closeWith(fmt.Errorf("%w: %w", errConnClosed, ErrIncomplete))
		return
	}
	c.setTimeouts(rto, cfg.WriteTimeout)
	if on := c.bev.Enabled()&bufferevent.Read != 0; on != want {
		if want {
			c.bev.Enable(bufferevent.Read)
		} else {
			c.bev.Disable(bufferevent.Read)
		}
	}
}

// headerTimeoutLeft returns the read timeout that ends the header section's
// time: what is left of HeaderTimeout since the request's first byte,
// rounded up to an eighth of it so that a trickling client costs at most
// eight timeout changes (the bound is kept to within that eighth).
func (c *conn) headerTimeoutLeft() time.Duration {
	d := c.srv.cfg.HeaderTimeout
	if d <= 0 {
		return 0
	}
	left := time.Duration(int64(d) - (c.ls.base.Now().UnixNano() - c.mark))
	g := (d/8 + time.Millisecond - 1) / time.Millisecond * time.Millisecond // BufferEvents keep whole ms
	if g >= d {
		return d
	}
	if left <= 0 {
		return g
	}
	return (left + g - 1) / g * g
}

// setTimeouts sets the BufferEvent's timeouts when they change (they are
// whole milliseconds on both sides: see Config.withDefaults).
func (c *conn) setTimeouts(rto, wto time.Duration) {
	if r, w := c.bev.Timeouts(); r == rto && w == wto {
		return
	}
	c.bev.SetTimeouts(rto, wto)
}

// parseErrorStatus maps a failed parse step to the status that answers it.
func parseErrorStatus(st ParseStatus, err error) int {
	switch {
	case errors.Is(err, ErrRequestLineTooLong):
		return StatusURITooLong
	case errors.Is(err, ErrHeaderTooLarge), errors.Is(err, ErrTooManyHeaders):
		return StatusRequestHeaderFieldsTooLarge
	case errors.Is(err, ErrBodyTooLarge):
		return StatusContentTooLarge
	case errors.Is(err, ErrUnsupportedVersion):
		return StatusHTTPVersionNotSupported
	case errors.Is(err, ErrUnsupportedTransferCoding):
		return StatusNotImplemented
	case st == TooLong:
		return StatusRequestHeaderFieldsTooLarge
	}
	return StatusBadRequest
}

// requestKeepAlive applies RFC 9112 §9.3: HTTP/1.1 persists unless
// "Connection: close"; HTTP/1.0 only with "Connection: keep-alive".
func requestKeepAlive(r *Request) bool {
	h := &r.p.header
	if r.p.minor >= 1 {
		return !h.hasToken("Connection", "close")
	}
	return h.hasToken("Connection", "keep-alive") && !h.hasToken("Connection", "close")
}

// routePath returns the percent-decoded path of r's target.
func routePath(r *Request) string {
	t := r.p.target
	switch r.p.form {
	case formAuthority:
		return ""
	case formAsterisk:
		return "*"
	case formAbsolute:
		i := strings.Index(t, "://")
		t = t[i+3:]
		j := strings.IndexByte(t, '/')
		if j < 0 {
			return "/"
		}
		t = t[j:]
	}
	if i := strings.IndexAny(t, "?#"); i >= 0 {
		t = t[:i]
	}
	return DecodePath(t)
}
