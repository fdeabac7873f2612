package evhttp

import (
	"encoding/binary"
	"errors"
	"fmt"
	"strconv"
	"unicode/utf8"

	"github.com/goevent/goevent/evbuffer"
)

// An Opcode is the type of a WebSocket frame (RFC 6455 §5.2).
type Opcode uint8

// Opcodes of RFC 6455. Text and Binary start a message, Continuation
// carries its later fragments; Close, Ping and Pong are control frames.
const (
	OpContinuation Opcode = 0x0
	OpText         Opcode = 0x1
	OpBinary       Opcode = 0x2
	OpClose        Opcode = 0x8
	OpPing         Opcode = 0x9
	OpPong         Opcode = 0xA
)

var opcodeNames = [...]string{
	OpContinuation: "Continuation",
	OpText:         "Text",
	OpBinary:       "Binary",
	OpClose:        "Close",
	OpPing:         "Ping",
	OpPong:         "Pong",
}

// String returns the opcode's name, or "Opcode(n)" for a reserved one.
func (o Opcode) String() string {
	if int(o) < len(opcodeNames) && opcodeNames[o] != "" {
		return opcodeNames[o]
	}
	return "Opcode(" + strconv.Itoa(int(o)) + ")"
}

// IsControl reports whether o is a control opcode (0x8 to 0xF).
func (o Opcode) IsControl() bool { return o&0x8 != 0 }

// Close status codes (RFC 6455 §7.4.1) that this package sends or reports.
const (
	CloseNormal          = 1000
	CloseGoingAway       = 1001
	CloseProtocolError   = 1002
	CloseUnsupportedData = 1003
	// CloseNoStatus is reported when a Close frame had no code; it is
	// never sent.
	CloseNoStatus = 1005
	// CloseAbnormal is reported when the connection ended without a
	// Close frame; it is never sent.
	CloseAbnormal        = 1006
	CloseInvalidPayload  = 1007
	ClosePolicyViolation = 1008
	CloseMessageTooBig   = 1009
	CloseMandatoryExt    = 1010
	CloseInternalError   = 1011
)

// Errors of the WebSocket frame parser and connections. Each is comparable
// with errors.Is; a returned error wraps one with detail.
var (
	// ErrWSProtocol: the peer broke RFC 6455 (reserved bits or opcodes, a
	// frame with the wrong masking, a bad control frame, bad
	// fragmentation, a non-minimal or oversized length field, an invalid
	// close code). The connection is failed with 1002.
	ErrWSProtocol = errors.New("evhttp: websocket protocol error")
	// ErrWSInvalidUTF8: a text message or close reason that is not UTF-8.
	// The connection is failed with 1007; SendText and Close refuse such
	// text with it.
	ErrWSInvalidUTF8 = errors.New("evhttp: websocket text is not valid UTF-8")
	// ErrWSTooLarge: a frame or message beyond the configured limits. The
	// connection is failed with 1009.
	ErrWSTooLarge = errors.New("evhttp: websocket message too large")
	// ErrWSClosed: a send after the close handshake started or the
	// connection ended.
	ErrWSClosed = errors.New("evhttp: websocket connection closed")
	// ErrWSHandshake: the opening handshake failed (Upgrade, DialWebSocket).
	ErrWSHandshake = errors.New("evhttp: websocket handshake failed")
	// ErrWSControl: Ping or Close given a payload over 125 bytes, or a
	// send in the middle of a fragmented message of another kind.
	ErrWSControl = errors.New("evhttp: invalid websocket send")
)

// wsCloseCode returns the close code with which an error of the frame
// parser fails the connection.
func wsCloseCode(err error) int {
	switch {
	case errors.Is(err, ErrWSInvalidUTF8):
		return CloseInvalidPayload
	case errors.Is(err, ErrWSTooLarge):
		return CloseMessageTooBig
	case errors.Is(err, ErrWSProtocol):
		return CloseProtocolError
	}
	return CloseInternalError
}

// validCloseCode reports whether code may appear in a Close frame on the
// wire (RFC 6455 §7.4.1 and the IANA registry): 1000-1003, 1007-1014
// (1004-1006 and 1015 are reserved), and 3000-4999.
func validCloseCode(code int) bool {
	switch {
	case code >= 1000 && code <= 1003, code >= 1007 && code <= 1014:
		return true
	case code >= 3000 && code <= 4999:
		return true
	}
	return false
}

// maxControlPayload is the largest payload of a control frame.
const maxControlPayload = 125

// wsMaxHeader is the longest frame header: 2 bytes, 8 of length, 4 of mask.
const wsMaxHeader = 14

// appendFrameHeader appends the header of a frame carrying n payload bytes.
func appendFrameHeader(b []byte, fin bool, op Opcode, n int, masked bool, key [4]byte) []byte {
	b0 := byte(op)
	if fin {
		b0 |= 0x80
	}
	var m byte
	if masked {
		m = 0x80
	}
	switch {
	case n <= 125:
		b = append(b, b0, m|byte(n))
	case n <= 0xFFFF:
		b = append(b, b0, m|126, byte(n>>8), byte(n))
	default:
		b = append(b, b0, m|127)
		b = binary.BigEndian.AppendUint64(b, uint64(n))
	}
	if masked {
		b = append(b, key[:]...)
	}
	return b
}

// maskBytes XORs p with key, starting at position pos of the key, and
// returns the key position after p. It works eight bytes at a time with
// the key rotated to pos; each word is loaded and stored in the same byte
// order, so the result does not depend on the machine's.
func maskBytes(p []byte, key [4]byte, pos int) int {
	pos &= 3
	if len(p) >= 8 {
		var k [4]byte
		for i := range k {
			k[i] = key[(pos+i)&3]
		}
		k32 := uint64(binary.LittleEndian.Uint32(k[:]))
		k64 := k32 | k32<<32
		for len(p) >= 32 {
			binary.LittleEndian.PutUint64(p, binary.LittleEndian.Uint64(p)^k64)
			binary.LittleEndian.PutUint64(p[8:], binary.LittleEndian.Uint64(p[8:])^k64)
			binary.LittleEndian.PutUint64(p[16:], binary.LittleEndian.Uint64(p[16:])^k64)
			binary.LittleEndian.PutUint64(p[24:], binary.LittleEndian.Uint64(p[24:])^k64)
			p = p[32:]
		}
		for len(p) >= 8 {
			binary.LittleEndian.PutUint64(p, binary.LittleEndian.Uint64(p)^k64)
			p = p[8:]
		}
		// Whole words keep pos where it was: 8 is a multiple of 4.
	}
	for i := range p {
		p[i] ^= key[(pos+i)&3]
	}
	return (pos + len(p)) & 3
}

// utf8Validator checks UTF-8 text that arrives in pieces: a sequence may be
// cut between two pieces. It fails as soon as a prefix cannot start valid
// UTF-8 (RFC 6455 §8.1 allows failing fast).
type utf8Validator struct {
	pend [utf8.UTFMax]byte // the start of a sequence cut by the last piece
	n    int
}

// write reports whether the text so far, with p, can still be valid.
func (v *utf8Validator) write(p []byte) bool {
	for v.n > 0 && len(p) > 0 {
		v.pend[v.n] = p[0]
		v.n++
		p = p[1:]
		if utf8.FullRune(v.pend[:v.n]) {
			if r, size := utf8.DecodeRune(v.pend[:v.n]); r == utf8.RuneError && size <= 1 {
				return false
			}
			v.n = 0
		}
	}
	if len(p) == 0 {
		return true
	}
	cut := len(p)
	for i := len(p) - 1; i >= 0 && i >= len(p)-(utf8.UTFMax-1); i-- {
		if utf8.RuneStart(p[i]) {
			if !utf8.FullRune(p[i:]) {
				cut = i
			}
			break
		}
	}
	if !utf8.Valid(p[:cut]) {
		return false
	}
	v.n = copy(v.pend[:], p[cut:])
	return true
}

// complete reports whether the text ended on a whole sequence, and resets v.
func (v *utf8Validator) complete() bool {
	ok := v.n == 0
	v.n = 0
	return ok
}

// wsParserState is where a wsParser is within a frame.
type wsParserState uint8

const (
	wsReadHeader wsParserState = iota
	wsReadPayload
	wsFailed
)

// wsParser reads WebSocket frames from an evbuffer in resumable steps and
// checks the whole frame sequence: masking, reserved bits and opcodes,
// lengths, fragmentation, control frames, close payloads and the UTF-8 of
// text messages.
//
// Data frame payloads go to the message buffer given to step: moved without
// copying when unmasked, unmasked while copied when masked (the one copy
// unmasking needs). Control payloads go to ctl.
type wsParser struct {
	requireMask bool  // server: every frame masked; client: none
	maxFrame    int64 // payload limit of one frame
	maxMessage  int64 // limit of a reassembled message

	state  wsParserState
	err    error // once failed
	fin    bool
	op     Opcode
	masked bool
	key    [4]byte
	keyPos int
	left   int64  // payload bytes still to read
	msgOp  Opcode // opcode of the message in progress; 0 when none
	msgLen int64
	text   utf8Validator
	ctl    [maxControlPayload]byte
	ctlLen int
	hdr    [wsMaxHeader]byte
	vecs   [][]byte // Peek's reused slice
}

// wsFrame describes the frame a step completed.
type wsFrame struct {
	op  Opcode // the frame's opcode
	fin bool
	// msgOp, when a data frame with FIN completed a message, is that
	// message's opcode (Text or Binary); 0 otherwise.
	msgOp Opcode
}

// wsFail returns a protocol error wrapping kind, with detail.
func wsFail(kind error, format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{kind}, args...)...)
}

// step reads from in until one frame is complete (AllRead, with the frame
// described), or in runs out (NeedMore), or the stream breaks the protocol
// (Corrupt) or a limit (TooLong), with an error wrapping ErrWSProtocol,
// ErrWSInvalidUTF8 or ErrWSTooLarge. A data frame's payload is appended to
// msg as it arrives; after a message completes, the caller takes msg's
// contents before the next step. After a failure step keeps returning it.
func (p *wsParser) step(in, msg *evbuffer.Buffer) (ParseStatus, wsFrame, error) {
	for {
		switch p.state {
		case wsFailed:
			return p.failStatus(), wsFrame{}, p.err
		case wsReadHeader:
			st, err := p.readHeader(in)
			if st != AllRead {
				if err != nil {
					p.state, p.err = wsFailed, err
				}
				return st, wsFrame{}, err
			}
			p.state = wsReadPayload
		case wsReadPayload:
			if p.left > 0 {
				if in.Len() == 0 {
					return NeedMore, wsFrame{}, nil
				}
				if err := p.readPayload(in, msg); err != nil {
					p.state, p.err = wsFailed, err
					return p.failStatus(), wsFrame{}, err
				}
				if p.left > 0 {
					return NeedMore, wsFrame{}, nil
				}
			}
			f, err := p.finishFrame()
			if err != nil {
				p.state, p.err = wsFailed, err
				return p.failStatus(), wsFrame{}, err
			}
			p.state = wsReadHeader
			return AllRead, f, nil
		}
	}
}

func (p *wsParser) failStatus() ParseStatus {
	if errors.Is(p.err, ErrWSTooLarge) {
		return TooLong
	}
	return Corrupt
}

// control returns the payload of the control frame step just completed. It
// stays valid until the next step.
func (p *wsParser) control() []byte { return p.ctl[:p.ctlLen] }

// readHeader parses a whole frame header when in holds one.
func (p *wsParser) readHeader(in *evbuffer.Buffer) (ParseStatus, error) {
	if in.Len() < 2 {
		return NeedMore, nil
	}
	n, _ := in.CopyOut(p.hdr[:2])
	if n < 2 {
		return NeedMore, nil
	}
	b0, b1 := p.hdr[0], p.hdr[1]
	need := 2
	switch b1 & 0x7F {
	case 126:
		need += 2
	case 127:
		need += 8
	}
	masked := b1&0x80 != 0
	if masked {
		need += 4
	}
	// Checks that need only the first two bytes fail at once.
	op := Opcode(b0 & 0x0F)
	fin := b0&0x80 != 0
	if rsv := b0 & 0x70; rsv != 0 {
		return Corrupt, wsFail(ErrWSProtocol, "reserved bits %#x set", rsv)
	}
	switch op {
	case OpContinuation, OpText, OpBinary, OpClose, OpPing, OpPong:
	default:
		return Corrupt, wsFail(ErrWSProtocol, "reserved opcode %#x", byte(op))
	}
	if masked != p.requireMask {
		if p.requireMask {
			return Corrupt, wsFail(ErrWSProtocol, "unmasked client frame")
		}
		return Corrupt, wsFail(ErrWSProtocol, "masked server frame")
	}
	if op.IsControl() {
		if !fin {
			return Corrupt, wsFail(ErrWSProtocol, "fragmented %v frame", op)
		}
		if b1&0x7F > maxControlPayload {
			return Corrupt, wsFail(ErrWSProtocol, "%v frame longer than 125 bytes", op)
		}
	} else {
		switch {
		case op == OpContinuation && p.msgOp == 0:
			return Corrupt, wsFail(ErrWSProtocol, "continuation frame without a message")
		case op != OpContinuation && p.msgOp != 0:
			return Corrupt, wsFail(ErrWSProtocol, "new %v message inside a fragmented message", op)
		}
	}
	if in.Len() < need {
		return NeedMore, nil
	}
	in.CopyOut(p.hdr[:need])
	length := int64(b1 & 0x7F)
	pos := 2
	switch length {
	case 126:
		length = int64(binary.BigEndian.Uint16(p.hdr[2:4]))
		pos = 4
		if length < 126 {
			return Corrupt, wsFail(ErrWSProtocol, "non-minimal 16-bit length %d", length)
		}
	case 127:
		u := binary.BigEndian.Uint64(p.hdr[2:10])
		pos = 10
		if u>>63 != 0 {
			return Corrupt, wsFail(ErrWSProtocol, "64-bit length with its top bit set")
		}
		if u <= 0xFFFF {
			return Corrupt, wsFail(ErrWSProtocol, "non-minimal 64-bit length %d", u)
		}
		length = int64(u)
	}
	if length > p.maxFrame {
		return TooLong, wsFail(ErrWSTooLarge, "frame of %d bytes over the limit of %d", length, p.maxFrame)
	}
	if !op.IsControl() && length > p.maxMessage-p.msgLen {
		return TooLong, wsFail(ErrWSTooLarge, "message over the limit of %d bytes", p.maxMessage)
	}
	if masked {
		copy(p.key[:], p.hdr[pos:pos+4])
	}
	in.Drain(need)
	p.fin, p.op, p.masked, p.keyPos, p.left = fin, op, masked, 0, length
	if op.IsControl() {
		p.ctlLen = 0
	} else if op != OpContinuation {
		p.msgOp, p.msgLen = op, 0
	}
	return AllRead, nil
}

// readPayload takes what in holds of the payload.
func (p *wsParser) readPayload(in, msg *evbuffer.Buffer) error {
	n := int64(in.Len())
	if n > p.left {
		n = p.left
	}
	if p.op.IsControl() {
		dst := p.ctl[p.ctlLen : p.ctlLen+int(n)]
		in.Remove(dst)
		if p.masked {
			p.keyPos = maskBytes(dst, p.key, p.keyPos)
		}
		p.ctlLen += int(n)
		p.left -= n
		return nil
	}
	text := p.msgOp == OpText
	if !p.masked {
		if text {
			for _, v := range p.peek(in, int(n)) {
				if !p.text.write(v) {
					return wsFail(ErrWSInvalidUTF8, "in a text message")
				}
			}
		}
		if _, err := in.RemoveBuffer(msg, int(n)); err != nil {
			return fmt.Errorf("%w: %w", ErrBuffer, err)
		}
	} else {
		for rest := int(n); rest > 0; {
			k := min(rest, 64<<10)
			buf := msg.Reserve(k)
			if buf == nil {
				return fmt.Errorf("%w: message buffer refused %d bytes", ErrBuffer, k)
			}
			buf = buf[:k]
			in.Remove(buf)
			p.keyPos = maskBytes(buf, p.key, p.keyPos)
			if text && !p.text.write(buf) {
				return wsFail(ErrWSInvalidUTF8, "in a text message")
			}
			if err := msg.Commit(k); err != nil {
				return fmt.Errorf("%w: %w", ErrBuffer, err)
			}
			rest -= k
		}
	}
	p.left -= n
	p.msgLen += n
	return nil
}

// peek returns slices covering the first n bytes of in.
func (p *wsParser) peek(in *evbuffer.Buffer, n int) [][]byte {
	p.vecs = in.Peek(n, p.vecs[:0])
	return p.vecs
}

// finishFrame checks a complete frame and describes it.
func (p *wsParser) finishFrame() (wsFrame, error) {
	f := wsFrame{op: p.op, fin: p.fin}
	switch {
	case p.op == OpClose:
		c := p.control()
		if len(c) == 1 {
			return f, wsFail(ErrWSProtocol, "close frame with a 1-byte payload")
		}
		if len(c) >= 2 {
			if code := int(binary.BigEndian.Uint16(c)); !validCloseCode(code) {
				return f, wsFail(ErrWSProtocol, "invalid close code %d", code)
			}
			if !utf8.Valid(c[2:]) {
				return f, wsFail(ErrWSInvalidUTF8, "in a close reason")
			}
		}
	case p.op.IsControl():
	case p.fin:
		if p.msgOp == OpText && !p.text.complete() {
			return f, wsFail(ErrWSInvalidUTF8, "text message ends inside a sequence")
		}
		f.msgOp = p.msgOp
		p.msgOp, p.msgLen = 0, 0
	}
	return f, nil
}
