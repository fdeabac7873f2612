package filters

import (
	"math/rand/v2"
	"testing"

	"github.com/goevent/goevent/evbuffer"
)

func benchBody() []byte { return testData(rand.New(rand.NewPCG(42, 42)), 64<<10) }

func BenchmarkCompress64K(b *testing.B) {
	body := benchBody()
	for _, c := range codecs {
		b.Run(c.name, func(b *testing.B) {
			var dst evbuffer.Buffer
			w, _ := c.newW(&dst)
			b.ReportAllocs()
			b.SetBytes(int64(len(body)))
			for b.Loop() {
				w.Reset(&dst)
				w.Write(body)
				w.Close()
				dst.Reset()
			}
		})
	}
}

func BenchmarkDecompress64K(b *testing.B) {
	body := benchBody()
	for _, c := range codecs {
		b.Run(c.name, func(b *testing.B) {
			z := compressAll(b, c, body)
			d := c.newD()
			var src, dst evbuffer.Buffer
			b.ReportAllocs()
			b.SetBytes(int64(len(body)))
			for b.Loop() {
				d.Reset()
				// arrives in 8 KiB pieces, as from a socket
				for i := 0; i < len(z); i += 8 << 10 {
					src.Add(z[i:min(i+8<<10, len(z))])
					d.Decode(&src, &dst, -1, false)
				}
				d.Decode(&src, &dst, -1, true)
				dst.Reset()
			}
		})
	}
}
