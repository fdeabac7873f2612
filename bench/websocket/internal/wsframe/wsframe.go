// Package wsframe is the minimal WebSocket (RFC 6455) client side the
// websocket benchmark's load client needs: the opening handshake's accept
// value, and writing masked frames and reading the server's unmasked ones.
// It has no extensions and no goroutines.
package wsframe

import (
	"crypto/sha1"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
)

// Opcodes (RFC 6455 §5.2).
const (
	OpContinuation = 0x0
	OpText         = 0x1
	OpBinary       = 0x2
	OpClose        = 0x8
	OpPing         = 0x9
	OpPong         = 0xA
)

// MaxHeader is the longest frame header: 2 bytes, an 8-byte length and a
// 4-byte mask key.
const MaxHeader = 14

// Errors of ReadHeader and ReadMessage.
var (
	// ErrProtocol: the server sent a frame RFC 6455 forbids it to send.
	ErrProtocol = errors.New("wsframe: protocol error")
	// ErrTooLong: a frame or message longer than the caller's limit.
	ErrTooLong = errors.New("wsframe: message too long")
)

// guid is the constant RFC 6455 §1.3 appends to the key.
const guid = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"

// Accept returns the Sec-WebSocket-Accept value the server must send for
// the client's Sec-WebSocket-Key key.
func Accept(key string) string {
	h := sha1.Sum([]byte(key + guid))
	return base64.StdEncoding.EncodeToString(h[:])
}

// AppendFrame appends to dst one final client frame of opcode op carrying
// payload masked with key, and returns the extended slice.
func AppendFrame(dst []byte, op byte, payload []byte, key [4]byte) []byte {
	n := len(payload)
	dst = append(dst, 0x80|op&0x0F)
	switch {
	case n <= 125:
		dst = append(dst, 0x80|byte(n))
	case n <= 0xFFFF:
		dst = append(dst, 0x80|126)
		dst = binary.BigEndian.AppendUint16(dst, uint16(n))
	default:
		dst = append(dst, 0x80|127)
		dst = binary.BigEndian.AppendUint64(dst, uint64(n))
	}
	dst = append(dst, key[:]...)
	start := len(dst)
	dst = append(dst, payload...)
	Mask(dst[start:], key)
	return dst
}

// Mask XORs p with key in place (masking and unmasking are the same).
func Mask(p []byte, key [4]byte) {
	k := binary.LittleEndian.Uint32(key[:])
	k8 := uint64(k) | uint64(k)<<32
	i := 0
	for ; i+8 <= len(p); i += 8 {
		binary.LittleEndian.PutUint64(p[i:], binary.LittleEndian.Uint64(p[i:])^k8)
	}
	for ; i < len(p); i++ {
		p[i] ^= key[i&3]
	}
}

// A Header is the header of one frame the server sent.
type Header struct {
	Fin    bool
	Op     byte
	Length int64
}

// ReadHeader reads one server frame header from r and checks it: no
// reserved bit (no extension was agreed), no mask (RFC 6455 §5.1), a known
// opcode, control frames final and at most 125 bytes, and the length in
// its shortest encoding (§5.2).
func ReadHeader(r io.Reader) (Header, error) {
	var b [8]byte
	if _, err := io.ReadFull(r, b[:2]); err != nil {
		return Header{}, err
	}
	h := Header{Fin: b[0]&0x80 != 0, Op: b[0] & 0x0F}
	switch {
	case b[0]&0x70 != 0:
		return Header{}, fmt.Errorf("%w: reserved bits %#x", ErrProtocol, b[0]&0x70)
	case b[1]&0x80 != 0:
		return Header{}, fmt.Errorf("%w: masked server frame", ErrProtocol)
	}
	switch h.Op {
	case OpContinuation, OpText, OpBinary:
	case OpClose, OpPing, OpPong:
		if !h.Fin || b[1]&0x7F > 125 {
			return Header{}, fmt.Errorf("%w: fragmented or long control frame", ErrProtocol)
		}
	default:
		return Header{}, fmt.Errorf("%w: opcode %#x", ErrProtocol, h.Op)
	}
	switch n := b[1] & 0x7F; n {
	case 126:
		if _, err := io.ReadFull(r, b[:2]); err != nil {
			return Header{}, unexpected(err)
		}
		h.Length = int64(binary.BigEndian.Uint16(b[:2]))
		if h.Length <= 125 {
			return Header{}, fmt.Errorf("%w: length %d in 16 bits", ErrProtocol, h.Length)
		}
	case 127:
		if _, err := io.ReadFull(r, b[:8]); err != nil {
			return Header{}, unexpected(err)
		}
		u := binary.BigEndian.Uint64(b[:8])
		if u>>63 != 0 || u <= 0xFFFF {
			return Header{}, fmt.Errorf("%w: length %d in 64 bits", ErrProtocol, u)
		}
		h.Length = int64(u)
	default:
		h.Length = int64(n)
	}
	return h, nil
}

// ReadMessage reads the next data message into buf (reusing its storage)
// and returns its opcode and payload. A message may come in fragments;
// control frames between them are refused (the benchmark's servers have
// no reason to send any) except Close, which ends the read: ReadMessage
// then returns OpClose, the Close frame's payload and io.EOF. A message longer than limit fails with
// ErrTooLong.
func ReadMessage(r io.Reader, buf []byte, limit int64) (byte, []byte, error) {
	buf = buf[:0]
	var op byte
	for {
		h, err := ReadHeader(r)
		if err != nil {
			return 0, buf, err
		}
		switch {
		case h.Op == OpClose:
			buf = grow(buf[:0], int(h.Length))
			if _, err := io.ReadFull(r, buf); err != nil {
				return 0, buf[:0], unexpected(err)
			}
			return OpClose, buf, io.EOF
		case h.Op >= OpClose:
			return 0, buf, fmt.Errorf("%w: unexpected control frame %#x", ErrProtocol, h.Op)
		case op == 0 && h.Op == OpContinuation:
			return 0, buf, fmt.Errorf("%w: continuation without a message", ErrProtocol)
		case op != 0 && h.Op != OpContinuation:
			return 0, buf, fmt.Errorf("%w: new message inside a fragmented one", ErrProtocol)
		}
		if op == 0 {
			op = h.Op
		}
		if h.Length > limit-int64(len(buf)) {
			return 0, buf, fmt.Errorf("%w: more than %d bytes", ErrTooLong, limit)
		}
		start := len(buf)
		buf = grow(buf, int(h.Length))
		if _, err := io.ReadFull(r, buf[start:]); err != nil {
			return 0, buf[:start], unexpected(err)
		}
		if h.Fin {
			return op, buf, nil
		}
	}
}

// grow extends b by n bytes.
func grow(b []byte, n int) []byte {
	if cap(b)-len(b) >= n {
		return b[:len(b)+n]
	}
	nb := make([]byte, len(b)+n, 2*cap(b)+n)
	copy(nb, b)
	return nb
}

// unexpected turns a clean EOF inside a frame into io.ErrUnexpectedEOF.
func unexpected(err error) error {
	if err == io.EOF {
		return io.ErrUnexpectedEOF
	}
	return err
}
