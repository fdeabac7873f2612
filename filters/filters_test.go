package filters

import (
	"bytes"
	"errors"
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/goevent/goevent/bufferevent"
	"github.com/goevent/goevent/evbuffer"
)

type codec struct {
	name   string
	comp   func() (bufferevent.FilterFunc, error)
	decomp func(...DecompressOption) bufferevent.FilterFunc
	newW   func(*evbuffer.Buffer) (Compressor, error)
	newD   func(...DecompressOption) *Decompressor
}

var codecs = []codec{
	{"gzip", func() (bufferevent.FilterFunc, error) { return GzipCompress(DefaultLevel) }, GzipDecompress,
		func(b *evbuffer.Buffer) (Compressor, error) { return NewGzipWriter(b, DefaultLevel) }, NewGzipDecompressor},
	{"zlib", func() (bufferevent.FilterFunc, error) { return ZlibCompress(BestSpeed) }, ZlibDecompress,
		func(b *evbuffer.Buffer) (Compressor, error) { return NewZlibWriter(b, BestSpeed) }, NewZlibDecompressor},
	{"deflate", func() (bufferevent.FilterFunc, error) { return DeflateCompress(BestCompression) }, DeflateDecompress,
		func(b *evbuffer.Buffer) (Compressor, error) { return NewDeflateWriter(b, BestCompression) }, NewDeflateDecompressor},
	{"zstd", func() (bufferevent.FilterFunc, error) { return ZstdCompress(DefaultLevel) }, ZstdDecompress,
		func(b *evbuffer.Buffer) (Compressor, error) { return NewZstdWriter(b, DefaultLevel) }, NewZstdDecompressor},
}

// testData returns n bytes mixing text-like, random and repetitive runs.
func testData(r *rand.Rand, n int) []byte {
	out := make([]byte, 0, n)
	words := []string{"alpha ", "beta ", "gamma\n", "delta\r\n", "epsilon ", "{\"k\":1}"}
	for len(out) < n {
		switch r.IntN(3) {
		case 0:
			for i := r.IntN(2000); i > 0; i-- {
				out = append(out, words[r.IntN(len(words))]...)
			}
		case 1:
			for i := r.IntN(3000); i > 0; i-- {
				out = append(out, byte(r.Uint32()))
			}
		default:
			out = append(out, bytes.Repeat([]byte{byte(r.Uint32())}, r.IntN(50000))...)
		}
	}
	return out[:n]
}

var modes = []bufferevent.FlushMode{bufferevent.Normal, bufferevent.Normal, bufferevent.Normal, bufferevent.Flush}

// feed passes data through f in random pieces with random limits and modes,
// ending with Finished, and returns what came out.
func feed(t testing.TB, r *rand.Rand, f bufferevent.FilterFunc, data []byte, maxPiece int) []byte {
	t.Helper()
	var src, dst evbuffer.Buffer
	for len(data) > 0 {
		n := min(len(data), 1+r.IntN(maxPiece))
		src.Add(data[:n])
		data = data[n:]
		limit := -1
		if r.IntN(3) == 0 {
			limit = r.IntN(5000)
		}
		before := dst.Len()
		res, err := f(&src, &dst, limit, modes[r.IntN(len(modes))])
		if err != nil || res == bufferevent.FilterError {
			t.Fatalf("filter: %v %v", res, err)
		}
		if limit >= 0 && dst.Len()-before > limit {
			t.Fatalf("limit %d exceeded: %d", limit, dst.Len()-before)
		}
	}
	for i := 0; ; i++ {
		before, srcBefore := dst.Len(), src.Len()
		limit := -1
		if i < 5 {
			limit = r.IntN(100000)
		}
		res, err := f(&src, &dst, limit, bufferevent.Finished)
		if err != nil || res == bufferevent.FilterError {
			t.Fatalf("filter finished: %v %v", res, err)
		}
		if limit >= 0 && dst.Len()-before > limit {
			t.Fatalf("limit %d exceeded: %d", limit, dst.Len()-before)
		}
		if i >= 5 && dst.Len() == before && src.Len() == srcBefore {
			break
		}
	}
	if src.Len() != 0 {
		t.Fatalf("%d bytes left in src", src.Len())
	}
	out := make([]byte, dst.Len())
	dst.Remove(out)
	return out
}

func TestRoundTrip(t *testing.T) {
	for _, c := range codecs {
		t.Run(c.name, func(t *testing.T) {
			for seed := range uint64(12) {
				r := rand.New(rand.NewPCG(seed, 7))
				size := []int{0, 1, 100, 5000, 300000, 1 << 20}[seed%6]
				data := testData(r, size)
				comp, err := c.comp()
				if err != nil {
					t.Fatal(err)
				}
				piece := []int{1, 7, 1000, 70000}[r.IntN(4)]
				if size > 100000 && piece < 100 {
					piece = 1000
				}
				z := feed(t, r, comp, data, piece)
				got := feed(t, r, c.decomp(), z, []int{1, 3, 500, 100000}[r.IntN(4)])
				if !bytes.Equal(got, data) {
					t.Fatalf("seed %d: round trip of %d bytes gave %d bytes (compressed %d)", seed, len(data), len(got), len(z))
				}
			}
		})
	}
}

// TestFlushDecodable checks that after each Flush the peer decodes exactly
// everything written so far.
func TestFlushDecodable(t *testing.T) {
	for _, c := range codecs {
		t.Run(c.name, func(t *testing.T) {
			r := rand.New(rand.NewPCG(1, 2))
			comp, _ := c.comp()
			dec := c.decomp()
			var src, wire, out evbuffer.Buffer
			var all []byte
			for i := range 30 {
				msg := testData(r, 1+r.IntN(20000))
				all = append(all, msg...)
				src.Add(msg)
				if _, err := comp(&src, &wire, -1, bufferevent.Flush); err != nil {
					t.Fatal(err)
				}
				// deliver the wire bytes in two pieces
				var in evbuffer.Buffer
				wire.RemoveBuffer(&in, wire.Len()/2)
				if _, err := dec(&in, &out, -1, bufferevent.Normal); err != nil {
					t.Fatal(err)
				}
				wire.RemoveBuffer(&in, wire.Len())
				if _, err := dec(&in, &out, -1, bufferevent.Normal); err != nil {
					t.Fatal(err)
				}
				if out.Len() != len(all) {
					t.Fatalf("message %d: decoded %d of %d bytes after Flush", i, out.Len(), len(all))
				}
			}
			got := make([]byte, out.Len())
			out.Remove(got)
			if !bytes.Equal(got, all) {
				t.Fatal("content differs")
			}
		})
	}
}

func compressAll(t testing.TB, c codec, data []byte) []byte {
	var b evbuffer.Buffer
	w, err := c.newW(&b)
	if err != nil {
		t.Fatal(err)
	}
	w.Write(data)
	w.Close()
	out := make([]byte, b.Len())
	b.Remove(out)
	return out
}

func decodeAll(d *Decompressor, z []byte) ([]byte, error) {
	var src, dst evbuffer.Buffer
	src.Add(z)
	_, err := d.Decode(&src, &dst, -1, true)
	out := make([]byte, dst.Len())
	dst.Remove(out)
	return out, err
}

func TestCorrupt(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	data := testData(r, 100000)
	for _, c := range codecs {
		t.Run(c.name, func(t *testing.T) {
			z := compressAll(t, c, data)
			// truncation
			for _, cut := range []int{1, len(z) / 2, len(z) - 1} {
				_, err := decodeAll(c.newD(), z[:cut])
				if !errors.Is(err, ErrTruncated) && !errors.Is(err, ErrCorrupt) {
					t.Errorf("cut at %d: %v", cut, err)
				}
			}
			// trailing garbage or flipped bytes
			bad := 0
			for i := range 200 {
				zz := bytes.Clone(z)
				zz[r.IntN(len(zz))] ^= byte(1 + r.IntN(255))
				got, err := decodeAll(c.newD(), zz)
				if err == nil {
					if c.name != "deflate" && !bytes.Equal(got, data) { // raw deflate has no checksum
						t.Fatalf("flip %d: no error but wrong output", i)
					}
					continue
				}
				bad++
				if !errors.Is(err, ErrCorrupt) && !errors.Is(err, ErrTruncated) && !errors.Is(err, ErrUnsupported) && !errors.Is(err, ErrTooLarge) {
					t.Fatalf("flip %d: unexpected error %v", i, err)
				}
			}
			if c.name != "deflate" && bad < 150 {
				t.Errorf("only %d of 200 corruptions detected", bad)
			}
			// filter reports FilterError
			var src, dst evbuffer.Buffer
			src.Add([]byte("this is not compressed at all, not at all"))
			res, err := c.decomp()(&src, &dst, -1, bufferevent.Finished)
			if res != bufferevent.FilterError || !errors.Is(err, ErrCorrupt) {
				t.Errorf("garbage: %v %v", res, err)
			}
		})
	}
}

func TestBomb(t *testing.T) {
	data := make([]byte, 50<<20)
	for _, c := range codecs {
		t.Run(c.name, func(t *testing.T) {
			z := compressAll(t, c, data)
			_, err := decodeAll(c.newD(WithMaxOutput(1<<20)), z)
			if !errors.Is(err, ErrTooLarge) {
				t.Errorf("max output: %v", err)
			}
			_, err = decodeAll(c.newD(WithMaxRatio(10)), z)
			if !errors.Is(err, ErrTooLarge) {
				t.Errorf("max ratio: %v", err)
			}
			got, err := decodeAll(c.newD(WithMaxOutput(50<<20)), z)
			if err != nil || len(got) != len(data) {
				t.Errorf("at the limit: %d %v", len(got), err)
			}
		})
	}
}

// TestBoundedOutput checks that a Decompressor with limit 0 holds bounded output.
func TestBoundedOutput(t *testing.T) {
	data := make([]byte, 20<<20)
	for _, c := range codecs {
		t.Run(c.name, func(t *testing.T) {
			z := compressAll(t, c, data)
			d := c.newD()
			var src, dst evbuffer.Buffer
			src.Add(z)
			for range 3 {
				if _, err := d.Decode(&src, &dst, 0, false); err != nil {
					t.Fatal(err)
				}
			}
			if d.Buffered() > outHigh+maxZstdBlock || dst.Len() != 0 {
				t.Fatalf("buffered %d, dst %d", d.Buffered(), dst.Len())
			}
			total := 0
			for {
				n, err := d.Decode(&src, &dst, 4096, true)
				if err != nil {
					t.Fatal(err)
				}
				total += n
				dst.Reset()
				if n == 0 {
					break
				}
			}
			if total != len(data) {
				t.Fatalf("got %d of %d", total, len(data))
			}
		})
	}
}

func TestConcatenated(t *testing.T) {
	for _, c := range codecs {
		if c.name == "zlib" || c.name == "deflate" {
			continue
		}
		t.Run(c.name, func(t *testing.T) {
			a, b := []byte("first member "), []byte("second member")
			z := append(compressAll(t, c, a), compressAll(t, c, nil)...)
			z = append(z, compressAll(t, c, b)...)
			if c.name == "zstd" { // a skippable frame in between
				z = append([]byte{0x50, 0x2a, 0x4d, 0x18, 3, 0, 0, 0, 1, 2, 3}, z...)
			}
			r := rand.New(rand.NewPCG(9, 9))
			got := feed(t, r, c.decomp(), z, 3)
			if string(got) != "first member second member" {
				t.Fatalf("got %q", got)
			}
		})
	}
	// zlib: data after the stream is corrupt
	z := compressAll(t, codecs[1], []byte("x"))
	if _, err := decodeAll(NewZlibDecompressor(), append(z, z...)); !errors.Is(err, ErrCorrupt) {
		t.Fatalf("zlib twice: %v", err)
	}
}

func TestCompressorReuse(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	body := testData(r, 64<<10)
	for _, c := range codecs {
		t.Run(c.name, func(t *testing.T) {
			var dst evbuffer.Buffer
			w, _ := c.newW(&dst)
			run := func() {
				w.Reset(&dst)
				w.Write(body)
				w.Close()
				dst.Reset()
			}
			run()
			allocs := testing.AllocsPerRun(20, run)
			t.Logf("%.1f allocs per 64 KiB body", allocs)
			if allocs > 5 {
				t.Errorf("%.1f allocs per reuse", allocs)
			}
			w.Reset(&dst)
			w.Write(body)
			w.Close()
			z := make([]byte, dst.Len())
			dst.Remove(z)
			got, err := decodeAll(c.newD(), z)
			if err != nil || !bytes.Equal(got, body) {
				t.Fatalf("after reuse: %v", err)
			}
		})
	}
}

func TestPool(t *testing.T) {
	p, err := NewPool(Gzip, BestSpeed)
	if err != nil {
		t.Fatal(err)
	}
	for i := range 3 {
		var dst evbuffer.Buffer
		c := p.Get(&dst)
		fmt.Fprintf(c, "body %d", i)
		c.Close()
		p.Put(c)
		z := make([]byte, dst.Len())
		dst.Remove(z)
		got, err := decodeAll(NewGzipDecompressor(), z)
		if err != nil || string(got) != fmt.Sprintf("body %d", i) {
			t.Fatalf("%q %v", got, err)
		}
	}
	if _, err := NewPool(Zstd, 99); !errors.Is(err, ErrLevel) {
		t.Fatal(err)
	}
}

func TestClosed(t *testing.T) {
	f, _ := GzipCompress(DefaultLevel)
	var src, dst evbuffer.Buffer
	src.AddString("x")
	f(&src, &dst, -1, bufferevent.Finished)
	src.AddString("y")
	if res, err := f(&src, &dst, -1, bufferevent.Normal); res != bufferevent.FilterError || !errors.Is(err, ErrClosed) {
		t.Fatal(res, err)
	}
	w, _ := NewZstdWriter(&dst, 3)
	w.Close()
	if _, err := w.Write([]byte("z")); !errors.Is(err, ErrClosed) {
		t.Fatal(err)
	}
}

func TestLevels(t *testing.T) {
	for _, l := range []int{-3, 10} {
		if _, err := NewGzipWriter(nil, l); !errors.Is(err, ErrLevel) {
			t.Error(l, err)
		}
	}
	for _, l := range []int{0, 23, -2} {
		if _, err := NewZstdWriter(nil, l); !errors.Is(err, ErrLevel) {
			t.Error(l, err)
		}
	}
}

func TestLineFramer(t *testing.T) {
	f := LineFramer(10)
	var src, dst evbuffer.Buffer
	src.AddString("one\r\ntwo\nthr")
	f(&src, &dst, -1, bufferevent.Normal)
	src.AddString("ee\r")
	f(&src, &dst, 4, bufferevent.Flush)
	src.AddString("\nlast")
	f(&src, &dst, -1, bufferevent.Finished)
	if got := bufString(&dst); got != "one\ntwo\nthree\nlast\n" {
		t.Fatalf("%q", got)
	}
	src.AddString("this line is too long\n")
	if res, err := f(&src, &dst, -1, bufferevent.Normal); res != bufferevent.FilterError || !errors.Is(err, ErrLineTooLong) {
		t.Fatal(res, err)
	}
}

func bufString(b *evbuffer.Buffer) string {
	p, _ := b.Pullup(-1)
	return string(p)
}
