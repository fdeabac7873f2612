package evhttp

import (
	"bytes"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/goevent/goevent/bufferevent"
	"github.com/goevent/goevent/core"
	"github.com/goevent/goevent/evbuffer"
	"golang.org/x/sys/unix"
)

// DefaultWSHandshakeTimeout bounds a client's connect and opening
// handshake when WSDialConfig.HandshakeTimeout is zero.
const DefaultWSHandshakeTimeout = 30 * time.Second

// wsMaxResponseHead bounds the 101 response head a client accepts.
const wsMaxResponseHead = 16 << 10

// WSDialConfig configures DialWebSocket: the connection's WSConfig and what
// only a client needs. The zero value means the defaults.
type WSDialConfig struct {
	WSConfig
	// Resolver looks up the host name; nil means a bufferevent.NetResolver.
	Resolver bufferevent.Resolver
	// HandshakeTimeout bounds the lookup, connect and opening handshake
	// (each read and write of it). Default DefaultWSHandshakeTimeout.
	HandshakeTimeout time.Duration
}

// DialWebSocket connects to url ("ws://host[:port]/path?query") on base and
// runs the opening handshake (RFC 6455 §4.1): a GET with a random
// Sec-WebSocket-Key from crypto/rand, the subprotocols of cfg and its extra
// header fields; the answer must be a 101 with the matching
// Sec-WebSocket-Accept, "Upgrade: websocket", "Connection: upgrade", no
// extension and no subprotocol that was not offered. done then runs once
// on base's loop goroutine with the connection, whose frames are masked
// with random keys, or with an error wrapping ErrWSHandshake (or a
// bufferevent connect error, or ErrTimeout). cfg may be nil.
//
// The host is resolved through cfg.Resolver. wss is not supported yet.
// Loop goroutine only (other goroutines: Base.Post); an error returned
// here means done will not run.
func DialWebSocket(base *core.Base, url string, cfg *WSDialConfig, done func(c *WSConn, err error)) error {
	var dc WSDialConfig
	if cfg != nil {
		dc = *cfg
	}
	dc.WSConfig = dc.WSConfig.normalize()
	switch {
	case dc.HandshakeTimeout == 0:
		dc.HandshakeTimeout = DefaultWSHandshakeTimeout
	case dc.HandshakeTimeout < 0:
		dc.HandshakeTimeout = 0
	}
	u, err := ParseURI(url, URIHostStripBrackets)
	if err != nil {
		return fmt.Errorf("%w: %w", ErrWSHandshake, err)
	}
	if !strings.EqualFold(u.Scheme, "ws") || u.Host == "" || u.Userinfo != "" {
		return fmt.Errorf("%w: %q is not a ws:// URL", ErrWSHandshake, url)
	}
	port := u.Port
	if port < 0 {
		port = 80
	}
	var rnd [16]byte
	rand.Read(rnd[:])
	key := base64.StdEncoding.EncodeToString(rnd[:])
	target := u.Path
	if target == "" {
		target = "/"
	}
	if u.Query != "" {
		target += "?" + u.Query
	}
	host := u.Host
	if strings.IndexByte(host, ':') >= 0 {
		host = "[" + host + "]"
	}
	if port != 80 {
		host += ":" + strconv.Itoa(port)
	}
	req, err := wsRequestHead(target, host, key, &dc.WSConfig)
	if err != nil {
		return err
	}

	bev, err := bufferevent.NewSocket(base, -1, bufferevent.CloseOnFree)
	if err != nil {
		return fmt.Errorf("%w: %w", ErrWSHandshake, err)
	}
	d := &wsDialer{bev: bev, cfg: dc, accept: wsAccept(key), done: done}
	bev.SetCallbacks(d.onRead, nil, d.onEvent)
	bev.SetTimeouts(dc.HandshakeTimeout, dc.HandshakeTimeout)
	bev.Output().Add(req)
	bev.Enable(bufferevent.Read | bufferevent.Write)
	family := unix.AF_UNSPEC
	resolver := dc.Resolver
	if resolver == nil {
		resolver = bufferevent.NetResolver{}
	}
	if err := bev.ConnectHostname(resolver, family, u.Host, port); err != nil {
		bev.Free()
		return fmt.Errorf("%w: %w", ErrWSHandshake, err)
	}
	return nil
}

// wsRequestHead builds the upgrade request.
func wsRequestHead(target, host, key string, cfg *WSConfig) ([]byte, error) {
	var b bytes.Buffer
	b.WriteString("GET " + target + " HTTP/1.1\r\nHost: " + host + "\r\n")
	b.WriteString("Upgrade: websocket\r\nConnection: Upgrade\r\n")
	b.WriteString("Sec-WebSocket-Key: " + key + "\r\nSec-WebSocket-Version: 13\r\n")
	if len(cfg.Subprotocols) > 0 {
		for _, p := range cfg.Subprotocols {
			if !isToken([]byte(p)) {
				return nil, fmt.Errorf("%w: subprotocol %q is not a token", ErrWSHandshake, p)
			}
		}
		b.WriteString("Sec-WebSocket-Protocol: " + strings.Join(cfg.Subprotocols, ", ") + "\r\n")
	}
	var err error
	if cfg.Header != nil {
		cfg.Header.Range(func(name, value string) bool {
			switch strings.ToLower(name) {
			case "host", "upgrade", "connection", "sec-websocket-key", "sec-websocket-version",
				"sec-websocket-protocol", "sec-websocket-extensions", "content-length", "transfer-encoding":
				return true
			}
			if !isToken([]byte(name)) || !validFieldValue([]byte(value)) {
				err = fmt.Errorf("%w: %w: %q", ErrWSHandshake, ErrInvalidField, name)
				return false
			}
			b.WriteString(name + ": " + value + "\r\n")
			return true
		})
	}
	b.WriteString("\r\n")
	return b.Bytes(), err
}

// wsDialer is a client connection until its handshake ends.
type wsDialer struct {
	bev      *bufferevent.BufferEvent
	cfg      WSDialConfig
	accept   string // the Sec-WebSocket-Accept expected
	searched int    // bytes already searched for the end of the head
	done     func(*WSConn, error)
}

func (d *wsDialer) fail(err error) {
	d.bev.Free()
	d.done(nil, err)
}

func (d *wsDialer) onEvent(bev *bufferevent.BufferEvent, what bufferevent.What, err error) {
	switch {
	case what&bufferevent.Connected != 0:
		return
	case what&bufferevent.Timeout != 0:
		d.fail(fmt.Errorf("%w: %w", ErrWSHandshake, ErrTimeout))
	case what&bufferevent.EOF != 0:
		d.fail(fmt.Errorf("%w: connection closed before the response", ErrWSHandshake))
	default:
		if err == nil {
			err = fmt.Errorf("event %v", what)
		}
		d.fail(fmt.Errorf("%w: %w", ErrWSHandshake, err))
	}
}

func (d *wsDialer) onRead(bev *bufferevent.BufferEvent) {
	in := bev.Input()
	start := max(d.searched-3, 0)
	var sp evbuffer.Ptr
	in.PtrSet(&sp, start, evbuffer.PtrSetAbs)
	end := in.Search([]byte("\r\n\r\n"), &sp)
	if end.Pos < 0 {
		d.searched = in.Len()
		if in.Len() > wsMaxResponseHead {
			d.fail(fmt.Errorf("%w: response head over %d bytes", ErrWSHandshake, wsMaxResponseHead))
		}
		return
	}
	n := end.Pos + 4
	if n > wsMaxResponseHead {
		d.fail(fmt.Errorf("%w: response head over %d bytes", ErrWSHandshake, wsMaxResponseHead))
		return
	}
	head := make([]byte, n)
	in.Remove(head)
	proto, err := checkWSResponse(head, d.accept, d.cfg.Subprotocols)
	if err != nil {
		d.fail(err)
		return
	}
	c := newWSConn(bev, d.cfg.WSConfig, true, proto)
	d.done(c, nil)
}

// checkWSResponse parses a response head (status line to the empty line,
// CRLF endings) and checks that it accepts the upgrade. It returns the
// subprotocol chosen.
func checkWSResponse(head []byte, accept string, offered []string) (string, error) {
	bad := func(format string, args ...any) (string, error) {
		return "", fmt.Errorf("%w: "+format, append([]any{ErrWSHandshake}, args...)...)
	}
	lines := bytes.Split(head[:len(head)-4], []byte("\r\n"))
	status := lines[0]
	if len(status) < 12 || !bytes.HasPrefix(status, []byte("HTTP/1.")) || status[8] != ' ' ||
		status[7] < '0' || status[7] > '9' || len(status) > 12 && status[12] != ' ' {
		return bad("malformed status line %q", status)
	}
	code, err := strconv.Atoi(string(status[9:12]))
	if err != nil || status[9] < '1' || status[9] > '9' {
		return bad("malformed status line %q", status)
	}
	if code != StatusSwitchingProtocols {
		return bad("status %d, not 101", code)
	}
	var h Header
	for _, line := range lines[1:] {
		if bytes.IndexByte(line, '\r') >= 0 || bytes.IndexByte(line, '\n') >= 0 || bytes.IndexByte(line, 0) >= 0 {
			return bad("bare CR, LF or NUL in the response head")
		}
		i := bytes.IndexByte(line, ':')
		if i <= 0 || !isToken(line[:i]) {
			return bad("malformed header line %q", line)
		}
		value := bytes.Trim(line[i+1:], " \t")
		if !validFieldValue(value) {
			return bad("invalid value of %q", line[:i])
		}
		h.Add(string(line[:i]), string(value))
	}
	switch {
	case !headerHasToken(&h, "Upgrade", "websocket"):
		return bad("no Upgrade: websocket in the 101")
	case !headerHasToken(&h, "Connection", "upgrade"):
		return bad("no Connection: upgrade in the 101")
	case len(h.Values("Sec-WebSocket-Accept")) != 1 || h.Get("Sec-WebSocket-Accept") != accept:
		return bad("wrong Sec-WebSocket-Accept %q", h.Get("Sec-WebSocket-Accept"))
	case h.Has("Sec-WebSocket-Extensions"):
		return bad("extension %q not offered", h.Get("Sec-WebSocket-Extensions"))
	}
	protos := h.Values("Sec-WebSocket-Protocol")
	if len(protos) == 0 {
		return "", nil
	}
	if len(protos) == 1 {
		for _, o := range offered {
			if o == protos[0] {
				return o, nil
			}
		}
	}
	return bad("subprotocol %q not offered", protos)
}
