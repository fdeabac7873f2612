package evhttp

import (
	"fmt"
	"strconv"

	"github.com/goevent/goevent/bufferevent"
	"github.com/goevent/goevent/evbuffer"
)

// reqState is where a ClientRequest is in its life.
type reqState int

const (
	reqNew     reqState = iota // built, not made
	reqQueued                  // made, waiting for a connection or its turn
	reqWriting                 // its head is written; a streamed body may still come
	reqSent                    // fully written, waiting for (or reading) its response
	reqDone                    // completed, failed or cancelled
)

var reqStateNames = [...]string{
	reqNew:     "New",
	reqQueued:  "Queued",
	reqWriting: "Writing",
	reqSent:    "Sent",
	reqDone:    "Done",
}

func (s reqState) String() string {
	if s >= 0 && int(s) < len(reqStateNames) {
		return reqStateNames[s]
	}
	return "reqState(" + strconv.Itoa(int(s)) + ")"
}

// ClientRequest is one request of the client and, once it arrives, its
// response: the client half of libevent's evhttp_request. Build it with
// NewClientRequest, set its headers (Header) and body (Body, or StreamBody
// with SendBodyChunk and EndBody), its callbacks, then give it to
// Connection.MakeRequest or Pool.MakeRequest. Exactly one of the complete
// and error callbacks runs, once.
//
// A ClientRequest belongs to the loop goroutine of the Base it is made on
// (other goroutines: Base.Post). It is used once.
type ClientRequest struct {
	method, target string
	header         Header
	body           *evbuffer.Buffer // fixed body; nil until Body
	stream         bool
	streamLen      int64            // declared length of a streamed body; -1: chunked
	streamSent     int64            // streamed bytes accepted so far
	streamEnded    bool             // EndBody was called
	streamWritten  bool             // the terminating chunk (or the last byte) is out
	pendingBody    *evbuffer.Buffer // streamed bytes (framed) waiting for the head to go out
	drained        func()

	onHeaders  func(*ClientRequest)
	onChunk    func(*ClientRequest, *evbuffer.Buffer)
	onComplete func(*ClientRequest)
	onError    func(*ClientRequest, error)

	conn      *Connection
	state     reqState
	retried   bool // sent again once after the server closed a kept-alive connection
	gotBytes  bool // a byte of its response arrived
	upgrade   bool // the request asks for a protocol upgrade
	paused    bool // PauseBody
	bodyMoved bool // the fixed body was moved into a connection's output
	// waitContinue: the head is out, the body waits for 100 Continue.
	waitContinue bool
	cancelled    bool
	framing      respFraming
	hijackable   bool
	hijacked     bool

	code    int
	reason  string
	minor   int
	rheader Header
	rbody   evbuffer.Buffer
	trailer Header
}

// NewClientRequest returns a request for method (case-sensitive, "GET",
// "POST"...) and target: the request-target as sent, normally the
// origin-form path and query ("/index.html?q=1"), an absolute URI for a
// proxy, or "host:port" for CONNECT.
func NewClientRequest(method, target string) *ClientRequest {
	return &ClientRequest{method: method, target: target, streamLen: -1}
}

// Method returns the request method.
func (r *ClientRequest) Method() string { return r.method }

// Target returns the request-target.
func (r *ClientRequest) Target() string { return r.target }

// Header returns the request's header fields (libevent's output headers).
// With "Expect: 100-continue" the body is held back until the server
// answers 100 Continue (or for at most one second, RFC 9110 §10.1.1); a
// final response instead means the body is never sent and the connection
// is not reused. MakeRequest adds Host (host[:port] of the Connection; libevent adds
// none, but RFC 9112 §3.2 requires it) when the request has none, and sets
// the body framing fields itself: any Content-Length or Transfer-Encoding
// set here is replaced.
func (r *ClientRequest) Header() *Header { return &r.header }

// Body returns the buffer holding the request body (libevent's output
// buffer), sent with a Content-Length. Add to it before MakeRequest.
func (r *ClientRequest) Body() *evbuffer.Buffer {
	if r.body == nil {
		r.body = evbuffer.New()
	}
	return r.body
}

// StreamBody makes the request body streamed: sent as SendBodyChunk gives
// it, with Content-Length length, or chunked when length is negative.
// Call it before MakeRequest; Body must stay empty. A request with a
// streamed body is never retried automatically.
func (r *ClientRequest) StreamBody(length int64) {
	r.stream = true
	if length < 0 {
		length = -1
	}
	r.streamLen = length
}

// SendBodyChunk moves the bytes of b into the streamed body (b is left
// empty). drained, which may be nil, runs once the connection has written
// out what it held, the place to send the next chunk (backpressure); an
// empty b sends nothing and drained is not called. It
// may be called before MakeRequest, and until EndBody. It fails with
// ErrBodyStream without StreamBody, after EndBody or beyond the declared
// length, and with ErrRequestDone once the request finished.
func (r *ClientRequest) SendBodyChunk(b *evbuffer.Buffer, drained func()) error {
	if err := r.checkStream(); err != nil {
		return err
	}
	n := int64(b.Len())
	if r.streamLen >= 0 && r.streamSent+n > r.streamLen {
		return fmt.Errorf("%w: %d bytes beyond the declared %d", ErrBodyStream, r.streamSent+n-r.streamLen, r.streamLen)
	}
	if n == 0 {
		return nil
	}
	r.streamSent += n
	out := r.streamOut()
	if r.streamLen < 0 {
		out.AddString(strconv.FormatInt(n, 16) + "\r\n")
		out.AddBuffer(b)
		out.AddString("\r\n")
	} else {
		out.AddBuffer(b)
	}
	r.drained = drained
	return nil
}

// EndBody ends a streamed body: the last chunk for a chunked body; for a
// declared length, it fails with ErrBodyStream if fewer bytes were sent.
// A response may complete before EndBody (the server answered early); the
// connection is then not reused.
func (r *ClientRequest) EndBody() error {
	if err := r.checkStream(); err != nil {
		return err
	}
	if r.streamLen >= 0 && r.streamSent != r.streamLen {
		return fmt.Errorf("%w: %d of %d bytes sent", ErrBodyStream, r.streamSent, r.streamLen)
	}
	r.streamEnded = true
	if r.streamLen < 0 {
		r.streamOut().AddString("0\r\n\r\n")
	}
	if r.conn != nil {
		r.conn.bodyEnded(r)
	}
	return nil
}

func (r *ClientRequest) checkStream() error {
	switch {
	case r.state == reqDone:
		return ErrRequestDone
	case !r.stream:
		return fmt.Errorf("%w: no streamed body", ErrBodyStream)
	case r.streamEnded:
		return fmt.Errorf("%w: body ended", ErrBodyStream)
	}
	return nil
}

// streamOut is where streamed body bytes go: the connection's output once
// the head is out, a holding buffer before.
func (r *ClientRequest) streamOut() *evbuffer.Buffer {
	if r.state == reqWriting && !r.waitContinue && r.conn != nil && r.conn.bev != nil {
		return r.conn.bev.Output()
	}
	if r.pendingBody == nil {
		r.pendingBody = evbuffer.New()
	}
	return r.pendingBody
}

// OnHeaders sets fn to run when the response head has arrived (libevent's
// header callback): StatusCode and ResponseHeader are valid. fn may
// Cancel the request, PauseBody, or Hijack a 101 or CONNECT response.
func (r *ClientRequest) OnHeaders(fn func(*ClientRequest)) { r.onHeaders = fn }

// OnChunk sets fn to receive the response body as it arrives (libevent's
// chunked callback): each call gets the bytes received since the last
// one, which are dropped when fn returns unless fn moves them away. Without
// it the body accumulates in ResponseBody. Body limits apply either way.
func (r *ClientRequest) OnChunk(fn func(*ClientRequest, *evbuffer.Buffer)) { r.onChunk = fn }

// OnComplete sets fn to run when the response is complete (libevent's
// request callback and on-complete callback in one). A 101 Switching
// Protocols or a 2xx answer to CONNECT completes after its head: fn may
// Hijack the connection, which is closed otherwise.
func (r *ClientRequest) OnComplete(fn func(*ClientRequest)) { r.onComplete = fn }

// OnError sets fn to run when the request fails (libevent's error
// callback), with an error wrapping ErrConnect, ErrConnectionRefused,
// ErrTimeout, ErrEOF, ErrBadResponse, ErrResponseTooLarge or ErrCancelled.
func (r *ClientRequest) OnError(fn func(*ClientRequest, error)) { r.onError = fn }

// StatusCode returns the response status (0 before the head arrived).
func (r *ClientRequest) StatusCode() int { return r.code }

// Reason returns the response's reason phrase.
func (r *ClientRequest) Reason() string { return r.reason }

// ProtoMinor returns the minor version of the response: 0 or 1.
func (r *ClientRequest) ProtoMinor() int { return r.minor }

// ResponseHeader returns the response's header fields (libevent's input
// headers). Valid from the headers callback on.
func (r *ClientRequest) ResponseHeader() *Header { return &r.rheader }

// ResponseBody returns the response body received (libevent's input
// buffer); empty when OnChunk consumed it.
func (r *ClientRequest) ResponseBody() *evbuffer.Buffer { return &r.rbody }

// Trailer returns the trailer fields of a chunked response, valid in the
// complete callback. libevent appends them to the input headers; they are
// kept apart here so a trailer cannot pose as a header.
func (r *ClientRequest) Trailer() *Header { return &r.trailer }

// Connection returns the Connection the request was made on, nil before
// MakeRequest.
func (r *ClientRequest) Connection() *Connection { return r.conn }

// Cancel abandons the request (libevent's evhttp_cancel_request): its
// error callback runs with ErrCancelled, unless it already finished. A
// request still queued is dropped; one on the wire closes its connection,
// since its response can no longer be told apart from the next one's.
func (r *ClientRequest) Cancel() {
	if r.state == reqDone || r.cancelled {
		return
	}
	r.cancelled = true
	if r.conn == nil {
		r.finish(fmt.Errorf("%w: before MakeRequest", ErrCancelled))
		return
	}
	r.conn.cancel(r)
}

// PauseBody stops reading the response until ResumeBody, so a slow
// consumer of OnChunk holds the server back instead of buffering
// (backpressure). The read timeout does not run while paused.
func (r *ClientRequest) PauseBody() {
	r.paused = true
	if r.conn != nil {
		r.conn.updateReading()
	}
}

// ResumeBody undoes PauseBody.
func (r *ClientRequest) ResumeBody() {
	if !r.paused {
		return
	}
	r.paused = false
	if r.conn != nil {
		r.conn.updateReading()
		r.conn.kickRead()
	}
}

// Hijack takes the connection of a 101 Switching Protocols response, or of
// a 2xx answer to CONNECT, from the headers or complete callback: it
// returns the BufferEvent, with any bytes the server sent after the
// response head in its Input, its callbacks and timeouts cleared and
// reading disabled. The caller owns it (and frees it); the Connection
// makes a new connection for later requests. Other responses give
// ErrHijack.
func (r *ClientRequest) Hijack() (*bufferevent.BufferEvent, error) {
	if !r.hijackable || r.hijacked || r.conn == nil || r.conn.bev == nil {
		return nil, ErrHijack
	}
	r.hijacked = true
	return r.conn.hijack(r), nil
}

// finish ends the request: OnComplete when err is nil, OnError otherwise.
func (r *ClientRequest) finish(err error) {
	if r.state == reqDone {
		return
	}
	r.state = reqDone
	r.drained = nil
	if err == nil {
		if r.onComplete != nil {
			r.onComplete(r)
		}
		return
	}
	if r.onError != nil {
		r.onError(r, err)
	}
}

// idempotent reports whether the method is idempotent (RFC 9110 §9.2.2)
// and so may be sent again after a connection failed under it.
func (r *ClientRequest) idempotent() bool {
	switch r.method {
	case "GET", "HEAD", "OPTIONS", "TRACE", "PUT", "DELETE":
		return true
	}
	return false
}

// retryable reports whether the request may be sent again on a fresh
// connection: idempotent, not retried before, body not streamed, no byte
// of its response received.
func (r *ClientRequest) retryable() bool {
	return r.idempotent() && !r.retried && !r.gotBytes && r.replayable()
}

// validate checks what MakeRequest will put on the wire.
func (r *ClientRequest) validate() error {
	if !isToken([]byte(r.method)) {
		return fmt.Errorf("%w: method %q", ErrRequestField, r.method)
	}
	if r.target == "" {
		return fmt.Errorf("%w: empty target", ErrRequestField)
	}
	for i := 0; i < len(r.target); i++ {
		if c := r.target[i]; c <= ' ' || c >= 0x7f {
			return fmt.Errorf("%w: target byte %#x", ErrRequestField, c)
		}
	}
	var err error
	r.header.Range(func(name, value string) bool {
		if !isToken([]byte(name)) {
			err = fmt.Errorf("%w: header name %q", ErrRequestField, name)
			return false
		}
		for i := 0; i < len(value); i++ {
			if c := value[i]; (c < ' ' && c != '\t') || c == 0x7f {
				err = fmt.Errorf("%w: control byte %#x in %s", ErrRequestField, c, name)
				return false
			}
		}
		return true
	})
	if err != nil {
		return err
	}
	if r.stream && r.body != nil && r.body.Len() > 0 {
		return fmt.Errorf("%w: both Body and StreamBody", ErrBodyStream)
	}
	return nil
}

// prepare sets Host and the framing fields (MakeRequest).
func (r *ClientRequest) prepare(host string) {
	if !r.header.Has("Host") {
		r.header.Set("Host", host)
	}
	r.header.Del("Content-Length")
	r.header.Del("Transfer-Encoding")
	switch {
	case r.stream && r.streamLen >= 0:
		r.header.Set("Content-Length", strconv.FormatInt(r.streamLen, 10))
	case r.stream:
		r.header.Set("Transfer-Encoding", "chunked")
	case r.body != nil && r.body.Len() > 0:
		r.header.Set("Content-Length", strconv.Itoa(r.body.Len()))
	case r.method == "POST" || r.method == "PUT" || r.method == "PATCH":
		r.header.Set("Content-Length", "0")
	}
	r.upgrade = r.header.Has("Upgrade") && r.header.hasToken("Connection", "upgrade")
}

// writeHead appends the request line and header section to out.
func (r *ClientRequest) writeHead(out *evbuffer.Buffer) {
	var stack [512]byte // a typical head is built here, not on the heap
	b := append(stack[:0], r.method...)
	b = append(b, ' ')
	b = append(b, r.target...)
	b = append(b, " HTTP/1.1\r\n"...)
	for _, f := range r.header.fields {
		b = append(b, r.header.name(f)...)
		b = append(b, ": "...)
		b = append(b, r.header.value(f)...)
		b = append(b, "\r\n"...)
	}
	b = append(b, "\r\n"...)
	out.Add(b)
}

// writeBody appends what of the body is ready to out: the streamed bytes
// held so far, or the fixed body. A fixed body is copied when keep says it
// may have to be sent again (a retry, or a replay after the server closed
// a pipelined connection), and moved otherwise; a moved body cannot be
// replayed.
func (r *ClientRequest) writeBody(out *evbuffer.Buffer, keep bool) {
	if r.stream {
		if r.pendingBody != nil && r.pendingBody.Len() > 0 {
			out.AddBuffer(r.pendingBody)
		}
		return
	}
	if r.body == nil || r.body.Len() == 0 {
		return
	}
	if keep {
		if p, err := r.body.Pullup(-1); err == nil {
			out.Add(p)
			return
		}
	}
	r.bodyMoved = true
	out.AddBuffer(r.body)
}

// replayable reports whether the request can be written again as it was.
func (r *ClientRequest) replayable() bool {
	return !r.stream && !r.bodyMoved && !r.cancelled
}

// expectContinue reports whether the request asks for 100 Continue
// before its body, and has a body to hold back.
func (r *ClientRequest) expectContinue() bool {
	if !r.header.hasToken("Expect", "100-continue") {
		return false
	}
	return r.stream || r.body != nil && r.body.Len() > 0
}

// complete reports whether every byte of the request is queued for
// writing.
func (r *ClientRequest) complete() bool {
	return !r.stream || r.streamEnded
}
