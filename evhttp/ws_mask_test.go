package evhttp

import (
	"bytes"
	"strconv"
	"testing"
)

// maskBytesRef is RFC 6455 §5.3's definition, byte by byte.
func maskBytesRef(p []byte, key [4]byte, pos int) int {
	for i := range p {
		p[i] ^= key[(pos+i)&3]
	}
	return (pos + len(p)) & 3
}

func TestMaskBytes(t *testing.T) {
	key := [4]byte{0x9c, 0x01, 0x7f, 0xe4}
	src := make([]byte, 100)
	for i := range src {
		src[i] = byte(i*31 + 7)
	}
	for n := 0; n <= len(src); n++ {
		for pos := range 4 {
			want := bytes.Clone(src[:n])
			wantPos := maskBytesRef(want, key, pos)
			got := bytes.Clone(src[:n])
			gotPos := maskBytes(got, key, pos)
			if !bytes.Equal(got, want) || gotPos != wantPos {
				t.Fatalf("n=%d pos=%d: got % x (pos %d), want % x (pos %d)", n, pos, got, gotPos, want, wantPos)
			}
		}
	}
}

// TestMaskBytesPieces masks one payload cut into pieces at every offset, as
// the parser does when a frame arrives in several reads.
func TestMaskBytesPieces(t *testing.T) {
	key := [4]byte{1, 2, 3, 4}
	src := bytes.Repeat([]byte("websocket payload "), 5)
	want := bytes.Clone(src)
	maskBytesRef(want, key, 0)
	for cut := 0; cut <= len(src); cut++ {
		got := bytes.Clone(src)
		pos := maskBytes(got[:cut], key, 0)
		maskBytes(got[cut:], key, pos)
		if !bytes.Equal(got, want) {
			t.Fatalf("cut at %d: masks differ", cut)
		}
	}
}

func FuzzMaskBytes(f *testing.F) {
	f.Add([]byte("hello, world, masked"), uint32(0x11223344), 1)
	f.Fuzz(func(t *testing.T, p []byte, k uint32, pos int) {
		key := [4]byte{byte(k), byte(k >> 8), byte(k >> 16), byte(k >> 24)}
		pos &= 3
		want := bytes.Clone(p)
		wantPos := maskBytesRef(want, key, pos)
		if gotPos := maskBytes(p, key, pos); !bytes.Equal(p, want) || gotPos != wantPos {
			t.Fatalf("mask differs from the byte-by-byte definition")
		}
	})
}

func BenchmarkMaskBytes(b *testing.B) {
	for _, n := range []int{64, 16 << 10} {
		p := make([]byte, n)
		b.Run(strconv.Itoa(n), func(b *testing.B) {
			b.SetBytes(int64(n))
			for b.Loop() {
				maskBytes(p, [4]byte{1, 2, 3, 4}, 1)
			}
		})
	}
}
