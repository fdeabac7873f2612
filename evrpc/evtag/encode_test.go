package evtag

import (
	"bytes"
	"encoding/hex"
	"errors"
	"testing"
)

// The vectors below are libevent 2.1.12's output as the reference notes
// (shared/reference/libevent.md, 2.1) record it; peer_test.go checks the
// same and many more against the installed library.

var tagVectors = []struct {
	tag  uint32
	want string
}{
	{0x00, "00"},
	{0x01, "01"},
	{0x7f, "7f"},
	{0x80, "8001"},
	{0x166, "e602"},
	{0x3fff, "ff7f"},
	{0x4000, "808001"},
	{0x10121, "a18204"},
	{0xffffffff, "ffffffff0f"},
}

var intVectors = []struct {
	v    uint32
	want string
}{
	{0, "00"},
	{1, "01"},
	{5, "05"},
	{0xf, "0f"},
	{0x10, "1010"},
	{0x12, "1210"},
	{0x123, "2321"},
	{0x1234, "343210"},
	{0x12345, "454321"},
	{0xffff, "3ffff0"},
	{0x10000, "400001"},
	{0x7fffffff, "7fffffff70"},
	{0xffffffff, "7ffffffff0"},
}

var int64Vectors = []struct {
	v    uint64
	want string
}{
	{0, "00"},
	{0x123, "2321"},
	{0xffffffff, "7ffffffff0"},
	{0x123456789a, "9a9876543210"},
	{0xffffffffffffffff, "fffffffffffffffff0"},
}

func TestAppendTag(t *testing.T) {
	for _, tc := range tagVectors {
		got := AppendTag([]byte{0xaa}, tc.tag)
		if h := hex.EncodeToString(got[1:]); h != tc.want || got[0] != 0xaa {
			t.Errorf("AppendTag(%#x) = % x, want aa %s", tc.tag, got, tc.want)
		}
		if n := TagLen(tc.tag); n != len(tc.want)/2 {
			t.Errorf("TagLen(%#x) = %d, want %d", tc.tag, n, len(tc.want)/2)
		}
	}
}

func TestAppendInt(t *testing.T) {
	for _, tc := range intVectors {
		if h := hex.EncodeToString(AppendInt(nil, tc.v)); h != tc.want {
			t.Errorf("AppendInt(%#x) = %s, want %s", tc.v, h, tc.want)
		}
		if n := IntLen(uint64(tc.v)); n != len(tc.want)/2 {
			t.Errorf("IntLen(%#x) = %d, want %d", tc.v, n, len(tc.want)/2)
		}
	}
	for _, tc := range int64Vectors {
		if h := hex.EncodeToString(AppendInt64(nil, tc.v)); h != tc.want {
			t.Errorf("AppendInt64(%#x) = %s, want %s", tc.v, h, tc.want)
		}
		if n := IntLen(tc.v); n != len(tc.want)/2 {
			t.Errorf("IntLen(%#x) = %d, want %d", tc.v, n, len(tc.want)/2)
		}
	}
}

func TestEncodeElements(t *testing.T) {
	must := func(b []byte, err error) []byte {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	for _, tc := range []struct {
		name string
		got  []byte
		want string
	}{
		{"marshal_string(1,hi)", must(EncodeString(nil, 1, "hi")), "01026869"},
		{"marshal_string(1,empty)", must(EncodeString(nil, 1, "")), "0100"},
		{"marshal(0x10121,dagger)", must(EncodeBytes(nil, 0x10121, []byte("dagger"))), "a1820406646167676572"},
		{"marshal_int(2,0x123)", EncodeInt(nil, 2, 0x123), "02022321"},
		{"marshal_int(3,0)", EncodeInt(nil, 3, 0), "030100"},
		{"marshal_int64(5,0x123456789a)", EncodeInt64(nil, 5, 0x123456789a), "05069a9876543210"},
		{"marshal_timeval(3,{1700000000,500000})", EncodeTimeval(nil, 3, 1700000000, 500000), "03087001f355604021a7"},
		{"marshal_timeval(3,{0,0})", EncodeTimeval(nil, 3, 0, 0), "03020000"},
	} {
		if h := hex.EncodeToString(tc.got); h != tc.want {
			t.Errorf("%s = %s, want %s", tc.name, h, tc.want)
		}
	}
}

// TestNested builds regress.rpc's msg with a kill by hand and compares it
// with the reference bytes.
func TestNested(t *testing.T) {
	b, _ := EncodeString(nil, 1, "x")
	b, _ = EncodeString(b, 2, "y")
	b, n := StartNested(b, 3)
	b, _ = EncodeString(b, 0x10121, "dagger")
	b, _ = EncodeString(b, 2, "stab")
	b = EncodeInt(b, 3, 3)
	b = EncodeInt(b, 3, 0x123)
	b, err := EndNested(b, n)
	if err != nil {
		t.Fatal(err)
	}
	want := unhex(t, "01 01 78 02 01 79 03 17 10 a1 82 04 06 64 61 67 67 65 72 02 04 73 74 61 62 03 01 03 03 02 23 21")
	if !bytes.Equal(b, want) {
		t.Errorf("nested msg = % x\nwant       % x", b, want)
	}

	// Nested inside nested, and an empty payload.
	b, outerN := StartNested(nil, 7)
	b, innerN := StartNested(b, 8)
	if b, err = EndNested(b, innerN); err != nil {
		t.Fatal(err)
	}
	if b, err = EndNested(b, outerN); err != nil {
		t.Fatal(err)
	}
	if h := hex.EncodeToString(b); h != "07020800" {
		t.Errorf("empty nested = %s, want 07020800", h)
	}
}

func TestEncodeTooLarge(t *testing.T) {
	if _, err := AppendHeader(nil, 1, -1); !errors.Is(err, ErrTooLarge) {
		t.Errorf("AppendHeader(-1) = %v, want ErrTooLarge", err)
	}
	if _, err := AppendHeader(nil, 1, MaxPayload+1); !errors.Is(err, ErrTooLarge) {
		t.Errorf("AppendHeader(MaxPayload+1) = %v, want ErrTooLarge", err)
	}
	b, err := AppendHeader(nil, 1, MaxPayload)
	if err != nil || hex.EncodeToString(b) != "017ffffffff0" {
		t.Errorf("AppendHeader(MaxPayload) = %x, %v", b, err)
	}
	// A Nested mark that does not belong to dst fails without panicking.
	if _, err := EndNested([]byte{1, 2}, Nested{tag: 1, start: 5}); !errors.Is(err, ErrTooLarge) {
		t.Errorf("EndNested with a foreign mark = %v, want ErrTooLarge", err)
	}
}
