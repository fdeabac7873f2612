package wsframe

import (
	"bytes"
	"encoding/binary"
	"errors"
	"io"
	"testing"
)

func TestAccept(t *testing.T) {
	// RFC 6455 §1.3's example.
	if got := Accept("dGhlIHNhbXBsZSBub25jZQ=="); got != "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=" {
		t.Errorf("Accept = %q", got)
	}
}

func TestAppendFrame(t *testing.T) {
	key := [4]byte{0x37, 0xfa, 0x21, 0x3d}
	tests := []struct {
		n      int
		header []byte // without the key
	}{
		{0, []byte{0x82, 0x80}},
		{5, []byte{0x82, 0x85}},
		{125, []byte{0x82, 0x80 | 125}},
		{126, []byte{0x82, 0x80 | 126, 0, 126}},
		{0xFFFF, []byte{0x82, 0x80 | 126, 0xFF, 0xFF}},
		{0x10000, []byte{0x82, 0x80 | 127, 0, 0, 0, 0, 0, 1, 0, 0}},
	}
	for _, tt := range tests {
		payload := make([]byte, tt.n)
		for i := range payload {
			payload[i] = byte(i * 7)
		}
		f := AppendFrame([]byte("x"), OpBinary, payload, key)
		f = f[1:]
		if !bytes.Equal(f[:len(tt.header)], tt.header) {
			t.Errorf("n=%d: header % x, want % x", tt.n, f[:len(tt.header)], tt.header)
			continue
		}
		f = f[len(tt.header):]
		if !bytes.Equal(f[:4], key[:]) || len(f) != 4+tt.n {
			t.Errorf("n=%d: key or length wrong: % x", tt.n, f[:4])
			continue
		}
		got := bytes.Clone(f[4:])
		for i := range got {
			got[i] ^= key[i%4] // the RFC's definition, byte by byte
		}
		if !bytes.Equal(got, payload) {
			t.Errorf("n=%d: payload does not unmask to the original", tt.n)
		}
	}
}

// serverFrame builds an unmasked frame with the given first byte, length
// encoding (7, 16 or 64 bits) and payload.
func serverFrame(b0 byte, bits int, payload []byte) []byte {
	f := []byte{b0}
	switch bits {
	case 7:
		f = append(f, byte(len(payload)))
	case 16:
		f = append(f, 126)
		f = binary.BigEndian.AppendUint16(f, uint16(len(payload)))
	default:
		f = append(f, 127)
		f = binary.BigEndian.AppendUint64(f, uint64(len(payload)))
	}
	return append(f, payload...)
}

func TestReadMessage(t *testing.T) {
	big := bytes.Repeat([]byte("ab"), 40000)
	tests := []struct {
		name string
		in   []byte
		op   byte
		want []byte
	}{
		{"binary", serverFrame(0x82, 7, []byte("hello")), OpBinary, []byte("hello")},
		{"empty text", serverFrame(0x81, 7, nil), OpText, nil},
		{"16-bit length", serverFrame(0x82, 16, big[:300]), OpBinary, big[:300]},
		{"64-bit length", serverFrame(0x82, 64, big), OpBinary, big},
		{"fragments", append(append(serverFrame(0x02, 7, []byte("he")), serverFrame(0x00, 7, []byte("ll"))...),
			serverFrame(0x80, 7, []byte("o"))...), OpBinary, []byte("hello")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			op, got, err := ReadMessage(bytes.NewReader(tt.in), make([]byte, 0, 4), 1<<20)
			if err != nil || op != tt.op || !bytes.Equal(got, tt.want) {
				t.Errorf("got %#x %d bytes %v, want %#x %d bytes", op, len(got), err, tt.op, len(tt.want))
			}
		})
	}
	t.Run("close", func(t *testing.T) {
		op, _, err := ReadMessage(bytes.NewReader(serverFrame(0x88, 7, []byte{3, 0xe8})), nil, 100)
		if op != OpClose || err != io.EOF {
			t.Errorf("got %#x %v, want Close and io.EOF", op, err)
		}
	})
}

func TestReadMessageMalformed(t *testing.T) {
	tests := []struct {
		name string
		in   []byte
		want error
	}{
		{"empty", nil, io.EOF},
		{"one byte", []byte{0x82}, io.ErrUnexpectedEOF},
		{"cut payload", serverFrame(0x82, 7, []byte("hello"))[:4], io.ErrUnexpectedEOF},
		{"cut 16-bit length", []byte{0x82, 126, 1}, io.ErrUnexpectedEOF},
		{"cut 64-bit length", []byte{0x82, 127, 0, 0, 0}, io.ErrUnexpectedEOF},
		{"reserved bit", serverFrame(0xC2, 7, []byte("x")), ErrProtocol},
		{"masked", []byte{0x82, 0x81, 1, 2, 3, 4, 'x'}, ErrProtocol},
		{"unknown opcode", serverFrame(0x83, 7, nil), ErrProtocol},
		{"fragmented ping", serverFrame(0x09, 7, nil), ErrProtocol},
		{"long close", serverFrame(0x88, 16, make([]byte, 126)), ErrProtocol},
		{"ping", serverFrame(0x89, 7, nil), ErrProtocol},
		{"pong", serverFrame(0x8A, 7, nil), ErrProtocol},
		{"lone continuation", serverFrame(0x80, 7, []byte("x")), ErrProtocol},
		{"message inside a message", append(serverFrame(0x02, 7, []byte("a")), serverFrame(0x82, 7, []byte("b"))...), ErrProtocol},
		{"16 bits for a short length", serverFrame(0x82, 16, []byte("short")), ErrProtocol},
		{"64 bits for a short length", serverFrame(0x82, 64, make([]byte, 300)), ErrProtocol},
		{"64-bit length with the top bit", []byte{0x82, 127, 0x80, 0, 0, 0, 0, 0, 0, 0}, ErrProtocol},
		{"over the limit", serverFrame(0x82, 16, make([]byte, 2000)), ErrTooLong},
		{"fragments over the limit", append(serverFrame(0x02, 16, make([]byte, 600)), serverFrame(0x80, 16, make([]byte, 600))...), ErrTooLong},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := ReadMessage(bytes.NewReader(tt.in), nil, 1000)
			if !errors.Is(err, tt.want) {
				t.Errorf("err = %v, want %v", err, tt.want)
			}
		})
	}
}

func TestMask(t *testing.T) {
	key := [4]byte{1, 2, 3, 4}
	for n := range 20 {
		p := bytes.Repeat([]byte{0xAA}, n)
		Mask(p, key)
		for i, b := range p {
			if b != 0xAA^key[i%4] {
				t.Fatalf("n=%d: byte %d = %#x", n, i, b)
			}
		}
	}
}

func FuzzReadMessage(f *testing.F) {
	f.Add(serverFrame(0x82, 7, []byte("hello")))
	f.Add(serverFrame(0x82, 16, make([]byte, 200)))
	f.Add(append(serverFrame(0x02, 7, []byte("he")), serverFrame(0x80, 7, []byte("llo"))...))
	f.Add(serverFrame(0x88, 7, []byte{3, 0xe8}))
	f.Fuzz(func(t *testing.T, in []byte) {
		op, msg, err := ReadMessage(bytes.NewReader(in), nil, 512)
		if len(msg) > 512 {
			t.Fatalf("%d bytes past the limit", len(msg))
		}
		if err == nil && op != OpText && op != OpBinary {
			t.Fatalf("message with opcode %#x", op)
		}
		if err != nil && !errors.Is(err, ErrProtocol) && !errors.Is(err, ErrTooLong) &&
			err != io.EOF && err != io.ErrUnexpectedEOF {
			t.Fatalf("unexpected error %v", err)
		}
	})
}
