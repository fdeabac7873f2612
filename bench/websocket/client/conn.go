package main

import (
	"bufio"
	"bytes"
	cryptorand "crypto/rand"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/goevent/goevent/bench/websocket/internal/wsframe"
)

// errEcho: the server's echo differs from what was sent.
var errEcho = errors.New("client: echo differs")

// conn is one client WebSocket connection doing ping-pong.
type conn struct {
	c     net.Conn
	r     *bufio.Reader
	rng   *rand.ChaCha8 // mask keys
	out   []byte        // the frame being written
	in    []byte        // the echo being read
	limit int64
}

// dial opens a connection to addr and does the opening handshake for path.
func dial(addr, path string, limit int64) (*conn, error) {
	c, err := net.DialTimeout("tcp", addr, 10*time.Second)
	if err != nil {
		return nil, fmt.Errorf("client: %w", err)
	}
	var seed [32]byte
	var nonce [16]byte
	if _, err := cryptoRead(seed[:]); err != nil {
		c.Close()
		return nil, err
	}
	if _, err := cryptoRead(nonce[:]); err != nil {
		c.Close()
		return nil, err
	}
	key := base64.StdEncoding.EncodeToString(nonce[:])
	req := "GET " + path + " HTTP/1.1\r\nHost: " + addr + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
		"Sec-WebSocket-Key: " + key + "\r\nSec-WebSocket-Version: 13\r\n\r\n"
	c.SetDeadline(time.Now().Add(10 * time.Second))
	if _, err := io.WriteString(c, req); err != nil {
		c.Close()
		return nil, fmt.Errorf("client: handshake: %w", err)
	}
	r := bufio.NewReaderSize(c, 64<<10)
	resp, err := http.ReadResponse(r, nil)
	if err != nil {
		c.Close()
		return nil, fmt.Errorf("client: handshake: %w", err)
	}
	resp.Body.Close()
	if err := checkHandshake(resp, key); err != nil {
		c.Close()
		return nil, err
	}
	c.SetDeadline(time.Time{})
	return &conn{c: c, r: r, rng: rand.NewChaCha8(seed), limit: limit}, nil
}

// checkHandshake checks the server's reply to the opening handshake.
func checkHandshake(resp *http.Response, key string) error {
	switch {
	case resp.StatusCode != http.StatusSwitchingProtocols:
		return fmt.Errorf("client: handshake: status %s", resp.Status)
	case !strings.EqualFold(resp.Header.Get("Upgrade"), "websocket"):
		return fmt.Errorf("client: handshake: Upgrade %q", resp.Header.Get("Upgrade"))
	case !strings.Contains(strings.ToLower(resp.Header.Get("Connection")), "upgrade"):
		return fmt.Errorf("client: handshake: Connection %q", resp.Header.Get("Connection"))
	case resp.Header.Get("Sec-WebSocket-Accept") != wsframe.Accept(key):
		return fmt.Errorf("client: handshake: Sec-WebSocket-Accept %q", resp.Header.Get("Sec-WebSocket-Accept"))
	case resp.Header.Get("Sec-WebSocket-Extensions") != "":
		return fmt.Errorf("client: handshake: extension %q not offered", resp.Header.Get("Sec-WebSocket-Extensions"))
	}
	return nil
}

// echo sends msg as one message of opcode op and checks that the reply is
// the same message, byte for byte.
func (c *conn) echo(op byte, msg []byte) error {
	var key [4]byte
	c.rng.Read(key[:])
	c.out = wsframe.AppendFrame(c.out[:0], op, msg, key)
	if _, err := c.c.Write(c.out); err != nil {
		return fmt.Errorf("client: write: %w", err)
	}
	gotOp, got, err := wsframe.ReadMessage(c.r, c.in, c.limit)
	c.in = got
	switch {
	case err == io.EOF:
		return fmt.Errorf("client: the server sent Close %s instead of the echo", closeReason(got))
	case err != nil:
		return fmt.Errorf("client: read: %w", err)
	case gotOp != op:
		return fmt.Errorf("%w: opcode %#x, want %#x", errEcho, gotOp, op)
	case !bytes.Equal(got, msg):
		return fmt.Errorf("%w: %d bytes back for %d sent (first difference at %d)", errEcho, len(got), len(msg),
			firstDiff(got, msg))
	}
	return nil
}

// close does the closing handshake: a Close with 1000, then the server's
// Close, then the TCP connection is closed.
func (c *conn) close() error {
	defer c.c.Close()
	var key [4]byte
	c.rng.Read(key[:])
	c.out = wsframe.AppendFrame(c.out[:0], wsframe.OpClose, []byte{0x03, 0xE8}, key)
	c.c.SetDeadline(time.Now().Add(5 * time.Second))
	if _, err := c.c.Write(c.out); err != nil {
		return fmt.Errorf("client: close: %w", err)
	}
	for {
		op, _, err := wsframe.ReadMessage(c.r, c.in, c.limit)
		switch {
		case op == wsframe.OpClose:
			return nil
		case err != nil:
			return fmt.Errorf("client: close: no Close frame back: %w", err)
		}
	}
}

// firstDiff returns the index of the first byte where a and b differ.
func firstDiff(a, b []byte) int {
	for i := range min(len(a), len(b)) {
		if a[i] != b[i] {
			return i
		}
	}
	return min(len(a), len(b))
}

// cryptoRead fills p from crypto/rand.
func cryptoRead(p []byte) (int, error) {
	n, err := cryptorand.Read(p)
	if err != nil {
		return n, fmt.Errorf("client: %w", err)
	}
	return n, nil
}

// closeReason describes the payload of a Close frame.
func closeReason(p []byte) string {
	if len(p) < 2 {
		return "without a code"
	}
	return fmt.Sprintf("%d %q", binary.BigEndian.Uint16(p), p[2:])
}
