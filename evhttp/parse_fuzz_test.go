package evhttp

import (
	"math/rand/v2"
	"testing"

	"github.com/goevent/goevent/evbuffer"
)

// runSplit feeds in to step in pieces chosen by rng and returns the result
// plus, on AllRead, a summary of what was parsed.
func runParser(in []byte, rng *rand.Rand) (ParseStatus, string, string) {
	var p requestParser
	p.maxRequestLine, p.maxHeaderBytes, p.maxHeaders = 64, 128, 8
	var buf evbuffer.Buffer
	st, err := NeedMore, error(nil)
	for i := 0; i < len(in) && st == NeedMore; {
		n := len(in) - i
		if rng != nil {
			n = 1 + rng.IntN(n)
		}
		buf.Add(in[i : i+n])
		i += n
		st, err = p.parse(&buf)
	}
	var e, sum string
	if err != nil {
		e = err.Error()
	}
	if st == AllRead {
		sum = p.method + " " + p.target + " " + p.framing.kind.String() + " " + p.header.String()
	}
	return st, e, sum
}

func FuzzRequestParser(f *testing.F) {
	f.Add([]byte(benchRequest), uint64(1))
	f.Add([]byte("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n"), uint64(2))
	f.Add([]byte("CONNECT a:1 HTTP/1.1\r\nHost: a\r\n X\r\n\r\n"), uint64(3))
	f.Add([]byte("\r\nOPTIONS * HTTP/1.0\r\nContent-Length: 1, 1\r\n\r\n"), uint64(4))
	f.Fuzz(func(t *testing.T, in []byte, seed uint64) {
		st1, e1, s1 := runParser(in, nil)
		st2, e2, s2 := runParser(in, rand.New(rand.NewPCG(seed, seed)))
		if st1 != st2 || e1 != e2 || s1 != s2 {
			t.Fatalf("whole: %v %q %q; split: %v %q %q", st1, e1, s1, st2, e2, s2)
		}
	})
}

func runChunked(in []byte, rng *rand.Rand) (ParseStatus, string, string) {
	var d chunkedDecoder
	d.maxTrailerBytes, d.maxTrailers = 64, 4
	var src, dst evbuffer.Buffer
	st, err := NeedMore, error(nil)
	for i := 0; i < len(in) && st == NeedMore; {
		n := len(in) - i
		if rng != nil {
			n = 1 + rng.IntN(n)
		}
		src.Add(in[i : i+n])
		i += n
		st, err = d.decode(&src, &dst, 1<<20)
	}
	var e string
	if err != nil {
		e = err.Error()
	}
	out := make([]byte, dst.Len())
	dst.CopyOut(out)
	if st == AllRead {
		return st, e, string(out) + "|" + d.trailer.String()
	}
	return st, e, ""
}

func FuzzChunked(f *testing.F) {
	f.Add([]byte("5;a=\"b\"\r\nhello\r\n0\r\nX: y\r\n\r\n"), uint64(1))
	f.Add([]byte("ffffffffffffffffff\r\n"), uint64(2))
	f.Add([]byte("3\r\nabc\n"), uint64(3))
	f.Fuzz(func(t *testing.T, in []byte, seed uint64) {
		st1, e1, s1 := runChunked(in, nil)
		st2, e2, s2 := runChunked(in, rand.New(rand.NewPCG(seed, seed)))
		if st1 != st2 || e1 != e2 || s1 != s2 {
			t.Fatalf("whole: %v %q %q; split: %v %q %q", st1, e1, s1, st2, e2, s2)
		}
	})
}
