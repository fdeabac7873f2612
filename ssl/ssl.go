package ssl

import (
	"crypto/tls"

	"github.com/goevent/goevent/bufferevent"
	"github.com/goevent/goevent/core"
)

// State says which side of the handshake a new TLS BufferEvent plays:
// libevent's enum bufferevent_ssl_state. The values are libevent's.
// BUFFEREVENT_SSL_OPEN (a session already handshaken) has no equivalent:
// crypto/tls cannot adopt one.
type State int

const (
	// Connecting runs the client side of the handshake.
	Connecting State = 1
	// Accepting runs the server side of the handshake.
	Accepting State = 2
)

// String returns "Connecting" or "Accepting".
func (s State) String() string {
	switch s {
	case Connecting:
		return "Connecting"
	case Accepting:
		return "Accepting"
	}
	return "State(?)"
}

// session is the TLS state of one BufferEvent, reachable from it through
// FilterContext. Every field is owned by the loop goroutine except those
// of shim documented otherwise and conn, which the handshake goroutine
// uses until it reports back.
type session struct {
	bev   *bufferevent.BufferEvent // the filter; never nil after Filter
	under *bufferevent.BufferEvent // immutable, never nil
	base  *core.Base               // immutable, never nil
	conn  *tls.Conn                // immutable, never nil
	shim  shim

	established  bool  // handshake done, Connected delivered
	failed       bool  // handshake failed or the connection below failed during it
	dead         bool  // the filter was released
	finish       bool  // send close_notify once Output is encrypted
	notifySent   bool  // close_notify sent
	gotNotify    bool  // the peer's close_notify received
	readErr      error // sticky error of the input side
	writeErr     error // sticky error of the output side
	handshakeRan bool  // the goroutine was started

	bufs   tlsBuffers // conn's record buffers (tlsbuf.go), once established
	bufsOK bool       // bufs was found
}

// NewServer returns a BufferEvent running the server side of TLS on the
// connected, non-blocking stream socket fd (libevent's
// bufferevent_openssl_socket_new with BUFFEREVENT_SSL_ACCEPTING): a socket
// BufferEvent with a TLS filter on top, freed together. With
// bufferevent.CloseOnFree in opts, Free closes fd. The handshake starts at
// once; see Filter for what follows. Call it on base's loop goroutine or
// before the loop runs.
func NewServer(base *core.Base, fd int, config *tls.Config, opts bufferevent.Options) (*bufferevent.BufferEvent, error) {
	return newSocket(base, fd, config, Accepting, opts)
}

// NewClient returns a BufferEvent running the client side of TLS on the
// stream socket fd, as NewServer does for servers. With fd -1, connect the
// socket with bev.Underlying().Connect (or ConnectHostname): the TCP
// Connected event is kept back and Connected comes once the TLS handshake
// is done. config needs ServerName (SNI and verification) or
// InsecureSkipVerify, as for tls.Client. Call it on base's loop goroutine
// or before the loop runs.
func NewClient(base *core.Base, fd int, config *tls.Config, opts bufferevent.Options) (*bufferevent.BufferEvent, error) {
	return newSocket(base, fd, config, Connecting, opts)
}

// socketWriteHigh is the write high watermark NewServer and NewClient
// give their socket: the filter encrypts Output only while the socket's
// Output holds less, so plaintext waits in Output (where watermarks and
// the write callback see it) instead of piling up encrypted.
const socketWriteHigh = 64 << 10

func newSocket(base *core.Base, fd int, config *tls.Config, state State, opts bufferevent.Options) (*bufferevent.BufferEvent, error) {
	if config == nil {
		return nil, ErrNoConfig
	}
	under, err := bufferevent.NewSocket(base, fd, opts&bufferevent.CloseOnFree)
	if err != nil {
		return nil, err
	}
	// Encrypt no further ahead of the socket than a few records.
	_ = under.SetWatermark(bufferevent.Write, 0, socketWriteHigh)
	bev, err := Filter(under, config, state, opts|bufferevent.CloseOnFree)
	if err != nil {
		under.Free()
		return nil, err
	}
	return bev, nil
}

// Filter returns a BufferEvent that runs TLS over under, any BufferEvent
// (a socket, a filter chain, one end of a pair): libevent's
// bufferevent_openssl_filter_new. It is a bufferevent filter, so
// callbacks, watermarks, timeouts, rate limits, Flush and Close work as on
// any BufferEvent: Input holds decrypted bytes, bytes added to Output are
// encrypted into under's Output. With bufferevent.CloseOnFree, Free frees
// under too.
//
// The handshake starts at once, reading from under whatever the new
// BufferEvent's own reading state. Bytes written before it ends wait in
// Output. When it succeeds the event callback gets Connected (under's own
// Connected, from a TCP connect, is kept back); when it fails, Error|Reading
// with an error wrapping ErrHandshake and crypto/tls's error. A handshake
// still running when the read timeout expires (reading enabled) gives
// Timeout|Reading as any read timeout does; Free then ends it.
//
// Once established, records are decrypted on the loop goroutine when a
// whole record is buffered, and writes are encrypted straight into
// under's Output. Flush(bufferevent.Write, bufferevent.Finished) and Close
// send close_notify after the queued bytes; the peer's close_notify gives
// EOF|Reading. A peer that closes TCP without close_notify gives EOF as
// well (libevent's BUFFEREVENT_SSL_DIRTY_SHUTDOWN): CloseNotifyReceived
// tells the two apart. Free sends nothing. Renegotiation is refused: the
// client side keeps config.Renegotiation (tls.RenegotiateNever by default)
// and the server side never renegotiates.
//
// Goroutines: the BufferEvent belongs to the loop goroutine of under's
// Base, like any other. Filter starts one goroutine that runs the
// handshake (crypto/tls handshakes cannot be resumed from the loop); it
// waits for the bytes the loop feeds it, hands its writes to the loop with
// Base.Post, and ends when the handshake ends or the BufferEvent is freed.
// No goroutine remains once the connection is established. Free (or
// Close) every BufferEvent before closing the Base, or a handshake in
// progress waits forever. Call Filter on the loop goroutine of under's
// Base or before the loop runs.
func Filter(under *bufferevent.BufferEvent, config *tls.Config, state State, opts bufferevent.Options) (*bufferevent.BufferEvent, error) {
	if config == nil {
		return nil, ErrNoConfig
	}
	if under == nil {
		return nil, bufferevent.ErrInvalid
	}
	s := &session{under: under, base: under.Base()}
	s.shim.init(s)
	switch state {
	case Connecting:
		s.conn = tls.Client(&s.shim, config)
	case Accepting:
		s.conn = tls.Server(&s.shim, config)
	default:
		return nil, ErrState
	}
	bev, err := bufferevent.NewFilterHooks(under, s.inFilter, s.outFilter, opts, bufferevent.FilterHooks{
		Context:    s,
		UnderEvent: s.underEvent,
		Closing:    s.closing,
		Destruct:   s.destruct,
	})
	if err != nil {
		return nil, err
	}
	s.bev = bev
	bev.SetFilterForceRead(true)
	s.startHandshake()
	return bev, nil
}

// session returns the TLS session of bev, or nil.
func sessionOf(bev *bufferevent.BufferEvent) *session {
	if bev == nil {
		return nil
	}
	s, _ := bev.FilterContext().(*session)
	return s
}

// ConnectionState returns the negotiated TLS state of a BufferEvent made
// by NewServer, NewClient or Filter (version, cipher suite, SNI server
// name, ALPN protocol, peer certificates, resumption), and false before
// Connected was delivered, after a failed handshake, or for other
// BufferEvents. Loop goroutine only (other goroutines: Base.Post).
func ConnectionState(bev *bufferevent.BufferEvent) (tls.ConnectionState, bool) {
	s := sessionOf(bev)
	if s == nil || !s.established {
		return tls.ConnectionState{}, false
	}
	return s.conn.ConnectionState(), true
}

// CloseNotifyReceived reports whether the peer of a TLS BufferEvent sent
// close_notify: after an EOF event, true means a clean TLS shutdown and
// false a bare TCP close (possibly a truncation attack). Loop goroutine
// only (other goroutines: Base.Post).
func CloseNotifyReceived(bev *bufferevent.BufferEvent) bool {
	s := sessionOf(bev)
	return s != nil && s.gotNotify
}
