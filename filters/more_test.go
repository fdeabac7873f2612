package filters

import (
	"bytes"
	"errors"
	"math/rand/v2"
	"runtime"
	"testing"

	"github.com/goevent/goevent/bufferevent"
	"github.com/goevent/goevent/evbuffer"
)

// TestDeflateLevels runs every deflate level (stored blocks, Huffman-only,
// and the matchers) through the filters with flushes in random places.
func TestDeflateLevels(t *testing.T) {
	for level := HuffmanOnly; level <= BestCompression; level++ {
		r := rand.New(rand.NewPCG(uint64(level+10), 1))
		data := testData(r, 200000)
		comp, err := ZlibCompress(level)
		if err != nil {
			t.Fatal(err)
		}
		z := feed(t, r, comp, data, 3000)
		got := feed(t, r, ZlibDecompress(), z, 2000)
		if !bytes.Equal(got, data) {
			t.Fatalf("level %d: round trip differs", level)
		}
	}
}

// TestZstdEmptyFrames feeds hand-made frames whose blocks decode to nothing.
func TestZstdEmptyFrames(t *testing.T) {
	empty := []byte{0x28, 0xb5, 0x2f, 0xfd, 0x00, 0x00, 0x01, 0x00, 0x00} // last raw block of 0 bytes
	emptyMid := []byte{0x28, 0xb5, 0x2f, 0xfd, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00}
	a := compressAll(t, codecs[3], []byte("hello "))
	b := compressAll(t, codecs[3], []byte("world"))
	var z []byte
	for _, p := range [][]byte{empty, a, emptyMid, empty, b, empty} {
		z = append(z, p...)
	}
	for piece := 1; piece < 20; piece += 6 {
		r := rand.New(rand.NewPCG(uint64(piece), 1))
		if got := feed(t, r, ZstdDecompress(), z, piece); string(got) != "hello world" {
			t.Fatalf("got %q", got)
		}
	}
}

func TestNoGoroutines(t *testing.T) {
	before := runtime.NumGoroutine()
	r := rand.New(rand.NewPCG(1, 1))
	data := testData(r, 500000)
	for _, c := range codecs {
		comp, _ := c.comp()
		z := feed(t, r, comp, data, 50000)
		feed(t, r, c.decomp(), z, 50000)
		// More would be one per stream; fewer is a goroutine of an
		// earlier test finishing meanwhile (CI saw 2 after 3).
		if n := runtime.NumGoroutine(); n > before {
			t.Fatalf("%s: %d goroutines, was %d", c.name, n, before)
		}
	}
}

func TestEmptyInput(t *testing.T) {
	for _, c := range codecs {
		var src, dst evbuffer.Buffer
		res, err := c.decomp()(&src, &dst, -1, bufferevent.Finished)
		if err != nil || res != bufferevent.FilterNeedMore {
			t.Errorf("%s: %v %v", c.name, res, err)
		}
	}
}

func TestMaxBlock(t *testing.T) {
	// a stored block of 60000 bytes is longer than a 64 KiB bound? no: use
	// random data at NoCompression, whose stored blocks are up to 64 KiB,
	// against the smallest bound, fed in one piece: it must pass.
	r := rand.New(rand.NewPCG(2, 2))
	data := testData(r, 300000)
	var b evbuffer.Buffer
	w, _ := NewDeflateWriter(&b, HuffmanOnly)
	w.Write(data)
	w.Close()
	z, _ := b.Pullup(-1)
	got, err := decodeAll(NewDeflateDecompressor(WithMaxBlock(1)), bytes.Clone(z))
	if err != nil && !errors.Is(err, ErrTooLarge) {
		t.Fatal(err)
	}
	if err == nil && !bytes.Equal(got, data) {
		t.Fatal("differs")
	}
}
