package evhttp

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/goevent/goevent/evbuffer"
	"github.com/goevent/goevent/internal/basetest"
)

// wstClose is how a server-side WSConn ended, as OnClose reported it.
type wstClose struct {
	code   int
	reason string
}

// wstEchoServer starts a Server whose "/ws" route upgrades and echoes every
// message, moving its bytes. A text message "close:CODE" makes the server
// start the close handshake with CODE; "flood:N" makes it send N binary
// messages of 64 KiB with backpressure, "frag" a fragmented text message.
// OnClose results arrive on the returned channel.
func wstEchoServer(t *testing.T, cfg *WSConfig) (*testServer, chan wstClose) {
	t.Helper()
	closes := make(chan wstClose, 16)
	ts := startServer(t, nil, func(s *Server) {
		s.SetCallback("/ws", func(r *Request) {
			c, err := Upgrade(r, cfg)
			if err != nil {
				return
			}
			c.OnClose(func(c *WSConn, code int, reason string) { closes <- wstClose{code, reason} })
			c.OnMessage(func(c *WSConn, op Opcode, msg *evbuffer.Buffer) {
				if op == OpText && msg.Len() < 64 {
					cmd := make([]byte, msg.Len())
					msg.CopyOut(cmd)
					var n int
					switch s := string(cmd); {
					case strings.HasPrefix(s, "close:"):
						fmt.Sscan(s[6:], &n)
						c.Close(n, "server done")
						return
					case strings.HasPrefix(s, "flood:"):
						fmt.Sscan(s[6:], &n)
						wstFlood(c, n)
						return
					case s == "frag":
						for i, part := range []string{"fr", "ag", "ment"} {
							var b evbuffer.Buffer
							b.AddString(part)
							op := OpContinuation
							if i == 0 {
								op = OpText
							}
							c.SendFragment(op, &b, i == 2)
							c.Ping([]byte("between"))
						}
						return
					}
				}
				c.SendMessage(op, msg)
			})
		})
	})
	return ts, closes
}

// wstFlood sends n binary messages of 64 KiB, never holding more than 256
// KiB of unsent output: the rest goes from OnDrain. The last message is
// "end". A failure is reported by sending "overflow".
func wstFlood(c *WSConn, n int) {
	const bound = 256 << 10
	payload := bytes.Repeat([]byte{0xAB}, 64<<10)
	sent := 0
	var pump func(c *WSConn)
	pump = func(c *WSConn) {
		for sent < n && c.Buffered() < bound {
			c.SendBinary(payload)
			sent++
			if c.Buffered() > bound+len(payload)+16 {
				c.SendText("overflow")
			}
		}
		if sent == n {
			c.OnDrain(nil)
			c.SendText("end")
		}
	}
	c.OnDrain(pump)
	pump(c)
}

// wstDial opens a raw connection to ts and performs the handshake.
func wstDial(t *testing.T, ts *testServer) (net.Conn, *bufio.Reader) {
	t.Helper()
	c := ts.dial(t)
	fmt.Fprintf(c, "GET /ws HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: keep-alive, Upgrade\r\n"+
		"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n")
	br := bufio.NewReader(c)
	resp := readResponse(t, br, true)
	if resp.code != 101 || resp.header("sec-websocket-accept") != "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=" {
		t.Fatalf("handshake: %s %v", resp.status, resp.headers)
	}
	return c, br
}

// wstReadFrame reads one unmasked frame.
func wstReadFrame(br *bufio.Reader) (b0 byte, payload []byte, err error) {
	var h [2]byte
	if _, err = io.ReadFull(br, h[:]); err != nil {
		return 0, nil, err
	}
	if h[1]&0x80 != 0 {
		return 0, nil, errors.New("masked server frame")
	}
	n := uint64(h[1] & 0x7F)
	switch n {
	case 126:
		var l [2]byte
		io.ReadFull(br, l[:])
		n = uint64(binary.BigEndian.Uint16(l[:]))
	case 127:
		var l [8]byte
		io.ReadFull(br, l[:])
		n = binary.BigEndian.Uint64(l[:])
	}
	payload = make([]byte, n)
	_, err = io.ReadFull(br, payload)
	return h[0], payload, err
}

// wstExpectClose reads frames until a Close, checks its code, then expects
// the server to close the connection.
func wstExpectClose(t *testing.T, c net.Conn, br *bufio.Reader, code int) {
	t.Helper()
	for {
		b0, p, err := wstReadFrame(br)
		if err != nil {
			t.Fatalf("reading for close %d: %v", code, err)
		}
		if b0 != 0x88 {
			continue
		}
		if len(p) < 2 || int(binary.BigEndian.Uint16(p)) != code {
			t.Fatalf("close payload %q, want code %d", p, code)
		}
		break
	}
	expectClosed(t, c, br, 10*time.Second)
	c.Close() // lets the server see EOF and finish at once
}

func TestWSHandshakeRejects(t *testing.T) {
	ts, _ := wstEchoServer(t, nil)
	good := "Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"
	tests := []struct {
		name, req string
		code      int
		header    string
	}{
		{"post", "POST /ws HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n" + good, 405, "allow"},
		{"http/1.0", "GET /ws HTTP/1.0\r\n" + good, 400, ""},
		{"no upgrade", "GET /ws HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n", 426, "upgrade"},
		{"no connection", "GET /ws HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n", 400, ""},
		{"version 8", "GET /ws HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 8\r\n", 426, "sec-websocket-version"},
		{"short key", "GET /ws HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: c2hvcnQ=\r\nSec-WebSocket-Version: 13\r\n", 400, ""},
		{"two keys", "GET /ws HTTP/1.1\r\nHost: x\r\n" + good + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n", 400, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := ts.dial(t)
			io.WriteString(c, tt.req+"\r\n")
			resp := readResponse(t, bufio.NewReader(c), false)
			if resp.code != tt.code {
				t.Fatalf("status %d, want %d", resp.code, tt.code)
			}
			if tt.header != "" && resp.header(tt.header) == "" {
				t.Fatalf("no %s field in %v", tt.header, resp.headers)
			}
		})
	}
}

func TestWSMalformedFramesClose(t *testing.T) {
	ts, closes := wstEchoServer(t, &WSConfig{MaxFrameSize: 1 << 16, MaxMessageSize: 1 << 17})
	cp := func(code int, reason string) []byte {
		return append(binary.BigEndian.AppendUint16(nil, uint16(code)), reason...)
	}
	tests := []struct {
		name string
		data []byte
		code int
	}{
		{"unmasked", wsfFrame(0x81, []byte("hi"), false), 1002},
		{"reserved bits", wsfFrame(0xA1, []byte("hi"), true), 1002},
		{"reserved opcode", wsfFrame(0x85, nil, true), 1002},
		{"oversized length", []byte{0x82, 0xFF, 0x7F, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 1, 2, 3, 4}, 1009},
		{"frame over limit", []byte{0x82, 0xFF, 0, 0, 0, 0, 0, 2, 0, 0, 1, 2, 3, 4}, 1009},
		{"message over limit", append(append(wsfFrame(0x02, make([]byte, 60000), true), wsfFrame(0x00, make([]byte, 60000), true)...), wsfFrame(0x80, make([]byte, 60000), true)...), 1009},
		{"bad utf8", wsfFrame(0x81, []byte("caf\xC3"), true), 1007},
		{"control over 125", wsfFrame(0x89, make([]byte, 126), true), 1002},
		{"fragmented control", wsfFrame(0x09, []byte("x"), true), 1002},
		{"bad close code", wsfFrame(0x88, cp(1005, ""), true), 1002},
		{"bad close reason", wsfFrame(0x88, cp(1000, "\xFE"), true), 1007},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, br := wstDial(t, ts)
			c.Write(tt.data)
			wstExpectClose(t, c, br, tt.code)
			select {
			case cl := <-closes:
				if cl.code != tt.code {
					t.Fatalf("server OnClose code %d, want %d", cl.code, tt.code)
				}
			case <-time.After(10 * time.Second):
				t.Fatal("server OnClose did not run")
			}
		})
	}
}

func TestWSPingPongAndClientClose(t *testing.T) {
	ts, closes := wstEchoServer(t, nil)
	c, br := wstDial(t, ts)
	c.Write(wsfFrame(0x89, []byte("are you there"), true))
	b0, p, err := wstReadFrame(br)
	if err != nil || b0 != 0x8A || string(p) != "are you there" {
		t.Fatalf("pong: %#x %q %v", b0, p, err)
	}
	// A fragmented message with a ping in the middle comes back whole.
	c.Write(wsfFrame(0x01, []byte("hel"), true))
	c.Write(wsfFrame(0x89, nil, true))
	c.Write(wsfFrame(0x80, []byte("lo"), true))
	if b0, p, _ = wstReadFrame(br); b0 != 0x8A || len(p) != 0 {
		t.Fatalf("pong between fragments: %#x %q", b0, p)
	}
	if b0, p, _ = wstReadFrame(br); b0 != 0x81 || string(p) != "hello" {
		t.Fatalf("echo: %#x %q", b0, p)
	}
	c.Write(wsfFrame(0x88, append([]byte{0x03, 0xE8}, "bye"...), true))
	wstExpectClose(t, c, br, 1000)
	if cl := <-closes; cl != (wstClose{1000, "bye"}) {
		t.Fatalf("server OnClose %+v", cl)
	}
}

func TestWSServerClose(t *testing.T) {
	ts, closes := wstEchoServer(t, &WSConfig{CloseTimeout: 300 * time.Millisecond})
	// The peer answers: the handshake completes and the server closes TCP.
	c, br := wstDial(t, ts)
	c.Write(wsfFrame(0x81, []byte("close:4000"), true))
	b0, p, err := wstReadFrame(br)
	if err != nil || b0 != 0x88 || binary.BigEndian.Uint16(p) != 4000 || string(p[2:]) != "server done" {
		t.Fatalf("close frame: %#x %q %v", b0, p, err)
	}
	c.Write(wsfFrame(0x88, p[:2], true))
	expectClosed(t, c, br, 10*time.Second)
	if cl := <-closes; cl != (wstClose{4000, "server done"}) {
		t.Fatalf("server OnClose %+v", cl)
	}
	// The peer never answers: the close timeout drops the connection.
	c, br = wstDial(t, ts)
	c.Write(wsfFrame(0x81, []byte("close:1001"), true))
	if b0, _, _ := wstReadFrame(br); b0 != 0x88 {
		t.Fatalf("frame %#x, want close", b0)
	}
	expectClosed(t, c, br, 10*time.Second)
	<-closes
}

func TestWSIdleTimeout(t *testing.T) {
	ts, closes := wstEchoServer(t, &WSConfig{IdleTimeout: 200 * time.Millisecond})
	c, br := wstDial(t, ts)
	b0, p, err := wstReadFrame(br)
	if err != nil || b0 != 0x88 || binary.BigEndian.Uint16(p) != CloseGoingAway {
		t.Fatalf("idle close: %#x %q %v", b0, p, err)
	}
	c.Write(wsfFrame(0x88, p[:2], true))
	expectClosed(t, c, br, 10*time.Second)
	if cl := <-closes; cl.code != CloseGoingAway {
		t.Fatalf("server OnClose %+v", cl)
	}
}

// wstClientEvent is what the client side of a test saw.
type wstClientEvent struct {
	op   Opcode
	data []byte
	code int // for close
}

// wstDialClient runs DialWebSocket on ts's loop and forwards what the
// client receives (messages, pings and pongs, the close as OpClose).
func wstDialClient(t *testing.T, ts *testServer, cfg *WSDialConfig) (*WSConn, chan wstClientEvent) {
	t.Helper()
	events := make(chan wstClientEvent, 1024)
	res := make(chan error, 1)
	var conn *WSConn
	url := "ws://" + ts.addr + "/ws"
	ts.base.Post(func() {
		err := DialWebSocket(ts.base, url, cfg, func(c *WSConn, err error) {
			if err == nil {
				conn = c
				c.OnMessage(func(c *WSConn, op Opcode, msg *evbuffer.Buffer) {
					b := make([]byte, msg.Len())
					msg.Remove(b)
					events <- wstClientEvent{op: op, data: b}
				})
				c.OnPong(func(c *WSConn, p []byte) { events <- wstClientEvent{op: OpPong, data: bytes.Clone(p)} })
				c.OnPing(func(c *WSConn, p []byte) { events <- wstClientEvent{op: OpPing, data: bytes.Clone(p)} })
				c.OnClose(func(c *WSConn, code int, reason string) {
					events <- wstClientEvent{op: OpClose, data: []byte(reason), code: code}
				})
			}
			res <- err
		})
		if err != nil {
			res <- err
		}
	})
	select {
	case err := <-res:
		if err != nil {
			t.Fatalf("DialWebSocket: %v", err)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("DialWebSocket did not finish")
	}
	return conn, events
}

// wstOnLoop runs fn on ts's loop and waits for it.
func wstOnLoop(t *testing.T, ts *testServer, fn func()) {
	t.Helper()
	done := make(chan struct{})
	ts.base.Post(func() { fn(); close(done) })
	<-done
}

func wstNext(t *testing.T, events chan wstClientEvent) wstClientEvent {
	t.Helper()
	select {
	case ev := <-events:
		return ev
	case <-time.After(20 * time.Second):
		t.Fatal("no client event")
	}
	return wstClientEvent{}
}

func TestWSClientEcho(t *testing.T) {
	ts, closes := wstEchoServer(t, nil)
	c, events := wstDialClient(t, ts, nil)
	large := bytes.Repeat([]byte("0123456789abcdef"), 1<<18) // 4 MiB
	if testing.Short() || raceEnabled {
		large = large[:256<<10]
	}
	wstOnLoop(t, ts, func() {
		c.SendText("hello")
		c.SendBinary([]byte{0, 1, 2, 0xFF})
		var b evbuffer.Buffer
		b.AddString("frag")
		c.SendFragment(OpText, &b, false)
		c.Ping([]byte("mid"))
		b.AddString("mented")
		c.SendFragment(OpContinuation, &b, true)
		c.SendBinary(large)
		c.SendText("frag") // the server answers with three fragments
	})
	want := []wstClientEvent{{op: OpText, data: []byte("hello")}, {op: OpBinary, data: []byte{0, 1, 2, 0xFF}},
		{op: OpPong, data: []byte("mid")}, {op: OpText, data: []byte("fragmented")}, {op: OpBinary, data: large},
		{op: OpPing, data: []byte("between")}, {op: OpPing, data: []byte("between")},
		{op: OpText, data: []byte("fragment")}, {op: OpPing, data: []byte("between")}}
	var got []wstClientEvent
	for range want {
		got = append(got, wstNext(t, events))
	}
	for i, w := range want {
		if got[i].op != w.op || !bytes.Equal(got[i].data, w.data) {
			t.Fatalf("event %d: %v %.40q, want %v %.40q", i, got[i].op, got[i].data, w.op, w.data)
		}
	}
	if err := func() (err error) { wstOnLoop(t, ts, func() { err = c.SendText("\xff") }); return }(); !errors.Is(err, ErrWSInvalidUTF8) {
		t.Fatalf("SendText of bad UTF-8: %v", err)
	}
	// The client closes.
	wstOnLoop(t, ts, func() { c.Close(CloseNormal, "client done") })
	if ev := wstNext(t, events); ev.op != OpClose || ev.code != CloseNormal || string(ev.data) != "client done" {
		t.Fatalf("client OnClose %+v", ev)
	}
	if cl := <-closes; cl != (wstClose{CloseNormal, "client done"}) {
		t.Fatalf("server OnClose %+v", cl)
	}
}

func TestWSClientServerCloseAndBackpressure(t *testing.T) {
	ts, closes := wstEchoServer(t, nil)
	c, events := wstDialClient(t, ts, &WSDialConfig{WSConfig: WSConfig{ReadBuffer: 64 << 10}})
	n := 256 // 16 MiB
	if testing.Short() || raceEnabled {
		n = 32
	}
	wstOnLoop(t, ts, func() { c.SendText(fmt.Sprintf("flood:%d", n)) })
	for i := 0; i < n; i++ {
		ev := wstNext(t, events)
		if ev.op != OpBinary || len(ev.data) != 64<<10 {
			t.Fatalf("message %d: %v %.20q (%d bytes)", i, ev.op, ev.data, len(ev.data))
		}
	}
	if ev := wstNext(t, events); ev.op != OpText || string(ev.data) != "end" {
		t.Fatalf("after the flood: %v %q", ev.op, ev.data)
	}
	// The server closes; the client echoes and reports the server's code.
	wstOnLoop(t, ts, func() { c.SendText("close:4001") })
	if ev := wstNext(t, events); ev.op != OpClose || ev.code != 4001 || string(ev.data) != "server done" {
		t.Fatalf("client OnClose %+v", ev)
	}
	if cl := <-closes; cl.code != 4001 {
		t.Fatalf("server OnClose %+v", cl)
	}
}

func TestWSCheckResponse(t *testing.T) {
	const acc = "s3pPLMBiTxaQ9kYGzzhZRbK+xOo="
	ok := "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: " + acc + "\r\n"
	tests := []struct {
		name, head string
		ok         bool
	}{
		{"ok", ok + "\r\n", true},
		{"ok proto", ok + "Sec-WebSocket-Protocol: chat\r\n\r\n", true},
		{"200", "HTTP/1.1 200 OK\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: " + acc + "\r\n\r\n", false},
		{"bad status line", "HTTP/1.1 101\tSwitching\r\n\r\n", false},
		{"junk", "garbage\r\n\r\n", false},
		{"wrong accept", strings.Replace(ok, "s3p", "x3p", 1) + "\r\n", false},
		{"no upgrade", strings.Replace(ok, "Upgrade: websocket\r\n", "", 1) + "\r\n", false},
		{"extension", ok + "Sec-WebSocket-Extensions: permessage-deflate\r\n\r\n", false},
		{"proto not offered", ok + "Sec-WebSocket-Protocol: other\r\n\r\n", false},
		{"bare LF", ok + "X: a\nb\r\n\r\n", false},
		{"bad name", ok + "X Y: a\r\n\r\n", false},
	}
	for _, tt := range tests {
		_, err := checkWSResponse([]byte(tt.head), acc, []string{"chat"})
		if (err == nil) != tt.ok || err != nil && !errors.Is(err, ErrWSHandshake) {
			t.Errorf("%s: %v", tt.name, err)
		}
	}
}

// wstPython returns a python3 that can import websockets (Debian's
// python3-websockets), or ends the test as a missing peer.
func wstPython(t *testing.T) string {
	t.Helper()
	var lastErr error
	for _, bin := range []string{"python3", "/usr/bin/python3"} {
		path, err := exec.LookPath(bin)
		if err != nil {
			lastErr = err
			continue
		}
		if out, err := exec.Command(path, "-c", "import websockets").CombinedOutput(); err != nil {
			lastErr = fmt.Errorf("%s: %v: %s", path, err, out)
			continue
		}
		return path
	}
	basetest.PeerUnavailable(t, "python3-websockets", lastErr)
	return ""
}

func TestWSPythonClient(t *testing.T) {
	python := wstPython(t)
	ts, closes := wstEchoServer(t, nil)
	out, errOut, err := runPeer(t, 60*time.Second, python, "testdata/ws_echo_client.py", "ws://"+ts.addr+"/ws")
	if err != nil {
		t.Fatalf("python: %v\n%s\n%s", err, out, errOut)
	}
	want := "text héllo\nbinary 0001ff\nfragmented fragmented\nlarge True\npong ok\nserver fragments fragment\nclosed 4321 python done\n"
	if out != want {
		t.Fatalf("python printed\n%s\nwant\n%s\nstderr: %s", out, want, errOut)
	}
	if cl := <-closes; cl != (wstClose{4321, "python done"}) {
		t.Fatalf("server OnClose %+v", cl)
	}
}

func TestWSBytesWithHandshake(t *testing.T) {
	// Frames sent right behind the upgrade request, in one write, are kept
	// by Hijack and parsed once the callbacks are set.
	ts, _ := wstEchoServer(t, nil)
	c := ts.dial(t)
	req := "GET /ws HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
		"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n"
	c.Write(append([]byte(req), wsfFrame(0x81, []byte("early"), true)...))
	br := bufio.NewReader(c)
	if resp := readResponse(t, br, true); resp.code != 101 {
		t.Fatalf("status %d", resp.code)
	}
	if b0, p, err := wstReadFrame(br); err != nil || b0 != 0x81 || string(p) != "early" {
		t.Fatalf("echo of the early frame: %#x %q %v", b0, p, err)
	}
}

func TestWSClientGreetingAndSubprotocol(t *testing.T) {
	// The server speaks first, in the same write as its 101: the client
	// keeps those bytes. The subprotocol is the server's pick.
	ts := startServer(t, nil, func(s *Server) {
		s.SetCallback("/ws", func(r *Request) {
			c, err := Upgrade(r, &WSConfig{SelectSubprotocol: func(r *Request, offered []string) string {
				return offered[len(offered)-1]
			}})
			if err != nil {
				return
			}
			c.SendText("welcome " + c.Subprotocol())
		})
		s.SetCallback("/plain", func(r *Request) { r.SendReply(StatusOK, "", nil) })
	})
	c, events := wstDialClient(t, ts, &WSDialConfig{WSConfig: WSConfig{Subprotocols: []string{"v1.chat", "v2.chat"}}})
	if ev := wstNext(t, events); ev.op != OpText || string(ev.data) != "welcome v2.chat" {
		t.Fatalf("greeting %v %q", ev.op, ev.data)
	}
	var proto string
	wstOnLoop(t, ts, func() { proto = c.Subprotocol(); c.Free() })
	if proto != "v2.chat" {
		t.Fatalf("client Subprotocol %q", proto)
	}

	// A route that does not upgrade, and a port nobody listens on, fail
	// the dial.
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	deadAddr := ln.Addr().String()
	ln.Close()
	for _, url := range []string{"ws://" + ts.addr + "/plain", "ws://" + deadAddr + "/ws"} {
		res := make(chan error, 1)
		ts.base.Post(func() {
			if err := DialWebSocket(ts.base, url, nil, func(c *WSConn, err error) {
				if c != nil {
					c.Free()
				}
				res <- err
			}); err != nil {
				res <- err
			}
		})
		select {
		case err := <-res:
			if !errors.Is(err, ErrWSHandshake) {
				t.Errorf("%s: %v, want ErrWSHandshake", url, err)
			}
		case <-time.After(20 * time.Second):
			t.Fatalf("%s: dial did not finish", url)
		}
	}
	if err := DialWebSocket(ts.base, "http://"+ts.addr+"/ws", nil, nil); !errors.Is(err, ErrWSHandshake) {
		t.Fatalf("http:// URL: %v", err)
	}
}
