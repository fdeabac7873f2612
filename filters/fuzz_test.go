package filters

import (
	"errors"
	"testing"

	"github.com/goevent/goevent/evbuffer"
)

func fuzzDecode(t *testing.T, d *Decompressor, data []byte, piece int) {
	var src, dst evbuffer.Buffer
	piece = 1 + piece%4096
	for len(data) > 0 {
		n := min(piece, len(data))
		src.Add(data[:n])
		data = data[n:]
		if _, err := d.Decode(&src, &dst, 1<<16, false); err != nil {
			checkErr(t, err)
			return
		}
		dst.Reset()
	}
	for range 1 << 12 {
		n, err := d.Decode(&src, &dst, 1<<16, true)
		if err != nil {
			checkErr(t, err)
			return
		}
		if n == 0 {
			return
		}
		dst.Reset()
	}
}

func checkErr(t *testing.T, err error) {
	for _, e := range []error{ErrCorrupt, ErrTruncated, ErrTooLarge, ErrUnsupported} {
		if errors.Is(err, e) {
			return
		}
	}
	t.Fatalf("unclassified error %v", err)
}

func FuzzGzipDecompress(f *testing.F) {
	for _, s := range []string{"", "hello", "hello hello hello hello"} {
		f.Add(compressAll(f, codecs[0], []byte(s)), 7)
	}
	f.Fuzz(func(t *testing.T, data []byte, piece int) {
		fuzzDecode(t, NewGzipDecompressor(WithMaxOutput(8<<20)), data, max(piece, 0))
	})
}

func FuzzZstdDecompress(f *testing.F) {
	for _, s := range []string{"", "hello", "hello hello hello hello"} {
		f.Add(compressAll(f, codecs[3], []byte(s)), 7)
	}
	f.Fuzz(func(t *testing.T, data []byte, piece int) {
		fuzzDecode(t, NewZstdDecompressor(WithMaxOutput(8<<20)), data, max(piece, 0))
	})
}
