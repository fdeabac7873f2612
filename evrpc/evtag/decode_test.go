package evtag

import (
	"encoding/hex"
	"errors"
	"testing"
)

func TestDecodeVectors(t *testing.T) {
	for _, tc := range tagVectors {
		p := append(unhex(t, tc.want), 0xee)
		tag, n, err := DecodeTag(p)
		if err != nil || tag != tc.tag || n != len(tc.want)/2 {
			t.Errorf("DecodeTag(%s) = %#x, %d, %v; want %#x, %d", tc.want, tag, n, err, tc.tag, len(tc.want)/2)
		}
	}
	for _, tc := range intVectors {
		p := append(unhex(t, tc.want), 0xee)
		v, n, err := DecodeInt(p)
		if err != nil || v != tc.v || n != len(tc.want)/2 {
			t.Errorf("DecodeInt(%s) = %#x, %d, %v; want %#x", tc.want, v, n, err, tc.v)
		}
	}
	for _, tc := range int64Vectors {
		p := append(unhex(t, tc.want), 0xee)
		v, n, err := DecodeInt64(p)
		if err != nil || v != tc.v || n != len(tc.want)/2 {
			t.Errorf("DecodeInt64(%s) = %#x, %d, %v; want %#x", tc.want, v, n, err, tc.v)
		}
	}
}

// TestDecodeLenient checks the encodings libevent accepts although it
// never writes them.
func TestDecodeLenient(t *testing.T) {
	for _, tc := range []struct {
		in   string
		tag  uint32
		size int
	}{
		{"8000", 0, 2},
		{"ff80808000", 0x7f, 5},
		{"ffffffff0f", 0xffffffff, 5},
	} {
		tag, n, err := DecodeTag(unhex(t, tc.in))
		if err != nil || tag != tc.tag || n != tc.size {
			t.Errorf("DecodeTag(%s) = %#x, %d, %v; want %#x, %d", tc.in, tag, n, err, tc.tag, tc.size)
		}
	}
	for _, tc := range []struct {
		in   string
		v    uint64
		size int
	}{
		{"1000", 0, 2},       // two nibbles, both zero
		{"101f", 0x10, 2},    // non-zero pad nibble ignored
		{"7000000000", 0, 5}, // eight zero nibbles
		{"2321ff", 0x123, 2}, // trailing bytes are not read
	} {
		v, n, err := DecodeInt(unhex(t, tc.in))
		if err != nil || uint64(v) != tc.v || n != tc.size {
			t.Errorf("DecodeInt(%s) = %#x, %d, %v; want %#x, %d", tc.in, v, n, err, tc.v, tc.size)
		}
	}
	if v, n, err := DecodeInt64(unhex(t, "f000000000000000000f")); err != nil || v != 0 || n != 9 {
		t.Errorf("DecodeInt64(16 zero nibbles) = %#x, %d, %v", v, n, err)
	}
}

func TestDecodeMalformed(t *testing.T) {
	for _, tc := range []struct {
		name string
		fn   func([]byte) error
		in   string
		want error
	}{
		{"tag empty", decodeTagErr, "", ErrTruncated},
		{"tag unfinished", decodeTagErr, "8080", ErrTruncated},
		{"tag 4 bytes unfinished", decodeTagErr, "ffffffff", ErrTruncated},
		{"tag fifth byte over 4 bits", decodeTagErr, "ffffffff10", ErrOverflow},
		{"tag fifth byte continues", decodeTagErr, "ffffffff8f01", ErrOverflow},
		{"tag six bytes", decodeTagErr, "808080808000", ErrOverflow},
		{"int empty", decodeIntErr, "", ErrTruncated},
		{"int 9 nibbles", decodeIntErr, "800000000000", ErrOverflow},
		{"int 16 nibbles", decodeIntErr, "f0000000000000000000", ErrOverflow},
		{"int short", decodeIntErr, "10", ErrTruncated},
		{"int 8 nibbles short", decodeIntErr, "7fffffff", ErrTruncated},
		{"int64 empty", decodeInt64Err, "", ErrTruncated},
		{"int64 short", decodeInt64Err, "f0ffffffffffffff", ErrTruncated},
	} {
		err := tc.fn(unhex(t, tc.in))
		if !errors.Is(err, tc.want) {
			t.Errorf("%s (%s): err = %v, want %v", tc.name, tc.in, err, tc.want)
		}
	}
}

func decodeTagErr(p []byte) error   { _, _, err := DecodeTag(p); return err }
func decodeIntErr(p []byte) error   { _, _, err := DecodeInt(p); return err }
func decodeInt64Err(p []byte) error { _, _, err := DecodeInt64(p); return err }

func TestDecoderReads(t *testing.T) {
	in := unhex(t, "02022321"+ // int 2 = 0x123
		"05069a9876543210"+ // int64 5
		"01026869"+ // string 1 "hi"
		"03087001f355604021a7"+ // timeval 3
		"0603616263"+ // fixed 6 "abc"
		"a1820400"+ // bytes 0x10121, empty
		"07020800") // nested 7 { 8: empty }
	d := NewDecoder(in)
	if v, err := d.Int(2); err != nil || v != 0x123 {
		t.Fatalf("Int = %#x, %v", v, err)
	}
	if v, err := d.Int64(5); err != nil || v != 0x123456789a {
		t.Fatalf("Int64 = %#x, %v", v, err)
	}
	if v, err := d.String(1); err != nil || v != "hi" {
		t.Fatalf("String = %q, %v", v, err)
	}
	if s, us, err := d.Timeval(3); err != nil || s != 1700000000 || us != 500000 {
		t.Fatalf("Timeval = %d, %d, %v", s, us, err)
	}
	var fixed [3]byte
	if err := d.Fixed(6, fixed[:]); err != nil || string(fixed[:]) != "abc" {
		t.Fatalf("Fixed = %q, %v", fixed, err)
	}
	if p, err := d.Bytes(0x10121); err != nil || len(p) != 0 {
		t.Fatalf("Bytes = %x, %v", p, err)
	}
	nd, err := d.Nested(7)
	if err != nil {
		t.Fatal(err)
	}
	if tag, p, err := nd.Next(); err != nil || tag != 8 || len(p) != 0 || nd.Len() != 0 {
		t.Fatalf("nested Next = %d, %x, %v (left %d)", tag, p, err, nd.Len())
	}
	if d.Len() != 0 {
		t.Fatalf("%d bytes left", d.Len())
	}
	if _, err := d.Peek(); !errors.Is(err, ErrTruncated) {
		t.Fatalf("Peek at end = %v, want ErrTruncated", err)
	}
}

func TestDecoderPeek(t *testing.T) {
	d := NewDecoder(unhex(t, "e602032321ff"+"0100"))
	if tag, err := d.Peek(); err != nil || tag != 0x166 {
		t.Fatalf("Peek = %#x, %v", tag, err)
	}
	if n, err := d.PeekLength(); err != nil || n != 6 {
		t.Fatalf("PeekLength = %d, %v; want 6", n, err)
	}
	if n, err := d.PayloadLength(); err != nil || n != 3 {
		t.Fatalf("PayloadLength = %d, %v; want 3", n, err)
	}
	if err := d.Skip(); err != nil || d.Len() != 2 {
		t.Fatalf("Skip = %v, left %d", err, d.Len())
	}
	if h := hex.EncodeToString(d.Remaining()); h != "0100" {
		t.Fatalf("Remaining = %s", h)
	}
	// Like libevent's, PeekLength does not require the payload.
	d.Reset(unhex(t, "01ff"))
	if _, err := d.PeekLength(); err == nil {
		t.Fatal("PeekLength with a truncated Length succeeded")
	}
	d.Reset(unhex(t, "0105"))
	if n, err := d.PeekLength(); err != nil || n != 7 {
		t.Fatalf("PeekLength of a truncated element = %d, %v; want 7", n, err)
	}
}

// TestDecoderMalformed feeds each typed read bad elements; a failed read
// must leave the Decoder where it was.
func TestDecoderMalformed(t *testing.T) {
	var fixed [2]byte
	for _, tc := range []struct {
		name string
		in   string
		read func(d *Decoder) error
		want error
	}{
		{"empty", "", func(d *Decoder) error { _, err := d.Int(1); return err }, ErrTruncated},
		{"payload short", "010568", func(d *Decoder) error { _, err := d.String(1); return err }, ErrTruncated},
		{"length huge", "017ffffffff0", func(d *Decoder) error { _, _, err := d.Next(); return err }, ErrTruncated},
		{"length bad", "01f0", func(d *Decoder) error { _, _, err := d.Next(); return err }, ErrOverflow},
		{"length missing", "01", func(d *Decoder) error { return d.Skip() }, ErrTruncated},
		{"tag mismatch", "020101", func(d *Decoder) error { _, err := d.Int(1); return err }, ErrTagMismatch},
		{"int empty payload", "0100", func(d *Decoder) error { _, err := d.Int(1); return err }, ErrMalformed},
		{"int past payload", "01011010", func(d *Decoder) error { _, err := d.Int(1); return err }, ErrMalformed},
		{"int 9 nibbles", "0105800000000000", func(d *Decoder) error { _, err := d.Int(1); return err }, ErrOverflow},
		{"int64 past payload", "0101f0", func(d *Decoder) error { _, err := d.Int64(1); return err }, ErrMalformed},
		{"fixed long", "0103616263", func(d *Decoder) error { return d.Fixed(1, fixed[:]) }, ErrMalformed},
		{"fixed short", "010161", func(d *Decoder) error { return d.Fixed(1, fixed[:]) }, ErrMalformed},
		{"timeval one int", "030105", func(d *Decoder) error { _, _, err := d.Timeval(3); return err }, ErrMalformed},
		{"timeval past payload", "0302051010", func(d *Decoder) error { _, _, err := d.Timeval(3); return err }, ErrMalformed},
		{"nested mismatch", "0200", func(d *Decoder) error { _, err := d.Nested(3); return err }, ErrTagMismatch},
	} {
		d := NewDecoder(unhex(t, tc.in))
		before := d.Len()
		err := tc.read(d)
		if !errors.Is(err, tc.want) {
			t.Errorf("%s (%s): err = %v, want %v", tc.name, tc.in, err, tc.want)
		}
		if d.Len() != before {
			t.Errorf("%s: failed read moved the decoder from %d to %d bytes left", tc.name, before, d.Len())
		}
	}
}

// TestDecoderLenient checks libevent's tolerance of bytes after an int or
// a timeval inside their payload.
func TestDecoderLenient(t *testing.T) {
	d := NewDecoder(unhex(t, "0103 2321ff"+"0204 0506 ffff"+"80000100"))
	if v, err := d.Int(1); err != nil || v != 0x123 {
		t.Fatalf("Int with trailing payload = %#x, %v", v, err)
	}
	if s, us, err := d.Timeval(2); err != nil || s != 5 || us != 6 {
		t.Fatalf("Timeval with trailing payload = %d, %d, %v", s, us, err)
	}
	if v, err := d.Int(0); err != nil || v != 0 {
		t.Fatalf("Int with non-minimal tag = %d, %v", v, err)
	}
}
