package evhttp

import (
	"crypto/tls"
	"errors"
	"fmt"
	"net/netip"
	"time"

	"github.com/goevent/goevent/bufferevent"
	"github.com/goevent/goevent/core"
	"golang.org/x/sys/unix"
)

// Errors given to a ClientRequest's error callback. Each is comparable
// with errors.Is; the error delivered wraps one of them with detail (and
// the cause: an errno, a parser sentinel such as ErrChunkSize). Timeouts
// wrap ErrTimeout, which satisfies net.Error with Timeout() true.
var (
	// ErrConnect: the connection could not be made (lookup failure,
	// unreachable address, TLS handshake failure) after every retry.
	ErrConnect = errors.New("evhttp: cannot connect")
	// ErrConnectionRefused: the server refused the connection
	// (ECONNREFUSED) after every retry. It also matches ErrConnect.
	ErrConnectionRefused = fmt.Errorf("%w: connection refused", ErrConnect)
	// ErrEOF: the server closed the connection before the response was
	// complete, and the request could not be retried safely.
	ErrEOF = errors.New("evhttp: connection closed before the response was complete")
	// ErrBadResponse: the response breaks the protocol (malformed status
	// line or header, invalid chunking, ambiguous framing such as
	// Content-Length with Transfer-Encoding). The connection is closed.
	ErrBadResponse = errors.New("evhttp: malformed response")
	// ErrResponseTooLarge: the response head or body exceeds the
	// connection's limits. The connection is closed.
	ErrResponseTooLarge = errors.New("evhttp: response too large")
	// ErrCancelled: the request was cancelled (Cancel, Connection.Close,
	// Pool.Close) before its response was complete.
	ErrCancelled = errors.New("evhttp: request cancelled")
	// ErrRequestField: MakeRequest met an invalid method, target, header
	// name or value (header injection is refused, not sent).
	ErrRequestField = errors.New("evhttp: invalid request field")
	// ErrRequestUsed: MakeRequest with a request that was already made.
	ErrRequestUsed = errors.New("evhttp: request already made")
	// ErrConnectionClosed: MakeRequest on a Connection after Close.
	ErrConnectionClosed = errors.New("evhttp: connection closed")
	// ErrBodyStream: SendBodyChunk or EndBody misused (no streamed body,
	// ended already, more bytes than the declared length, or fewer at the
	// end).
	ErrBodyStream = errors.New("evhttp: invalid request body stream")
)

// Default client limits and timeouts (libevent's http-internal.h values
// for the timeouts).
const (
	DefaultConnectTimeout     = 45 * time.Second
	DefaultClientReadTimeout  = 50 * time.Second
	DefaultClientWriteTimeout = 50 * time.Second
	DefaultRetryBackoff       = 2 * time.Second
	DefaultMaxResponseBody    = 64 << 20
	maxRetryBackoff           = time.Hour
)

// Connection is a client connection to one server: libevent's
// evhttp_connection. It connects on demand (resolving the host through a
// bufferevent.Resolver), sends the requests given to MakeRequest in order,
// one at a time or pipelined (SetPipelining), reads their responses and
// keeps the connection alive between them when the server allows it.
// When the server closes a kept-alive connection before answering,
// requests that are safe to retry (idempotent, body not streamed, no
// response byte received) are sent again on a fresh connection; others
// fail with ErrEOF.
//
// A Connection belongs to its Base's loop goroutine: every method must be
// called there (or before the loop runs); other goroutines use Base.Post.
// Callbacks run on the loop goroutine and may call any method, Close
// included.
type Connection struct {
	base     *core.Base           // immutable
	resolver bufferevent.Resolver // immutable; never nil
	host     string               // immutable; "" for unix sockets
	port     int                  // immutable
	unixPath string               // immutable; set for unix sockets

	connectTimeout, readTimeout, writeTimeout time.Duration
	retries                                   int // connect retries; < 0: forever
	initialRetry                              time.Duration
	maxHeaderBytes                            int
	maxHeaders                                int
	maxBody                                   int64
	local                                     netip.AddrPort
	family                                    int
	tlsConfig                                 *tls.Config
	pipelining                                bool
	closeCB                                   func(*Connection)

	state   connState
	bev     *bufferevent.BufferEvent
	queue   []*ClientRequest // requests made and not finished: in-flight first, in order
	sent    int              // how many of queue have been (or are being) written
	reused  bool             // the connection has completed a response before
	noReuse bool             // the current connection must not carry more requests
	// closeAnnounced: the last response said "Connection: close", so the
	// server processed no request sent after it.
	closeAnnounced bool

	attempts     int          // failed connect attempts in a row
	addrs        []netip.Addr // lookup result being tried
	addrIdx      int          // next address to try
	lookupCancel func()       // cancels a lookup in flight
	timer        *core.Event  // connect timeout and retry backoff
	parser       responseParser
	body         responseBody
	interim      int           // 1xx responses skipped for the head request
	lastErr      error         // why the last connect attempt failed
	lookupSeq    int           // identifies the lookup in flight
	gen          int           // bumped each time the connection is dropped
	curRTO       time.Duration // read timeout set on bev
	curWTO       time.Duration // write timeout set on bev
	phase        clientConnPhase
	inProcess    bool // process is on the stack
	again        bool // process must run again
	closed       bool
	pool         *poolHost   // set when the Connection belongs to a Pool
	poolIdle     *core.Event // the Pool's idle timer for this Connection
}

// NewConnection returns a Connection to host:port on base (libevent's
// evhttp_connection_base_new). host is a name, resolved through resolver
// (nil: bufferevent.NetResolver) when a connection is made, or an IP
// literal (an IPv6 literal may be bracketed). Nothing happens until the
// first MakeRequest. Call it on base's loop goroutine or before the loop
// runs.
func NewConnection(base *core.Base, resolver bufferevent.Resolver, host string, port int) *Connection {
	if len(host) > 1 && host[0] == '[' && host[len(host)-1] == ']' {
		host = host[1 : len(host)-1]
	}
	c := newConnection(base, resolver)
	c.host, c.port = host, port
	return c
}

// NewUnixConnection returns a Connection to the unix stream socket at path
// (a leading '@' names an abstract socket on Linux); libevent 2.2's
// evhttp_connection_base_bufferevent_unix_new. Requests carry
// "Host: localhost" unless they set their own. Call it on base's loop
// goroutine or before the loop runs.
func NewUnixConnection(base *core.Base, path string) *Connection {
	c := newConnection(base, nil)
	c.unixPath = path
	return c
}

func newConnection(base *core.Base, resolver bufferevent.Resolver) *Connection {
	if resolver == nil {
		resolver = bufferevent.NetResolver{}
	}
	return &Connection{
		base:           base,
		resolver:       resolver,
		connectTimeout: DefaultConnectTimeout,
		readTimeout:    DefaultClientReadTimeout,
		writeTimeout:   DefaultClientWriteTimeout,
		initialRetry:   DefaultRetryBackoff,
		maxBody:        DefaultMaxResponseBody,
		family:         unix.AF_UNSPEC,
	}
}

// Base returns the Base the Connection runs on. Safe from any goroutine.
func (c *Connection) Base() *core.Base { return c.base }

// Peer returns the host (or unix socket path) and port the Connection
// connects to (libevent's evhttp_connection_get_peer). Safe from any
// goroutine.
func (c *Connection) Peer() (host string, port int) {
	if c.unixPath != "" {
		return c.unixPath, 0
	}
	return c.host, c.port
}

// SetTimeout sets the connect timeout (lookup, TCP connect and TLS
// handshake together; default DefaultConnectTimeout, 45 s), the read
// timeout (how long a response may make no progress once its request is
// sent; default DefaultClientReadTimeout, 50 s) and the write timeout (how long
// a request may make no progress while being written; default 50 s).
// Zero leaves a timeout unchanged; a negative value turns it off. It
// applies from the next connection or request. A timeout fails the
// request with an error wrapping ErrTimeout. Loop goroutine only.
func (c *Connection) SetTimeout(connect, read, write time.Duration) {
	set := func(dst *time.Duration, v time.Duration) {
		switch {
		case v < 0:
			*dst = 0
		case v > 0:
			*dst = v
		}
	}
	set(&c.connectTimeout, connect)
	set(&c.readTimeout, read)
	set(&c.writeTimeout, write)
}

// SetRetries sets how many times a failed connect is retried before the
// queued requests fail (libevent's evhttp_connection_set_retries; default
// 0, negative: forever) and the wait before the first retry (libevent's
// initial retry timeval; zero keeps the default of 2 s). Each further
// retry waits twice as long, up to an hour. Loop goroutine only.
func (c *Connection) SetRetries(n int, initialBackoff time.Duration) {
	c.retries = n
	if initialBackoff > 0 {
		c.initialRetry = initialBackoff
	}
}

// SetMaxHeadersSize bounds the status line and header section of a
// response in bytes (default DefaultMaxHeaderBytes); beyond it the request
// fails with ErrResponseTooLarge. Trailers of chunked bodies share the
// bound. Loop goroutine only.
func (c *Connection) SetMaxHeadersSize(n int) { c.maxHeaderBytes = n }

// SetMaxBodySize bounds a response body in bytes (default
// DefaultMaxResponseBody, 64 MiB; negative: no limit); beyond it the request
// fails with ErrResponseTooLarge, before any body byte is read when the
// Content-Length says so. It also applies when the body is delivered in
// chunks (OnChunk). Loop goroutine only.
func (c *Connection) SetMaxBodySize(n int64) {
	if n < 0 {
		n = 0
	}
	c.maxBody = n
}

// SetLocalAddress makes the Connection bind its sockets to addr before
// connecting (libevent's evhttp_connection_set_local_address and
// _local_port; port 0 lets the kernel choose). An address of the other
// family than the server's makes the connect fail. Loop goroutine only.
func (c *Connection) SetLocalAddress(addr netip.AddrPort) { c.local = addr }

// SetFamily restricts name lookups to unix.AF_INET or unix.AF_INET6
// (default unix.AF_UNSPEC: any, in the resolver's order); libevent's
// evhttp_connection_set_family. Loop goroutine only.
func (c *Connection) SetFamily(family int) { c.family = family }

// SetTLS makes the Connection speak HTTPS through package ssl with config
// (nil: plain HTTP). A config without ServerName gets the Connection's
// host name as ServerName (a copy is made). Loop goroutine only.
func (c *Connection) SetTLS(config *tls.Config) {
	if config != nil && config.ServerName == "" && !config.InsecureSkipVerify && c.host != "" {
		config = config.Clone()
		config.ServerName = c.host
	}
	c.tlsConfig = config
}

// SetPipelining lets the Connection write a request before the responses
// of the previous ones arrived (HTTP/1.1 pipelining, RFC 9112 §9.3.2).
// Off by default: requests then go one at a time on the connection.
// Loop goroutine only.
func (c *Connection) SetPipelining(on bool) { c.pipelining = on }

// SetCloseCallback sets fn to run each time the Connection's underlying
// connection closes (libevent's evhttp_connection_set_closecb): the
// server closed it, an error or a timeout ended it, or Close. Loop
// goroutine only.
func (c *Connection) SetCloseCallback(fn func(*Connection)) { c.closeCB = fn }

// Pending returns how many requests are queued or in flight. Loop
// goroutine only.
func (c *Connection) Pending() int { return len(c.queue) }

// Connected reports whether the Connection holds an established
// connection (idle or busy). Loop goroutine only.
func (c *Connection) Connected() bool { return c.state == connIdle || c.state == connBusy }

// Close fails every queued and in-flight request with ErrCancelled, closes
// the connection and releases the Connection (libevent's
// evhttp_connection_free). MakeRequest fails afterwards with
// ErrConnectionClosed. Close is idempotent. Loop goroutine only.
func (c *Connection) Close() {
	if c.closed {
		return
	}
	c.closed = true
	c.stopConnecting()
	c.disconnect()
	c.failAll(fmt.Errorf("%w: connection closed", ErrCancelled))
	c.freeTimer()
	if c.pool != nil {
		c.pool.forget(c)
		c.pool = nil
	}
}

// freeTimer releases the connect and retry timer.
func (c *Connection) freeTimer() {
	if c.timer != nil {
		c.timer.Free()
		c.timer = nil
	}
}
