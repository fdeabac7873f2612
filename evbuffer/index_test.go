package evbuffer

import (
	"bytes"
	"math/rand/v2"
	"testing"
)

// TestIndexMatchesBytesIndex compares index with bytes.Index over needles
// and haystacks built to hit the packed filter's edges: matches in the
// first and last block, in the tail after the last whole block, at every
// alignment, false candidates that share the first and last byte, and
// data that defeats the filter.
func TestIndexMatchesBytesIndex(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	alphabets := []string{"ab", "\r\nab", "abcdefghijklmnopqrstuvwxyz\r\n", "\x00\xff"}
	n := 0
	for _, alpha := range alphabets {
		for hay := 0; hay <= 200; hay += 1 + hay/8 {
			for m := 1; m <= 40; m += 1 + m/6 {
				for range 6 {
					d := make([]byte, hay)
					for i := range d {
						d[i] = alpha[r.IntN(len(alpha))]
					}
					w := make([]byte, m)
					for i := range w {
						w[i] = alpha[r.IntN(len(alpha))]
					}
					if hay >= m && r.IntN(2) == 0 {
						copy(d[r.IntN(hay-m+1):], w) // plant one
					}
					if got, want := index(d, w), bytes.Index(d, w); got != want {
						t.Fatalf("index(%q, %q) = %d, bytes.Index %d", d, w, got, want)
					}
					n++
				}
			}
		}
	}
	t.Logf("%d cases", n)
}

func TestIndexEdges(t *testing.T) {
	long := bytes.Repeat([]byte("a"), 1000)
	cases := []struct {
		name string
		d, w []byte
	}{
		{"empty needle", []byte("abc"), nil},
		{"empty haystack", nil, []byte("ab")},
		{"needle longer", []byte("ab"), []byte("abc")},
		{"at 0", append([]byte("\r\n\r\n"), long...), []byte("\r\n\r\n")},
		{"at the very end", append(append([]byte{}, long...), "\r\n\r\n"...), []byte("\r\n\r\n")},
		{"in the tail", append(long[:75:75], "xy"...), []byte("xy")},
		{"every position a candidate", long, append(append([]byte("a"), bytes.Repeat([]byte("b"), 30)...), 'a')},
		{"long needle, near misses", append(bytes.Repeat([]byte("ab"), 500), 'c'), append(bytes.Repeat([]byte("ab"), 40), 'c')},
		{"no match", long, []byte("ab")},
	}
	for _, c := range cases {
		if got, want := index(c.d, c.w), bytes.Index(c.d, c.w); got != want {
			t.Errorf("%s: index = %d, bytes.Index %d", c.name, got, want)
		}
	}
}

func BenchmarkIndexCRLFCRLF(b *testing.B) {
	// CRLF lines of 38 letters, the needle once at the end: the shape of
	// looking for the end of an HTTP header block.
	var d []byte
	for len(d) < 1<<20 {
		d = append(d, "abcdefghijklmnopqrstuvwxyzabcdefghijkl\r\n"...)
	}
	d = append(d, "\r\n\r\n"...)
	w := []byte("\r\n\r\n")
	b.SetBytes(int64(len(d)))
	b.Run("index", func(b *testing.B) {
		for b.Loop() {
			index(d, w)
		}
	})
	b.Run("bytes.Index", func(b *testing.B) {
		for b.Loop() {
			bytes.Index(d, w)
		}
	})
}

// FuzzIndex checks index against bytes.Index on arbitrary haystacks and
// needles (the haystack is repeated to reach the packed filter's sizes).
func FuzzIndex(f *testing.F) {
	f.Add([]byte("abc\r\ndef\r\n\r\n"), []byte("\r\n\r\n"), uint8(8))
	f.Add([]byte("aaaaaaaab"), []byte("ab"), uint8(20))
	f.Fuzz(func(t *testing.T, unit, w []byte, reps uint8) {
		d := bytes.Repeat(unit, int(reps)%64+1)
		if got, want := index(d, w), bytes.Index(d, w); got != want {
			t.Fatalf("index(%q, %q) = %d, bytes.Index %d", d, w, got, want)
		}
	})
}
