package evhttp

import (
	"crypto/rand"
	"crypto/sha1"
	"encoding/base64"
	"encoding/binary"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/goevent/goevent/bufferevent"
	"github.com/goevent/goevent/core"
	"github.com/goevent/goevent/evbuffer"
	"golang.org/x/sys/unix"
)

// Defaults of a WSConfig; a zero field means these.
const (
	DefaultWSMaxFrameSize   = 16 << 20
	DefaultWSMaxMessageSize = 32 << 20
	DefaultWSIdleTimeout    = 120 * time.Second
	DefaultWSWriteTimeout   = 60 * time.Second
	DefaultWSCloseTimeout   = 5 * time.Second
	DefaultWSReadBuffer     = 256 << 10
)

// WSConfig holds the limits and timeouts of a WebSocket connection, and the
// subprotocol choice. The zero value means the defaults; a negative timeout
// turns it off. Upgrade and DialWebSocket copy it.
type WSConfig struct {
	// MaxFrameSize bounds the payload of one received frame; a bigger
	// frame fails the connection with 1009. Default
	// DefaultWSMaxFrameSize (16 MiB; libevent's limit is 10 MiB).
	MaxFrameSize int64
	// MaxMessageSize bounds a received message, all its fragments
	// together; a bigger one fails the connection with 1009. Default
	// DefaultWSMaxMessageSize (32 MiB).
	MaxMessageSize int64
	// IdleTimeout closes the connection (1001, "idle timeout") when
	// nothing arrives for that long. Default DefaultWSIdleTimeout.
	IdleTimeout time.Duration
	// WriteTimeout drops the connection when queued output makes no
	// progress for that long. Default DefaultWSWriteTimeout.
	WriteTimeout time.Duration
	// CloseTimeout bounds the wait for the peer's Close frame after ours,
	// and for the peer to close the TCP connection after the close
	// handshake. Default DefaultWSCloseTimeout.
	CloseTimeout time.Duration
	// ReadBuffer is how many received bytes may wait unparsed before the
	// connection stops reading from its socket (a read high watermark).
	// Default DefaultWSReadBuffer (256 KiB).
	ReadBuffer int
	// DrainLowWater is the output size at or below which the drained
	// callback (OnDrain) runs. Default 0: when all output is written.
	DrainLowWater int

	// SelectSubprotocol, on the server, picks one of the subprotocols
	// the client offered (in its order of preference) or "" for none.
	// A name the client did not offer counts as none. Nil: none.
	SelectSubprotocol func(r *Request, offered []string) string
	// Subprotocols, on the client, are offered in Sec-WebSocket-Protocol.
	Subprotocols []string
	// Header, on the client, adds fields to the upgrade request (Origin,
	// Authorization...). The handshake fields are the client's own.
	Header *Header
}

// normalize fills in the defaults.
func (cfg WSConfig) normalize() WSConfig {
	def64 := func(v *int64, d int64) {
		if *v <= 0 {
			*v = d
		}
	}
	defDur := func(v *time.Duration, d time.Duration) {
		switch {
		case *v == 0:
			*v = d
		case *v < 0:
			*v = 0
		}
	}
	def64(&cfg.MaxFrameSize, DefaultWSMaxFrameSize)
	def64(&cfg.MaxMessageSize, DefaultWSMaxMessageSize)
	defDur(&cfg.IdleTimeout, DefaultWSIdleTimeout)
	defDur(&cfg.WriteTimeout, DefaultWSWriteTimeout)
	defDur(&cfg.CloseTimeout, DefaultWSCloseTimeout)
	if cfg.ReadBuffer <= 0 {
		cfg.ReadBuffer = DefaultWSReadBuffer
	}
	if cfg.DrainLowWater < 0 {
		cfg.DrainLowWater = 0
	}
	return cfg
}

// wsGUID is the constant of RFC 6455 §1.3 appended to the key.
const wsGUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"

// wsAccept returns the Sec-WebSocket-Accept value for key.
func wsAccept(key string) string {
	h := sha1.New()
	h.Write([]byte(key))
	h.Write([]byte(wsGUID))
	return base64.StdEncoding.EncodeToString(h.Sum(nil))
}

// wsState is where a WSConn is in its life.
type wsState uint8

const (
	wsOpen      wsState = iota
	wsCloseSent         // our Close frame is out; waiting for the peer's
	wsDraining          // handshake over or failed: flushing, then waiting for EOF
	wsFreed
)

// A WSConn is one WebSocket connection (RFC 6455), server side (Upgrade) or
// client side (DialWebSocket), driven by its bufferevent's callbacks with
// no goroutine of its own.
//
// Received messages are reassembled from their fragments and delivered to
// OnMessage; pings are answered with pongs; the close handshake echoes the
// peer's Close and then closes the TCP connection, and OnClose runs once
// with how the connection ended. A peer that breaks the protocol gets a
// Close frame with the matching code (1002, 1007 or 1009) and is dropped.
//
// Goroutines: a WSConn belongs to the loop goroutine of its Base; every
// method must be called there (from its callbacks, or through
// Base().Post from other goroutines). Callbacks may call any method,
// Close and Free included.
type WSConn struct {
	bev    *bufferevent.BufferEvent // nil once freed
	base   *core.Base
	cfg    WSConfig
	client bool // masks what it sends
	proto  string

	p     wsParser
	msg   evbuffer.Buffer // the message being reassembled
	state wsState

	sendOp    Opcode // opcode of our fragmented message in progress; 0 when none
	closeCode int    // what OnClose will be told
	closeMsg  string
	closeErr  error
	closed    bool        // OnClose ran
	timer     *core.Event // close deadline
	hdr       []byte      // scratch for frame headers
	curKey    [4]byte     // mask key of the frame being written
	rnd       [256]byte   // mask keys from crypto/rand
	rndPos    int

	onMessage func(c *WSConn, op Opcode, msg *evbuffer.Buffer)
	onClose   func(c *WSConn, code int, reason string)
	onPong    func(c *WSConn, payload []byte)
	onPing    func(c *WSConn, payload []byte)
	onDrain   func(c *WSConn)
}

// wsMaxSingle is the least a WebSocket connection lets one read or write
// system call move. With the bufferevent's default (DefaultMaxSingle, 16
// KiB) a 16 KiB message plus its frame header takes two writes, the second
// a loop pass later after an epoll_ctl, and the peer's such message two
// reads; with 64 KiB messages up to 64 KiB go in one call each way.
const wsMaxSingle = 64 << 10

// newWSConn starts a WebSocket connection on bev, which the caller hands
// over. Bytes already in bev's Input are parsed once the loop runs again,
// so the caller has time to set the callbacks.
func newWSConn(bev *bufferevent.BufferEvent, cfg WSConfig, client bool, proto string) *WSConn {
	c := &WSConn{
		bev:    bev,
		base:   bev.Base(),
		cfg:    cfg,
		client: client,
		proto:  proto,
		rndPos: len(WSConn{}.rnd),
	}
	c.p = wsParser{
		requireMask: !client,
		maxFrame:    cfg.MaxFrameSize,
		maxMessage:  cfg.MaxMessageSize,
	}
	bev.SetCallbacks(c.onRead, c.onWrite, c.onEvent)
	bev.SetMaxSingleRead(max(bev.MaxSingleRead(), wsMaxSingle))
	bev.SetMaxSingleWrite(max(bev.MaxSingleWrite(), wsMaxSingle))
	bev.SetWatermark(bufferevent.Read, 0, cfg.ReadBuffer)
	bev.SetWatermark(bufferevent.Write, cfg.DrainLowWater, 0)
	bev.SetTimeouts(cfg.IdleTimeout, cfg.WriteTimeout)
	bev.Enable(bufferevent.Read | bufferevent.Write)
	if bev.Input().Len() > 0 {
		bev.Trigger(bufferevent.Read, bufferevent.DeferCallbacks|bufferevent.TriggerIgnoreWatermarks)
	}
	return c
}

// OnMessage sets fn to receive each complete message: op is OpText (valid
// UTF-8) or OpBinary, and msg holds the reassembled payload. msg belongs
// to the WSConn: fn may drain it or move its bytes out (AddBuffer, without
// copying); what is left is dropped when fn returns. Without fn messages
// are dropped.
func (c *WSConn) OnMessage(fn func(c *WSConn, op Opcode, msg *evbuffer.Buffer)) { c.onMessage = fn }

// OnClose sets fn to run once when the connection ends: code and reason
// are the peer's Close frame (CloseNoStatus when it had no code), the code
// this side failed the connection with (1002, 1007, 1009...), the code of
// a Close this side started, or CloseAbnormal when the connection dropped
// without a close handshake (Err says why). The WSConn is freed after fn.
func (c *WSConn) OnClose(fn func(c *WSConn, code int, reason string)) { c.onClose = fn }

// OnPong sets fn to receive the payload of each Pong (valid during fn).
func (c *WSConn) OnPong(fn func(c *WSConn, payload []byte)) { c.onPong = fn }

// OnPing sets fn to see the payload of each Ping (valid during fn), after
// the WSConn has queued its Pong.
func (c *WSConn) OnPing(fn func(c *WSConn, payload []byte)) { c.onPing = fn }

// OnDrain sets fn to run each time the output drains to
// WSConfig.DrainLowWater bytes after a write: the signal to send more when
// sending much (backpressure; see Buffered).
func (c *WSConn) OnDrain(fn func(c *WSConn)) { c.onDrain = fn }

// Subprotocol returns the subprotocol agreed in the handshake, or "".
func (c *WSConn) Subprotocol() string { return c.proto }

// Base returns the Base whose loop goroutine the WSConn belongs to.
func (c *WSConn) Base() *core.Base { return c.base }

// Buffered returns how many bytes are queued for sending and not yet
// written: a sender producing much should stop above its own bound and go
// on from the OnDrain callback.
func (c *WSConn) Buffered() int {
	if c.bev == nil {
		return 0
	}
	return c.bev.Output().Len()
}

// Err returns why the connection ended abnormally or was failed, or nil.
func (c *WSConn) Err() error { return c.closeErr }

// SendText sends s as one text message. It fails with ErrWSInvalidUTF8
// when s is not UTF-8, and ErrWSClosed once the close handshake started.
func (c *WSConn) SendText(s string) error {
	if !utf8.ValidString(s) {
		return ErrWSInvalidUTF8
	}
	return c.sendBytes(OpText, true, []byte(s))
}

// SendBinary sends p as one binary message; p is copied.
func (c *WSConn) SendBinary(p []byte) error {
	return c.sendBytes(OpBinary, true, p)
}

// SendMessage sends the contents of buf as one message of type op (OpText
// or OpBinary), moving its bytes without copying on the server side (a
// client copies them once, to mask them). buf is left empty. A text
// message is not checked for UTF-8.
func (c *WSConn) SendMessage(op Opcode, buf *evbuffer.Buffer) error {
	return c.SendFragment(op, buf, true)
}

// SendFragment sends buf as one fragment of a message: the first with op
// OpText or OpBinary, the later ones with OpContinuation, the last with
// fin. Control frames (Ping, Close) may go between fragments; another
// message may not start before fin. buf is moved as in SendMessage.
func (c *WSConn) SendFragment(op Opcode, buf *evbuffer.Buffer, fin bool) error {
	if err := c.checkData(op); err != nil {
		return err
	}
	if buf == nil {
		buf = new(evbuffer.Buffer)
	}
	return c.writeFrame(op, fin, buf.Len(), func(out *evbuffer.Buffer) error {
		if !c.client {
			return out.AddBuffer(buf)
		}
		return c.addMasked(out, nil, buf)
	}, fin)
}

// Ping sends a Ping carrying payload (at most 125 bytes); the peer's Pong
// comes to OnPong.
func (c *WSConn) Ping(payload []byte) error {
	if len(payload) > maxControlPayload {
		return fmt.Errorf("%w: ping payload of %d bytes", ErrWSControl, len(payload))
	}
	if c.state != wsOpen {
		return ErrWSClosed
	}
	return c.sendControl(OpPing, payload)
}

// Close starts the close handshake with code (1000 normal, 1001 going away,
// 3000-4999 for applications...) and reason (UTF-8, at most 123 bytes): it
// sends a Close frame, sends nothing more, and closes the connection when
// the peer's Close arrives or CloseTimeout passes. OnClose then runs with
// code and reason. Code 0 sends a Close without a code. Close after the
// handshake started returns ErrWSClosed.
func (c *WSConn) Close(code int, reason string) error {
	if c.state != wsOpen {
		return ErrWSClosed
	}
	if code != 0 && !validCloseCode(code) {
		return fmt.Errorf("%w: close code %d", ErrWSControl, code)
	}
	if code == 0 && reason != "" || len(reason) > maxControlPayload-2 {
		return fmt.Errorf("%w: close reason of %d bytes", ErrWSControl, len(reason))
	}
	if !utf8.ValidString(reason) {
		return ErrWSInvalidUTF8
	}
	c.closeCode, c.closeMsg = code, reason
	if code == 0 {
		c.closeCode = CloseNoStatus
	}
	c.sendClose(code, reason)
	c.state = wsCloseSent
	c.startCloseTimer()
	return nil
}

// Free drops the connection at once, without a close handshake; OnClose
// does not run. Freeing twice does nothing.
func (c *WSConn) Free() {
	c.closed = true
	c.release()
}

// checkData checks that a data frame of op may be sent now.
func (c *WSConn) checkData(op Opcode) error {
	if c.state != wsOpen {
		return ErrWSClosed
	}
	switch {
	case op == OpContinuation && c.sendOp == 0:
		return fmt.Errorf("%w: continuation without a message", ErrWSControl)
	case op == OpText || op == OpBinary:
		if c.sendOp != 0 {
			return fmt.Errorf("%w: new message inside a fragmented message", ErrWSControl)
		}
	case op != OpContinuation:
		return fmt.Errorf("%w: %v is not a data opcode", ErrWSControl, op)
	}
	return nil
}

func (c *WSConn) sendBytes(op Opcode, fin bool, p []byte) error {
	if err := c.checkData(op); err != nil {
		return err
	}
	return c.writeFrame(op, fin, len(p), func(out *evbuffer.Buffer) error {
		if !c.client {
			return out.Add(p)
		}
		return c.addMasked(out, p, nil)
	}, fin)
}

// writeFrame queues a data frame's header and lets body add its n payload
// bytes, then tracks fragmentation.
func (c *WSConn) writeFrame(op Opcode, fin bool, n int, body func(out *evbuffer.Buffer) error, last bool) error {
	out := c.bev.Output()
	key := c.maskKey()
	c.hdr = appendFrameHeader(c.hdr[:0], fin, op, n, c.client, key)
	if err := out.Add(c.hdr); err != nil {
		return fmt.Errorf("%w: %w", ErrBuffer, err)
	}
	c.curKey = key
	if err := body(out); err != nil {
		return fmt.Errorf("%w: %w", ErrBuffer, err)
	}
	switch {
	case last:
		c.sendOp = 0
	case op != OpContinuation:
		c.sendOp = op
	}
	return nil
}

// addMasked appends p, or the contents of buf (drained), to out masked with
// the key of the frame being written.
func (c *WSConn) addMasked(out *evbuffer.Buffer, p []byte, buf *evbuffer.Buffer) error {
	pos := 0
	if buf == nil {
		for len(p) > 0 {
			k := min(len(p), 64<<10)
			dst := out.Reserve(k)
			if dst == nil {
				return evbuffer.ErrFrozen
			}
			copy(dst[:k], p[:k])
			pos = maskBytes(dst[:k], c.curKey, pos)
			if err := out.Commit(k); err != nil {
				return err
			}
			p = p[k:]
		}
		return nil
	}
	for buf.Len() > 0 {
		k := min(buf.Len(), 64<<10)
		dst := out.Reserve(k)
		if dst == nil {
			return evbuffer.ErrFrozen
		}
		buf.Remove(dst[:k])
		pos = maskBytes(dst[:k], c.curKey, pos)
		if err := out.Commit(k); err != nil {
			return err
		}
	}
	return nil
}

// maskKey returns a fresh random mask key for a client frame (RFC 6455
// §5.3: unpredictable, from crypto/rand), or zero on the server.
func (c *WSConn) maskKey() [4]byte {
	var key [4]byte
	if !c.client {
		return key
	}
	if c.rndPos+4 > len(c.rnd) {
		rand.Read(c.rnd[:])
		c.rndPos = 0
	}
	copy(key[:], c.rnd[c.rndPos:])
	c.rndPos += 4
	return key
}

// sendControl queues a control frame.
func (c *WSConn) sendControl(op Opcode, payload []byte) error {
	if c.bev == nil {
		return ErrWSClosed
	}
	key := c.maskKey()
	var frame [wsMaxHeader + maxControlPayload]byte
	b := appendFrameHeader(frame[:0], true, op, len(payload), c.client, key)
	start := len(b)
	b = append(b, payload...)
	if c.client {
		maskBytes(b[start:], key, 0)
	}
	if err := c.bev.Output().Add(b); err != nil {
		return fmt.Errorf("%w: %w", ErrBuffer, err)
	}
	return nil
}

// sendClose queues a Close frame; code 0 means none.
func (c *WSConn) sendClose(code int, reason string) {
	var p [maxControlPayload]byte
	n := 0
	if code != 0 {
		binary.BigEndian.PutUint16(p[:], uint16(code))
		n = 2 + copy(p[2:], reason)
	}
	c.sendControl(OpClose, p[:n])
}

// startCloseTimer arms the deadline of the closing handshake.
func (c *WSConn) startCloseTimer() {
	if c.cfg.CloseTimeout <= 0 {
		return
	}
	if c.timer == nil {
		c.timer = c.base.NewTimer(func(int, core.Flags) { c.onCloseTimeout() })
	}
	c.timer.AddTimeout(c.cfg.CloseTimeout)
}

func (c *WSConn) onCloseTimeout() {
	switch c.state {
	case wsCloseSent:
		// The peer never answered our Close.
		c.closeErr = fmt.Errorf("%w: no close reply within %v", ErrTimeout, c.cfg.CloseTimeout)
		c.finish()
	case wsDraining:
		c.finish()
	}
}

// onRead parses what arrived.
func (c *WSConn) onRead(bev *bufferevent.BufferEvent) {
	in := bev.Input()
	for c.state == wsOpen || c.state == wsCloseSent {
		st, f, err := c.p.step(in, &c.msg)
		switch st {
		case NeedMore:
			return
		case Corrupt, TooLong:
			c.fail(wsCloseCode(err), err)
			return
		}
		c.handleFrame(f)
	}
	if c.state == wsDraining && c.bev != nil {
		in.Drain(in.Len())
	}
}

// handleFrame acts on a complete frame.
func (c *WSConn) handleFrame(f wsFrame) {
	switch f.op {
	case OpPing:
		if c.state == wsOpen {
			c.sendControl(OpPong, c.p.control())
		}
		if c.onPing != nil {
			c.onPing(c, c.p.control())
		}
	case OpPong:
		if c.onPong != nil {
			c.onPong(c, c.p.control())
		}
	case OpClose:
		c.peerClose(c.p.control())
	default:
		if f.msgOp == 0 {
			return
		}
		if c.state == wsOpen && c.onMessage != nil {
			c.onMessage(c, f.msgOp, &c.msg)
		}
		c.msg.Drain(c.msg.Len())
	}
}

// peerClose handles the peer's Close frame: the reply to ours, or its own
// start of the handshake, which is echoed.
func (c *WSConn) peerClose(p []byte) {
	code, reason := CloseNoStatus, ""
	if len(p) >= 2 {
		code, reason = int(binary.BigEndian.Uint16(p)), string(p[2:])
	}
	if c.state == wsOpen {
		c.closeCode, c.closeMsg = code, reason
		if code == CloseNoStatus {
			c.sendClose(0, "")
		} else {
			c.sendClose(code, reason) // echoed, as RFC 6455 §5.5.1 suggests
		}
	}
	c.drain()
}

// fail fails the connection (RFC 6455 §7.1.7): a Close with code, then
// the TCP connection is closed without waiting for the peer's Close.
func (c *WSConn) fail(code int, err error) {
	if c.state == wsOpen {
		c.sendClose(code, "")
	}
	c.closeCode, c.closeMsg, c.closeErr = code, "", err
	c.drain()
}

// drain ends the WebSocket conversation: once the output is written the
// write side is shut down, and input is read and dropped until the peer
// closes too or CloseTimeout passes, so that the peer sees our last frame
// rather than a reset.
func (c *WSConn) drain() {
	if c.bev == nil || c.state == wsDraining {
		return
	}
	c.state = wsDraining
	c.msg.Drain(c.msg.Len())
	c.bev.SetWatermark(bufferevent.Write, 0, 0)
	c.bev.SetWatermark(bufferevent.Read, 0, 0)
	c.bev.Enable(bufferevent.Read)
	c.bev.Input().Drain(c.bev.Input().Len())
	c.startCloseTimer()
	if c.bev.Output().Len() == 0 {
		c.shutdownWrite()
	}
}

// shutdownWrite sends FIN once a draining connection's output is out.
func (c *WSConn) shutdownWrite() {
	if fd := c.bev.FD(); fd >= 0 && c.bev.Underlying() == nil {
		if unix.Shutdown(fd, unix.SHUT_WR) == nil {
			return
		}
	}
	// No socket of our own to half-close (TLS, a pair): end here.
	c.finish()
}

func (c *WSConn) onWrite(bev *bufferevent.BufferEvent) {
	switch c.state {
	case wsDraining:
		if bev.Output().Len() == 0 {
			c.shutdownWrite()
		}
	case wsOpen:
		if c.onDrain != nil {
			c.onDrain(c)
		}
	}
}

func (c *WSConn) onEvent(bev *bufferevent.BufferEvent, what bufferevent.What, err error) {
	switch {
	case what&bufferevent.EOF != 0:
		if c.state != wsDraining {
			c.closeCode, c.closeMsg = CloseAbnormal, ""
			c.closeErr = fmt.Errorf("%w: connection closed without a close handshake", ErrIncomplete)
		}
		c.finish()
	case what&bufferevent.Timeout != 0 && what&bufferevent.Reading != 0 && c.state == wsOpen:
		// Idle: say so and start the close handshake.
		bev.Enable(bufferevent.Read)
		c.Close(CloseGoingAway, "idle timeout")
	case what&bufferevent.Timeout != 0 && c.state == wsDraining:
		c.finish()
	default:
		if c.state != wsDraining {
			c.closeCode, c.closeMsg = CloseAbnormal, ""
		}
		if err == nil {
			err = ErrTimeout
		}
		c.closeErr = err
		c.finish()
	}
}

// finish frees the connection and runs OnClose once.
func (c *WSConn) finish() {
	c.release()
	if !c.closed {
		c.closed = true
		if c.onClose != nil {
			c.onClose(c, c.closeCode, c.closeMsg)
		}
	}
}

// release frees the bufferevent and the timer.
func (c *WSConn) release() {
	if c.timer != nil {
		c.timer.Free()
		c.timer = nil
	}
	if c.bev != nil {
		c.bev.Free()
		c.bev = nil
	}
	c.msg.Reset()
	c.state = wsFreed
}

// Upgrade answers r, a WebSocket opening handshake (RFC 6455 §4.2), and
// returns the connection: libevent's evws_new_session, stricter. It checks
// that r is a GET in HTTP/1.1 with "Upgrade: websocket", a Connection
// field holding "upgrade", Sec-WebSocket-Version 13 and a
// Sec-WebSocket-Key of 16 bytes in base64; picks a subprotocol with
// cfg.SelectSubprotocol; replies 101 with Sec-WebSocket-Accept and takes
// the connection with Hijack (bytes the client already sent are kept).
//
// When the request is not an acceptable handshake Upgrade answers it
// itself (405 with Allow for another method, 426 with Upgrade or
// Sec-WebSocket-Version for a missing upgrade or another version, 400
// otherwise) and returns an error wrapping ErrWSHandshake. cfg may be nil
// for the defaults. Call it from the handler, on the loop goroutine; set
// the callbacks before returning to the loop.
func Upgrade(r *Request, cfg *WSConfig) (*WSConn, error) {
	var c WSConfig
	if cfg != nil {
		c = *cfg
	}
	c = c.normalize()
	h := r.InputHeaders()
	reject := func(code int, why string) (*WSConn, error) {
		// Not SendError, which would drop the fields set for the client.
		r.OutputHeaders().Set("Content-Type", "text/plain; charset=utf-8")
		r.OutputBuffer().AddString("websocket handshake refused: " + why + "\n")
		r.SendReply(code, "", nil)
		return nil, fmt.Errorf("%w: %s", ErrWSHandshake, why)
	}
	switch {
	case r.Method() != "GET":
		r.OutputHeaders().Set("Allow", "GET")
		return reject(StatusMethodNotAllowed, "method "+r.Method())
	case r.ProtoMinor() < 1:
		return reject(StatusBadRequest, "HTTP/1.0 request")
	case !headerHasToken(h, "Upgrade", "websocket"):
		r.OutputHeaders().Set("Upgrade", "websocket")
		r.OutputHeaders().Set("Connection", "Upgrade")
		return reject(StatusUpgradeRequired, "no Upgrade: websocket")
	case !headerHasToken(h, "Connection", "upgrade"):
		return reject(StatusBadRequest, "no Connection: upgrade")
	}
	if v := h.Values("Sec-WebSocket-Version"); len(v) != 1 || v[0] != "13" {
		r.OutputHeaders().Set("Sec-WebSocket-Version", "13")
		return reject(StatusUpgradeRequired, "Sec-WebSocket-Version is not 13")
	}
	keys := h.Values("Sec-WebSocket-Key")
	if len(keys) != 1 || !validWSKey(keys[0]) {
		return reject(StatusBadRequest, "invalid Sec-WebSocket-Key")
	}
	proto := ""
	if c.SelectSubprotocol != nil {
		offered := headerTokens(h, "Sec-WebSocket-Protocol")
		if p := c.SelectSubprotocol(r, offered); p != "" {
			for _, o := range offered {
				if o == p {
					proto = p
				}
			}
		}
	}
	out := r.OutputHeaders()
	out.Set("Upgrade", "websocket")
	out.Set("Connection", "Upgrade")
	out.Set("Sec-WebSocket-Accept", wsAccept(keys[0]))
	if proto != "" {
		out.Set("Sec-WebSocket-Protocol", proto)
	}
	if err := r.SendReply(StatusSwitchingProtocols, "", nil); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrWSHandshake, err)
	}
	bev, err := r.Hijack()
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrWSHandshake, err)
	}
	return newWSConn(bev, c, false, proto), nil
}

// StatusUpgradeRequired is 426 Upgrade Required (RFC 9110 §15.5.22).
const StatusUpgradeRequired = 426

// validWSKey reports whether key is the base64 form of 16 bytes.
func validWSKey(key string) bool {
	if len(key) != 24 {
		return false
	}
	b, err := base64.StdEncoding.DecodeString(key)
	return err == nil && len(b) == 16
}

// headerTokens returns the comma-separated tokens of every field named
// name, without surrounding whitespace.
func headerTokens(h *Header, name string) []string {
	var toks []string
	for _, v := range h.Values(name) {
		for len(v) > 0 {
			tok := v
			if i := strings.IndexByte(v, ','); i >= 0 {
				tok, v = v[:i], v[i+1:]
			} else {
				v = ""
			}
			if tok = strings.Trim(tok, " \t"); tok != "" {
				toks = append(toks, tok)
			}
		}
	}
	return toks
}

// headerHasToken reports whether a field named name lists tok
// (case-insensitive).
func headerHasToken(h *Header, name, tok string) bool {
	for _, t := range headerTokens(h, name) {
		if asciiEqualFold(t, tok) {
			return true
		}
	}
	return false
}

// asciiEqualFold compares a and b folding ASCII letters only.
func asciiEqualFold(a, b string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := 0; i < len(a); i++ {
		x, y := a[i], b[i]
		if 'A' <= x && x <= 'Z' {
			x += 'a' - 'A'
		}
		if 'A' <= y && y <= 'Z' {
			y += 'a' - 'A'
		}
		if x != y {
			return false
		}
	}
	return true
}
