package evhttp

import (
	"errors"
	"fmt"
	"net/netip"
	"strconv"
	"time"

	"github.com/goevent/goevent/bufferevent"
	"github.com/goevent/goevent/core"
	"github.com/goevent/goevent/internal/netutil"
	"github.com/goevent/goevent/ssl"
	"golang.org/x/sys/unix"
)

// connState is where a Connection is: libevent's evhttp_connection_state,
// reduced to what a client with pipelining needs (reading and writing may
// overlap, so they are per request, not per connection).
type connState int

const (
	connDisconnected connState = iota // no connection
	connResolving                     // looking the host up
	connConnecting                    // TCP connect (and TLS handshake) in progress
	connIdle                          // connected, no request in flight
	connBusy                          // connected, requests in flight
	connWaitRetry                     // waiting before the next connect attempt
)

var connStateNames = [...]string{
	connDisconnected: "Disconnected",
	connResolving:    "Resolving",
	connConnecting:   "Connecting",
	connIdle:         "Idle",
	connBusy:         "Busy",
	connWaitRetry:    "WaitRetry",
}

func (s connState) String() string {
	if s >= 0 && int(s) < len(connStateNames) {
		return connStateNames[s]
	}
	return "connState(" + strconv.Itoa(int(s)) + ")"
}

// clientConnPhase is where the response of the head request is.
type clientConnPhase int

const (
	phaseHead clientConnPhase = iota
	phaseBody
)

// setState is the one place a Connection changes state.
func (c *Connection) setState(s connState) {
	c.state = s
}

// MakeRequest queues req on the Connection (libevent's
// evhttp_make_request), connecting if needed. Requests are sent in the
// order made; each ends with exactly one of its complete or error
// callbacks, never from inside MakeRequest. It fails with ErrRequestUsed
// for a request made before, ErrConnectionClosed after Close, and
// ErrRequestField or ErrBodyStream for a request that cannot be sent.
// Loop goroutine only.
func (c *Connection) MakeRequest(req *ClientRequest) error {
	if c.closed {
		return ErrConnectionClosed
	}
	if req.state != reqNew || req.conn != nil {
		return ErrRequestUsed
	}
	if err := req.validate(); err != nil {
		return err
	}
	req.prepare(c.hostHeader())
	req.conn = c
	req.state = reqQueued
	c.queue = append(c.queue, req)
	c.dispatch()
	return nil
}

// hostHeader is the Host field value for requests of c.
func (c *Connection) hostHeader() string {
	if c.unixPath != "" {
		return "localhost"
	}
	h := c.host
	if a, err := netip.ParseAddr(h); err == nil && a.Is6() {
		h = "[" + h + "]"
	}
	def := 80
	if c.tlsConfig != nil {
		def = 443
	}
	if c.port != def {
		h += ":" + strconv.Itoa(c.port)
	}
	return h
}

// dispatch moves the Connection forward after any change: connect when
// requests wait and there is no connection, write what may be written.
func (c *Connection) dispatch() {
	if c.closed {
		return
	}
	switch c.state {
	case connDisconnected:
		if len(c.queue) > 0 {
			c.connect()
		}
	case connIdle, connBusy:
		c.writeNext()
	}
}

// writeNext writes the queued requests that may go now: the next one
// when the connection is idle, or, with pipelining, every one whose
// predecessor is fully written (none after an upgrade or CONNECT, whose
// answer ends HTTP on the connection).
func (c *Connection) writeNext() {
	for c.bev != nil && !c.noReuse && c.sent < len(c.queue) {
		if c.sent > 0 {
			prev := c.queue[c.sent-1]
			if !c.pipelining || prev.state == reqWriting || prev.upgrade || prev.method == "CONNECT" {
				break
			}
		}
		r := c.queue[c.sent]
		c.sent++
		out := c.bev.Output()
		r.writeHead(out)
		r.state = reqWriting
		c.setState(connBusy)
		if r.expectContinue() {
			// Hold the body back until 100 Continue, a final response,
			// or continueTimeout (RFC 9110 §10.1.1).
			r.waitContinue = true
			c.timer.AddTimeout(continueTimeout)
			break
		}
		c.sendBody(r)
	}
	c.updateTimeouts()
}

// continueTimeout is how long a request with "Expect: 100-continue" waits
// for the 100 before its body is sent anyway (curl waits 1 s too).
const continueTimeout = time.Second

// sendBody writes what of r's body is ready after its head.
func (c *Connection) sendBody(r *ClientRequest) {
	r.waitContinue = false
	r.writeBody(c.bev.Output(), c.pipelining || r.retryable())
	if r.complete() {
		r.state = reqSent
	}
}

// releaseBody sends the body held back for a 100 Continue, when the head
// request still waits for it.
func (c *Connection) releaseBody() {
	if c.timer != nil {
		c.timer.Del()
	}
	if c.bev == nil || c.sent == 0 || !c.queue[0].waitContinue {
		return
	}
	c.sendBody(c.queue[0])
	c.writeNext()
}

// updateTimeouts runs the read timeout only while the head request is
// fully written and its response is awaited or arriving (an upload is
// bounded by the write timeout), and the write timeout while there are
// bytes to write.
func (c *Connection) updateTimeouts() {
	if c.bev == nil || c.state < connIdle {
		return
	}
	rto := time.Duration(0)
	if len(c.queue) > 0 && c.sent > 0 && c.queue[0].state == reqSent {
		rto = c.readTimeout
	}
	if rto != c.curRTO || c.writeTimeout != c.curWTO {
		c.curRTO, c.curWTO = rto, c.writeTimeout
		c.bev.SetTimeouts(rto, c.writeTimeout)
	}
}

// bodyEnded is EndBody's notice: the streamed request is now fully queued.
func (c *Connection) bodyEnded(r *ClientRequest) {
	if r.state != reqWriting || c.bev == nil || r.waitContinue {
		return
	}
	r.state = reqSent
	c.writeNext()
}

// connect starts a connection: a lookup (unless the host is an IP
// literal or the Connection is to a unix socket), then a connect to each
// address found in turn.
func (c *Connection) connect() {
	if c.timer == nil {
		c.timer = c.base.NewTimer(func(int, core.Flags) { c.onTimer() })
	}
	c.lastErr = nil
	if c.connectTimeout > 0 {
		c.timer.AddTimeout(c.connectTimeout)
	}
	if c.unixPath != "" {
		c.addrs, c.addrIdx = nil, 0
		c.dialNext()
		return
	}
	if a, err := netip.ParseAddr(c.host); err == nil {
		c.addrs, c.addrIdx = []netip.Addr{a.Unmap()}, 0
		c.dialNext()
		return
	}
	c.setState(connResolving)
	c.lookupSeq++
	seq := c.lookupSeq
	done := false
	cancel := c.resolver.LookupHost(c.base, c.host, c.family, func(addrs []netip.Addr, err error) {
		done = true
		if seq != c.lookupSeq || c.state != connResolving {
			return
		}
		c.lookupCancel = nil
		if err != nil {
			c.connectFailed(fmt.Errorf("%w: lookup %s: %w", ErrConnect, c.host, err), true)
			return
		}
		c.addrs, c.addrIdx = c.addrs[:0], 0
		for _, a := range addrs {
			a = a.Unmap()
			if c.family == unix.AF_UNSPEC || (c.family == unix.AF_INET) == a.Is4() {
				c.addrs = append(c.addrs, a)
			}
		}
		if len(c.addrs) == 0 {
			c.connectFailed(fmt.Errorf("%w: lookup %s: %w", ErrConnect, c.host, bufferevent.ErrNoAddress), true)
			return
		}
		c.dialNext()
	})
	if !done && seq == c.lookupSeq {
		c.lookupCancel = cancel
	}
}

// dialNext connects to the next address found, or fails the attempt when
// none is left.
func (c *Connection) dialNext() {
	for {
		if c.unixPath == "" && c.addrIdx >= len(c.addrs) || c.unixPath != "" && c.addrIdx > 0 {
			err := c.lastErr
			if err == nil {
				err = ErrConnect
			}
			c.connectFailed(err, true)
			return
		}
		var a netip.Addr
		if c.unixPath == "" {
			a = c.addrs[c.addrIdx]
		}
		c.addrIdx++
		c.setState(connConnecting)
		if err := c.dial(a); err != nil {
			c.lastErr = classifyConnectErr(c.dialTarget(a), err)
			continue
		}
		return
	}
}

// targetName names the server for errors.
func (c *Connection) targetName() string {
	if c.unixPath != "" {
		return c.unixPath
	}
	return c.host + ":" + strconv.Itoa(c.port)
}

func (c *Connection) dialTarget(a netip.Addr) string {
	if !a.IsValid() {
		return c.targetName()
	}
	if c.unixPath != "" {
		return c.unixPath
	}
	return netip.AddrPortFrom(a, uint16(c.port)).String()
}

// dial makes the BufferEvent for one connect attempt to a (ignored for
// unix sockets).
func (c *Connection) dial(a netip.Addr) error {
	fd := -1
	if c.unixPath == "" && c.local.IsValid() {
		fam := unix.AF_INET6
		var sa unix.Sockaddr = &unix.SockaddrInet6{Port: int(c.local.Port()), Addr: c.local.Addr().As16()}
		if a.Is4() {
			fam = unix.AF_INET
			sa = &unix.SockaddrInet4{Port: int(c.local.Port()), Addr: c.local.Addr().Unmap().As4()}
		}
		var err error
		if fd, err = netutil.Socket(fam, unix.SOCK_STREAM, 0); err != nil {
			return err
		}
		if err := unix.Bind(fd, sa); err != nil {
			unix.Close(fd)
			return fmt.Errorf("bind %v: %w", c.local, err)
		}
	}
	var bev, under *bufferevent.BufferEvent
	var err error
	if c.tlsConfig != nil {
		bev, err = ssl.NewClient(c.base, fd, c.tlsConfig, bufferevent.CloseOnFree)
		if err == nil {
			under = bev.Underlying()
		}
	} else {
		bev, err = bufferevent.NewSocket(c.base, fd, bufferevent.CloseOnFree)
		under = bev
	}
	if err != nil {
		if fd >= 0 {
			unix.Close(fd)
		}
		return err
	}
	gen := c.gen
	bev.SetCallbacks(
		func(*bufferevent.BufferEvent) { c.onRead(gen) },
		func(*bufferevent.BufferEvent) { c.onWrite(gen) },
		func(_ *bufferevent.BufferEvent, what bufferevent.What, err error) { c.onEvent(gen, what, err) })
	if c.unixPath != "" {
		err = under.ConnectUnix(c.unixPath)
	} else {
		err = under.Connect(netip.AddrPortFrom(a, uint16(c.port)))
	}
	if err != nil {
		bev.Free()
		return err
	}
	c.bev = bev
	c.curRTO, c.curWTO = 0, 0
	bev.Enable(bufferevent.Read | bufferevent.Write)
	return nil
}

// classifyConnectErr wraps a connect failure in ErrConnectionRefused or
// ErrConnect.
func classifyConnectErr(target string, err error) error {
	switch {
	case errors.Is(err, ErrConnect), errors.Is(err, ErrTimeout):
		return err
	case errors.Is(err, unix.ECONNREFUSED):
		return fmt.Errorf("%w: %s: %w", ErrConnectionRefused, target, err)
	}
	return fmt.Errorf("%w: %s: %w", ErrConnect, target, err)
}

// onTimer handles the connect timeout and the end of a retry backoff.
func (c *Connection) onTimer() {
	switch c.state {
	case connResolving, connConnecting:
		c.stopConnecting()
		c.connectFailed(fmt.Errorf("%w: connect to %s after %v", ErrTimeout, c.targetName(), c.connectTimeout), false)
	case connWaitRetry:
		c.setState(connDisconnected)
		c.dispatch()
	case connBusy:
		c.releaseBody()
	}
}

// stopConnecting abandons a lookup or connect in progress.
func (c *Connection) stopConnecting() {
	if c.timer != nil {
		c.timer.Del()
	}
	c.lookupSeq++
	if c.lookupCancel != nil {
		c.lookupCancel()
		c.lookupCancel = nil
	}
	if c.state == connConnecting && c.bev != nil {
		c.bev.Free()
		c.bev = nil
		c.gen++
	}
	if c.state == connResolving || c.state == connConnecting || c.state == connWaitRetry {
		c.setState(connDisconnected)
	}
}

// connectFailed ends a connect attempt: retry after the backoff when
// retries are left, else fail every queued request with err.
func (c *Connection) connectFailed(err error, stopTimer bool) {
	if stopTimer && c.timer != nil {
		c.timer.Del()
	}
	if c.bev != nil {
		c.bev.Free()
		c.bev = nil
		c.gen++
	}
	c.attempts++
	if len(c.queue) > 0 && (c.retries < 0 || c.attempts <= c.retries) {
		backoff := c.initialRetry
		for i := 1; i < c.attempts && backoff < maxRetryBackoff; i++ {
			backoff *= 2
		}
		backoff = min(backoff, maxRetryBackoff)
		c.setState(connWaitRetry)
		c.timer.AddTimeout(backoff)
		return
	}
	c.attempts = 0
	c.setState(connDisconnected)
	c.failAll(err)
	if c.pool != nil {
		c.pool.lost(c)
	}
}

// failAll fails every request of the queue with err.
func (c *Connection) failAll(err error) {
	q := c.queue
	c.queue, c.sent = nil, 0
	for _, r := range q {
		r.finish(err)
	}
}

// connected runs when the connection (and TLS handshake) is up.
func (c *Connection) connected() {
	if c.timer != nil {
		c.timer.Del()
	}
	c.attempts = 0
	c.bev.SetNoDelay(true)
	c.setState(connIdle)
	c.writeNext()
	c.updateTimeouts()
}

// onEvent handles the BufferEvent's events for the connection of
// generation gen.
func (c *Connection) onEvent(gen int, what bufferevent.What, err error) {
	if gen != c.gen || c.bev == nil {
		return
	}
	if c.state == connConnecting {
		if what&bufferevent.Connected != 0 {
			c.connected()
			return
		}
		c.bev.Free()
		c.bev = nil
		c.gen++
		switch {
		case what&bufferevent.Timeout != 0:
			c.lastErr = fmt.Errorf("%w: connect to %s", ErrTimeout, c.dialTarget(c.lastAddr()))
		case err != nil:
			c.lastErr = classifyConnectErr(c.dialTarget(c.lastAddr()), err)
		default:
			c.lastErr = fmt.Errorf("%w: %s: closed during connect", ErrConnect, c.dialTarget(c.lastAddr()))
		}
		c.dialNext()
		return
	}
	switch {
	case what&bufferevent.Timeout != 0:
		dir := "read"
		if what&bufferevent.Writing != 0 {
			dir = "write"
		}
		c.failHead(fmt.Errorf("%w: %s timeout on %s", ErrTimeout, dir, c.dialTarget(c.lastAddr())))
	case what&bufferevent.EOF != 0:
		c.process(true)
		if gen == c.gen && c.bev != nil {
			c.connLost(nil)
		}
	default:
		c.connLost(err)
	}
}

func (c *Connection) lastAddr() netip.Addr {
	if c.addrIdx > 0 && c.addrIdx <= len(c.addrs) {
		return c.addrs[c.addrIdx-1]
	}
	return netip.Addr{}
}

// onWrite runs when the output drained: the streaming request writing
// now may send more.
func (c *Connection) onWrite(gen int) {
	if gen != c.gen || c.sent == 0 {
		return
	}
	r := c.queue[c.sent-1]
	if r.state == reqWriting && r.drained != nil {
		fn := r.drained
		r.drained = nil
		fn()
	}
}

func (c *Connection) onRead(gen int) {
	if gen != c.gen {
		return
	}
	c.process(false)
}

// kickRead processes input already buffered, from the loop, after
// ResumeBody.
func (c *Connection) kickRead() {
	if c.bev != nil {
		c.bev.Trigger(bufferevent.Read, bufferevent.TriggerIgnoreWatermarks|bufferevent.DeferCallbacks)
	}
}

// updateReading pauses reading while the head request's consumer asked
// for it.
func (c *Connection) updateReading() {
	if c.bev == nil || c.state < connIdle {
		return
	}
	if len(c.queue) > 0 && c.queue[0].paused {
		c.bev.Disable(bufferevent.Read)
	} else {
		c.bev.Enable(bufferevent.Read)
	}
}

// process parses responses from the input for the requests in flight, in
// order. eof says the server closed its side.
func (c *Connection) process(eof bool) {
	if c.inProcess {
		c.again = true
		return
	}
	c.inProcess = true
	defer func() { c.inProcess = false }()
	for {
		c.again = false
		c.processOnce(eof)
		if !c.again {
			return
		}
	}
}

func (c *Connection) processOnce(eof bool) {
	gen := c.gen
	for c.bev != nil && gen == c.gen {
		in := c.bev.Input()
		if c.sent == 0 {
			if in.Len() > 0 {
				// Bytes no request asked for: the server is broken or
				// hostile; never read them as the next response.
				c.disconnect()
				c.dispatch()
			}
			return
		}
		r := c.queue[0]
		if r.paused {
			return
		}
		if in.Len() > 0 {
			r.gotBytes = true
		}
		if c.phase == phaseHead {
			st, err := c.parser.parse(in)
			switch st {
			case NeedMore:
				if eof {
					if r.gotBytes {
						c.failHead(fmt.Errorf("%w: inside the response head", ErrEOF))
					}
					// No byte of the response: connLost decides on a
					// retry.
				}
				return
			case Corrupt:
				c.failHead(fmt.Errorf("%w: %w", ErrBadResponse, err))
				return
			case TooLong:
				c.failHead(fmt.Errorf("%w: %w", ErrResponseTooLarge, err))
				return
			}
			if isInterim(c.parser.code) {
				if c.parser.code == StatusContinue {
					c.releaseBody()
				}
				c.interim++
				if c.interim > maxInterimResponses {
					c.failHead(fmt.Errorf("%w: %w: more than %d interim responses", ErrBadResponse, ErrUnexpectedStatus, maxInterimResponses))
					return
				}
				c.parser.reset()
				continue
			}
			if !c.startBody(r) {
				return
			}
			if r.onHeaders != nil {
				r.onHeaders(r)
				if r.hijacked && r.state != reqDone {
					// Taken in the headers callback: the response is
					// complete as far as HTTP goes.
					r.finish(nil)
					c.dispatch()
					return
				}
				if gen != c.gen || r.state == reqDone || c.closed {
					return
				}
				if r.paused {
					return
				}
			}
			if r.framing == respTunnel {
				c.completeHead(r)
				return
			}
		}
		dst := &r.rbody
		st, err := c.body.read(in, dst, eof)
		if r.onChunk != nil && dst.Len() > 0 {
			r.onChunk(r, dst)
			if gen != c.gen || r.state == reqDone || c.closed {
				return
			}
			dst.Drain(dst.Len())
		}
		switch st {
		case NeedMore:
			return
		case TooLong:
			c.failHead(fmt.Errorf("%w: %w", ErrResponseTooLarge, err))
			return
		case Corrupt:
			if errors.Is(err, ErrEOF) {
				c.failHead(err)
			} else {
				c.failHead(fmt.Errorf("%w: %w", ErrBadResponse, err))
			}
			return
		}
		if c.body.framing == respChunked {
			r.trailer, c.body.chunked.trailer = c.body.chunked.trailer, r.trailer
		}
		c.completeHead(r)
	}
}

// startBody takes the parsed head into r and decides its body framing.
func (c *Connection) startBody(r *ClientRequest) bool {
	p := &c.parser
	r.code, r.reason, r.minor = p.code, p.reason, p.minor
	r.rheader, p.header = p.header, r.rheader
	fr, n, err := decideResponseFraming(r.method, r.code, &r.rheader, r.minor, r.upgrade)
	if err != nil {
		c.failHead(fmt.Errorf("%w: %w", ErrBadResponse, err))
		return false
	}
	if !responseKeepAlive(r.minor, &r.rheader, fr) {
		c.noReuse = true
		c.closeAnnounced = r.rheader.hasToken("Connection", "close")
	}
	r.framing = fr
	r.hijackable = fr == respTunnel
	c.body.start(fr, n, c.maxBody)
	c.body.chunked.maxTrailerBytes = c.maxHeaderBytes
	c.phase = phaseBody
	return true
}

// popHead removes the head request, which was on the wire, from the queue.
// The rest shift down (the queue is as deep as the pipeline, a few
// entries) so that the slice keeps its capacity and MakeRequest's append
// does not allocate on a keep-alive connection.
func (c *Connection) popHead() {
	n := copy(c.queue, c.queue[1:])
	c.queue[n] = nil
	c.queue = c.queue[:n]
	c.sent--
}

// completeHead finishes the head request successfully. The connection
// is settled first (kept for the next request, or closed when it may not
// be reused), then the complete callback runs; for a 101 or CONNECT answer
// the callback runs first, so that it may Hijack.
func (c *Connection) completeHead(r *ClientRequest) {
	c.popHead()
	c.phase = phaseHead
	c.parser.reset()
	c.interim = 0
	c.reused = true
	if r.waitContinue {
		// A final answer came instead of 100 Continue: the body is not
		// sent, and the server cannot know it will not come.
		r.waitContinue = false
		c.noReuse = true
		if c.timer != nil {
			c.timer.Del()
		}
	}
	if r.framing == respTunnel {
		gen := c.gen
		r.finish(nil)
		if !r.hijacked && !c.closed && gen == c.gen {
			c.connLost(nil)
			return
		}
		c.dispatch()
		return
	}
	if r.state == reqWriting {
		// The server answered before the body was all sent: what it
		// makes of the rest is unknown, so the connection ends here.
		c.noReuse = true
	}
	switch {
	case c.noReuse:
		c.teardown(ErrEOF, c.closeAnnounced)
		c.dispatch()
	case len(c.queue) == 0:
		c.setState(connIdle)
		c.updateTimeouts()
		if c.pool != nil {
			c.pool.release(c)
		}
	default:
		c.updateTimeouts()
		c.writeNext()
	}
	r.finish(nil)
}

// failHead fails the head request with err and closes the connection;
// the other requests in flight are retried when safe.
func (c *Connection) failHead(err error) {
	if c.sent == 0 {
		c.connLost(err)
		return
	}
	r := c.queue[0]
	c.popHead()
	c.teardown(fmt.Errorf("%w: connection closed after an earlier response failed", ErrEOF), false)
	r.finish(err)
	c.dispatch()
}

// connLost handles the end of an established connection (EOF, error, or
// the end of a response after which it may not be reused): requests in
// flight that are safe to retry go back to the queue for a fresh
// connection, the others fail with ErrEOF (wrapping cause if any).
func (c *Connection) connLost(cause error) {
	err := error(ErrEOF)
	if cause != nil {
		err = fmt.Errorf("%w: %w", ErrEOF, cause)
	}
	c.teardown(err, false)
	c.dispatch()
}

// teardown closes the connection; requests that were in flight are
// requeued when retryable (only if a response completed on this
// connection, which proves the server took it for a kept-alive one) or
// failed with err. With announced, the server said "Connection: close" on
// the last response and so processed none of the requests after it (RFC
// 9112 §9.6): all of them are requeued, except streamed ones, which cannot
// be replayed, without counting as a retry.
func (c *Connection) teardown(err error, announced bool) {
	inflight := c.queue[:c.sent]
	rest := c.queue[c.sent:]
	reused := c.reused
	var failed []*ClientRequest
	var keep []*ClientRequest
	for _, r := range inflight {
		switch {
		case announced && r.replayable():
			r.state = reqQueued
			keep = append(keep, r)
		case !announced && reused && r.retryable():
			r.retried = true
			r.state = reqQueued
			keep = append(keep, r)
		default:
			failed = append(failed, r)
		}
	}
	c.queue = append(keep, rest...)
	c.sent = 0
	c.disconnect()
	for _, r := range failed {
		r.finish(err)
	}
}

// disconnect frees the connection and resets the per-connection state.
func (c *Connection) disconnect() {
	had := c.bev != nil
	if c.bev != nil {
		c.bev.Free()
		c.bev = nil
	}
	c.detach()
	if had && c.closeCB != nil {
		c.closeCB(c)
	}
}

// detach forgets the connection without freeing it.
func (c *Connection) detach() {
	c.gen++
	c.sent = 0
	c.reused, c.noReuse, c.closeAnnounced = false, false, false
	c.phase = phaseHead
	c.parser.reset()
	c.interim = 0
	c.again = false
	if c.state != connDisconnected {
		c.setState(connDisconnected)
	}
	if c.pool != nil {
		c.pool.lost(c)
	}
}

// hijack hands the connection to the caller of ClientRequest.Hijack,
// called for the head request r.
func (c *Connection) hijack(r *ClientRequest) *bufferevent.BufferEvent {
	if c.sent > 0 && c.queue[0] == r {
		c.popHead()
	}
	bev := c.bev
	bev.SetCallbacks(nil, nil, nil)
	bev.SetTimeouts(0, 0)
	bev.Disable(bufferevent.Read)
	c.bev = nil
	c.detach()
	return bev
}

// cancel abandons r (ClientRequest.Cancel).
func (c *Connection) cancel(r *ClientRequest) {
	idx := -1
	for i, q := range c.queue {
		if q == r {
			idx = i
			break
		}
	}
	err := fmt.Errorf("%w: by Cancel", ErrCancelled)
	if idx < 0 {
		r.finish(err)
		return
	}
	if idx >= c.sent {
		copy(c.queue[idx:], c.queue[idx+1:])
		c.queue[len(c.queue)-1] = nil
		c.queue = c.queue[:len(c.queue)-1]
		r.finish(err)
		if len(c.queue) == 0 && (c.state == connResolving || c.state == connConnecting || c.state == connWaitRetry) {
			c.stopConnecting()
			if c.pool != nil {
				c.pool.lost(c)
			}
		}
		return
	}
	// On the wire: its response can no longer be told from the next one's.
	copy(c.queue[idx:], c.queue[idx+1:])
	c.queue[len(c.queue)-1] = nil
	c.queue = c.queue[:len(c.queue)-1]
	c.sent--
	c.reused = true // the others got no answer yet: retry them when safe
	c.teardown(fmt.Errorf("%w: connection closed by the cancel of another request", ErrEOF), false)
	r.finish(err)
	c.dispatch()
}
