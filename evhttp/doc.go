// Package evhttp is goevent's HTTP/1.x layer: libevent's evhttp in Go, an
// event-driven server held to RFC 9110 and RFC 9112 where libevent is
// lenient.
//
// A Server runs on one core.Base (New) or on every loop of a core.Loops
// (NewOnLoops), with no goroutine per connection: each connection is a
// state machine driven by its bufferevent's callbacks, parsing requests in
// resumable steps (each step returns AllRead, NeedMore, Corrupt or TooLong,
// as libevent's message_read_status does) and answering them in order,
// pipelined requests included.
//
//	base, _ := core.NewBase()
//	srv := evhttp.New(base, nil)
//	srv.SetCallback("/hello", func(r *evhttp.Request) {
//		r.OutputHeaders().Set("Content-Type", "text/plain")
//		r.OutputBuffer().AddString("Hello, World!")
//		r.SendReply(evhttp.StatusOK, "", nil)
//	})
//	srv.Bind("127.0.0.1:8080")
//	base.Dispatch()
//
// Handlers run on the loop goroutine of their connection and answer now or
// later, from another goroutine through the Request's Base().Post. Replies
// may be whole (SendReply), errors (SendError) or streamed
// (SendReplyStart, SendReplyChunk with a drained callback for backpressure,
// SendReplyEnd). Request bodies arrive whole by default or, on routes with
// RouteOptions.StreamBody, in pieces with PauseBody/ResumeBody. Hijack hands
// the connection's bufferevent to the caller after a 101 or for CONNECT.
//
// Defences are on by default: request-line, header and body limits (414,
// 431, 413), header, body, idle and write timeouts (a client trickling
// headers is cut at the header timeout), and every request-smuggling shape
// rejected with 400 and a closed connection: Content-Length with
// Transfer-Encoding, duplicate or malformed lengths, codings other than a
// final chunked, obs-fold, bare CR or LF, NUL and control bytes, whitespace
// before a colon, invalid or overflowing chunk sizes.
//
// Around the server: Config.Compress (or RouteOptions.Compress) encodes
// replies with gzip or zstd; Upgrade turns a request into a WebSocket
// connection (DialWebSocket is the client side); HandlerAdapter serves any
// net/http Handler from a bounded worker pool.
//
// The client side is Connection (libevent's evhttp_connection): requests
// built with NewClientRequest, keep-alive and optional pipelining, retries
// with backoff, TLS, unix sockets, streamed bodies both ways, and a Pool of
// connections per host for proxies. Host names are resolved through
// bufferevent's Resolver interface, which evdns implements.
//
// The package also parses URIs (ParseURI, with libevent's strict and
// non-strict modes), query strings (DecodeQuery) and percent-encoding.
package evhttp
