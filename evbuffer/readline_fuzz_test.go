package evbuffer

import (
	"bytes"
	"testing"
)

// fuzzBuffer builds a buffer holding data, cut into segments at the
// positions the cuts bytes select; odd cut bytes make the next segment a
// reference instead of an owned block.
func fuzzBuffer(t testing.TB, data, cuts []byte) *Buffer {
	b := New()
	pos := 0
	for _, c := range cuts {
		if pos >= len(data) {
			break
		}
		k := 1 + int(c>>1)%max(1, min(64, len(data)-pos))
		part := data[pos : pos+k]
		if c&1 == 1 {
			b.AddReference(part, nil)
		} else {
			var tmp Buffer
			tmp.Add(part)
			b.AddBuffer(&tmp)
		}
		pos += k
	}
	if pos < len(data) {
		b.AddReference(data[pos:], nil)
	}
	if err := checkInvariants(b); err != nil {
		t.Fatal(err)
	}
	return b
}

func FuzzReadLine(f *testing.F) {
	f.Add([]byte("GET / HTTP/1.1\r\nHost: x\r\n\r\n"), []byte{2, 7, 31, 30}, uint8(EOLCRLF))
	f.Add([]byte("a\r\nb\nc\rd\r\r\ne\n\rf"), []byte{1, 3, 5, 7, 9}, uint8(EOLAny))
	f.Add([]byte("abc\r"), []byte{6}, uint8(EOLCRLF))
	f.Add([]byte("x\r\r\ny\r\n"), []byte{2, 2, 2}, uint8(EOLCRLFStrict))
	f.Add([]byte("one\x00two\x00"), []byte{4, 9}, uint8(EOLNUL))
	f.Add([]byte("\n\n\nlf\n"), []byte{0, 1}, uint8(EOLLF))
	f.Fuzz(func(t *testing.T, data, cuts []byte, style uint8) {
		st := EOLStyle(style % 6) // 5 is an unknown style: never a line
		b := fuzzBuffer(t, data, cuts)
		flat := append([]byte(nil), data...)
		for start := 0; start <= len(flat) && start < 16; start++ {
			var p Ptr
			if err := b.PtrSet(&p, start, PtrSetAbs); err != nil {
				t.Fatal(err)
			}
			got, n := b.SearchEOL(&p, st)
			wp, wn := refEOL(flat, start, st)
			if got.Pos != wp || n != wn {
				t.Fatalf("SearchEOL(%d, %v) = %d,%d want %d,%d", start, st, got.Pos, n, wp, wn)
			}
		}
		for {
			wp, wn := refEOL(flat, 0, st)
			line, ok := b.ReadLine(st)
			if ok != (wp >= 0) {
				t.Fatalf("ReadLine ok = %v, want %v (rest %q)", ok, wp >= 0, flat)
			}
			if !ok {
				break
			}
			if !bytes.Equal(line, flat[:wp]) {
				t.Fatalf("ReadLine = %q, want %q", line, flat[:wp])
			}
			flat = flat[wp+wn:]
			if err := checkInvariants(b); err != nil {
				t.Fatal(err)
			}
		}
		mustEqual(t, b, flat)
	})
}
