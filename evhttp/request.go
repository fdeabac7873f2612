package evhttp

import (
	"net"
	"net/netip"
	"strings"

	"github.com/goevent/goevent/bufferevent"
	"github.com/goevent/goevent/core"
	"github.com/goevent/goevent/evbuffer"
	"github.com/goevent/goevent/filters"
)

// A Request is one HTTP request received by a Server and the reply being
// made to it: libevent's struct evhttp_request on the server side.
//
// A Request belongs to the loop goroutine of its connection; other
// goroutines reach it through Base().Post. It is valid from the moment its
// handler is called until its reply is complete (SendReply, SendError,
// SendReplyEnd, Hijack) or its cancel callback has run; after that the
// Server reuses it for another request, so a handler must not keep it.
type Request struct {
	c       *conn
	p       requestParser
	chunked chunkedDecoder
	route   route
	srv     *Server // the Server (or virtual host) whose route answers

	in, out     evbuffer.Buffer
	outHeaders  Header
	outTrailers Header

	path  string // percent-decoded path used for routing
	uri   *URI   // parsed lazily by URI
	query Query
	qdone bool

	bodyRead   int64 // body bytes read so far (Content-Length framing)
	bodyLimit  int64
	bodyDone   bool // the whole body has been read
	handled    bool // the handler has been called
	expect100  bool // a 100 Continue is owed before reading the body
	paused     bool // streamed body: the handler paused reading
	onBody     func(*Request)
	onBodyEnd  func(*Request, error)
	onCancel   func(*Request, error)
	drained    func(*Request)
	reply      replyState
	code       int
	keepAlive  bool
	respChunk  bool  // reply uses chunked framing
	respLength int64 // Content-Length of a streamed reply, -1 when none
	respSent   int64 // body bytes of a streamed reply queued so far

	zw    filters.Compressor // a streamed reply's compressor; nil when not compressed
	zpool *filters.Pool
	zbuf  evbuffer.Buffer // zw's output
}

// replyState is how far a Request's reply has got.
type replyState uint8

const (
	replyNone     replyState = iota
	replyStarted             // SendReplyStart ran; chunks follow
	replyDone                // complete; the Request is finished
	replyHijacked            // the connection was taken over
	replyCanceled            // the connection went away first
)

func (r *Request) reset() {
	r.c = nil
	r.p.reset()
	r.chunked.reset()
	r.route, r.srv = route{}, nil
	r.in.Reset()
	r.out.Reset()
	r.outHeaders.Reset()
	r.outTrailers.Reset()
	r.path, r.uri, r.query, r.qdone = "", nil, nil, false
	r.bodyRead, r.bodyLimit, r.bodyDone = 0, 0, false
	r.handled, r.expect100, r.paused = false, false, false
	r.onBody, r.onBodyEnd, r.onCancel, r.drained = nil, nil, nil, nil
	r.reply, r.code, r.keepAlive = replyNone, 0, false
	r.respChunk, r.respLength, r.respSent = false, -1, 0
	if r.zw != nil {
		r.zpool.Put(r.zw)
		r.zw, r.zpool = nil, nil
	}
	r.zbuf.Reset()
}

// Method returns the request method, case-sensitive ("GET").
func (r *Request) Method() string { return r.p.method }

// Target returns the request-target as sent: "/path?query" (origin-form),
// "http://host/path" (absolute-form), "host:port" (CONNECT) or "*".
func (r *Request) Target() string { return r.p.target }

// Path returns the percent-decoded path of the target (without query), the
// string routes are matched against; "" for CONNECT and "*" for an
// asterisk-form OPTIONS.
func (r *Request) Path() string { return r.path }

// URI returns the request-target parsed (libevent's
// evhttp_request_get_evhttp_uri), with URINonConformant: the split into
// path, query and fragment without character checks. It is parsed on the
// first call; nil when the target does not parse.
func (r *Request) URI() *URI {
	if r.uri == nil {
		t := r.p.target
		if r.p.form == formAuthority {
			t = "//" + t
		}
		u, err := ParseURI(t, URINonConformant)
		if err != nil {
			return nil
		}
		r.uri = u
	}
	return r.uri
}

// Query returns the target's query decoded non-strictly
// (QueryNonConformant), parsed on the first call.
func (r *Request) Query() Query {
	if !r.qdone {
		r.qdone = true
		t := r.p.target
		if i := strings.IndexByte(t, '?'); i >= 0 {
			q := t[i+1:]
			if j := strings.IndexByte(q, '#'); j >= 0 {
				q = q[:j]
			}
			r.query, _ = DecodeQuery(q, QueryNonConformant)
		}
	}
	return r.query
}

// ProtoMinor returns the minor version of the request: 0 for HTTP/1.0, 1
// for HTTP/1.1.
func (r *Request) ProtoMinor() int { return r.p.minor }

// Host returns the host the request is for: the authority of an
// absolute-form target, else the Host field, without a port and without the
// brackets of an IPv6 literal (libevent's evhttp_request_get_host).
func (r *Request) Host() string {
	if r.p.form == formAbsolute {
		if u := r.URI(); u != nil {
			return strings.Trim(u.Host, "[]")
		}
	}
	return hostOnly(r.p.header.Get("Host"))
}

// hostOnly strips a ":port" and IPv6 brackets from a Host field value.
func hostOnly(h string) string {
	if strings.HasPrefix(h, "[") {
		if i := strings.IndexByte(h, ']'); i > 0 {
			return h[1:i]
		}
		return h
	}
	if i := strings.LastIndexByte(h, ':'); i >= 0 {
		for _, c := range h[i+1:] {
			if c < '0' || c > '9' {
				return h
			}
		}
		return h[:i]
	}
	return h
}

// InputHeaders returns the request's header fields, in order and as sent.
// For a chunked body whose trailer has been read, the trailer fields are in
// Trailers.
func (r *Request) InputHeaders() *Header { return &r.p.header }

// Trailers returns the trailer fields of a chunked request body, empty
// until the body has been read.
func (r *Request) Trailers() *Header { return &r.chunked.trailer }

// InputBuffer holds the request body: all of it when the handler runs (the
// default), or what has arrived and not been drained yet for a streamed
// body (RouteOptions.StreamBody).
func (r *Request) InputBuffer() *evbuffer.Buffer { return &r.in }

// OutputHeaders returns the header fields of the reply. The Server adds
// Date, Content-Length or Transfer-Encoding, Content-Type (when there is a
// body and none was set) and Connection as needed; a field with an invalid
// name or value (CR, LF, NUL or another control byte) is not sent.
func (r *Request) OutputHeaders() *Header { return &r.outHeaders }

// OutputBuffer is the reply body that SendReply sends when it is given no
// other buffer.
func (r *Request) OutputBuffer() *evbuffer.Buffer { return &r.out }

// RemoteAddr returns the client's address; the zero AddrPort for a unix
// socket. An IPv4 client of a dual-stack socket appears as an IPv4 address.
func (r *Request) RemoteAddr() netip.AddrPort {
	if r.c == nil {
		return netip.AddrPort{}
	}
	return r.c.peer
}

// Connection returns the request's connection.
func (r *Request) Connection() *Conn {
	if r.c == nil {
		return nil
	}
	return (*Conn)(r.c)
}

// Base returns the Base whose loop goroutine the Request belongs to.
func (r *Request) Base() *core.Base {
	if r.c == nil {
		return nil
	}
	return r.c.ls.base
}

// Server returns the Server (or virtual host) whose route answers the
// request.
func (r *Request) Server() *Server { return r.srv }

// CancelOnClose sets fn to run if the connection ends (the client goes
// away, a timeout, Shutdown) before the reply is complete; err says why.
// After fn the Request is finished and its Send methods fail with
// ErrRequestDone. A handler that answers later should set it, to stop work
// whose result nobody will read.
func (r *Request) CancelOnClose(fn func(r *Request, err error)) { r.onCancel = fn }

// SetBodyHandler sets the callbacks of a streamed body
// (RouteOptions.StreamBody): onChunk runs each time new body bytes are in
// InputBuffer (it should drain what it used; bytes left there count against
// the stream buffer), and onEnd once the body is complete (err nil, the
// trailer in Trailers) or has failed (the Server then answers 400, 408 or
// 413 itself unless a reply was started). Bytes that arrived before the
// call are delivered right after the handler returns.
func (r *Request) SetBodyHandler(onChunk func(*Request), onEnd func(*Request, error)) {
	r.onBody, r.onBodyEnd = onChunk, onEnd
	if r.c != nil && r.handled {
		r.c.schedule()
	}
}

// PauseBody stops delivering a streamed body: the Server stops reading
// from the connection once the stream buffer is full.
func (r *Request) PauseBody() { r.paused = true }

// ResumeBody resumes delivery after PauseBody.
func (r *Request) ResumeBody() {
	if !r.paused {
		return
	}
	r.paused = false
	if r.c != nil {
		r.c.schedule()
	}
}

// BodyComplete reports whether the whole request body has been read.
func (r *Request) BodyComplete() bool { return r.bodyDone }

// A Conn is the server side of one client connection, as a Request's
// Connection returns it.
type Conn conn

// RemoteAddr returns the client's address (the zero AddrPort for a unix
// socket).
func (c *Conn) RemoteAddr() netip.AddrPort { return c.peer }

// LocalAddr returns the address the connection was accepted on.
func (c *Conn) LocalAddr() net.Addr {
	if c.bs == nil {
		return nil
	}
	return c.bs.addr
}

// BufferEvent returns the connection's BufferEvent (for TLS, the ssl
// BufferEvent), nil once closed. It is for inspection (ssl.ConnectionState);
// to take over the connection use Request.Hijack.
func (c *Conn) BufferEvent() *bufferevent.BufferEvent { return c.bev }
