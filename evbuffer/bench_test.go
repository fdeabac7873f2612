package evbuffer

import (
	"bufio"
	"bytes"
	"io"
	"runtime"
	"strconv"
	"testing"

	"golang.org/x/sys/unix"
)

// Inner steps shared by the benchmarks and alloc_test.go.

func stepAddDrain(b *Buffer, p []byte) {
	b.Add(p)
	b.Drain(len(p))
}

func stepAddBuffer(b, o *Buffer, p []byte) {
	b.Add(p)
	o.AddBuffer(b)
	b.AddBuffer(o)
	b.Drain(b.Len())
}

func stepReadLine(b *Buffer) {
	b.AddString("GET /index.html HTTP/1.1\r\n")
	if _, ok := b.ReadLine(EOLCRLF); !ok {
		panic("no line")
	}
}

func stepWriteToFD(b *Buffer, fds []int, seg, sink []byte) {
	for range 4 {
		b.Add(seg) // a few segments of memory, then one writev
		b.AddReference(seg, nil)
	}
	n := b.Len()
	if w, err := b.WriteToFD(fds[0], -1); w != n || err != nil {
		panic("short write: " + strconv.Itoa(w) + " " + errString(err))
	}
	for got := 0; got < n; {
		k, err := unix.Read(fds[1], sink)
		if err != nil {
			panic(err)
		}
		got += k
	}
}

func errString(err error) string {
	if err == nil {
		return "<nil>"
	}
	return err.Error()
}

func BenchmarkAddDrain(b *testing.B) {
	for _, size := range []int{64, 4096, 64 << 10, 1 << 20} {
		p := make([]byte, size)
		b.Run("evbuffer/"+strconv.Itoa(size), func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(size))
			var buf Buffer
			for b.Loop() {
				stepAddDrain(&buf, p)
			}
		})
		b.Run("bytes.Buffer/"+strconv.Itoa(size), func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(size))
			var buf bytes.Buffer
			for b.Loop() {
				buf.Write(p)
				buf.Next(len(p))
			}
		})
	}
}

func BenchmarkAddBufferMove(b *testing.B) {
	p := make([]byte, 16<<10)
	b.Run("evbuffer", func(b *testing.B) {
		b.ReportAllocs()
		b.SetBytes(int64(len(p)))
		var x, y Buffer
		for b.Loop() {
			stepAddBuffer(&x, &y, p)
		}
	})
	b.Run("bytes.Buffer", func(b *testing.B) { // the copying equivalent
		b.ReportAllocs()
		b.SetBytes(int64(len(p)))
		var x, y bytes.Buffer
		for b.Loop() {
			x.Write(p)
			x.WriteTo(&y)
			y.WriteTo(&x)
			x.Reset()
		}
	})
	ref := make([]byte, 64<<10)
	b.Run("evbuffer/references", func(b *testing.B) {
		b.ReportAllocs()
		b.SetBytes(int64(16 * len(ref)))
		var x, y Buffer
		for b.Loop() {
			for range 16 {
				x.AddReference(ref, nil)
			}
			y.AddBuffer(&x)
			y.RemoveBuffer(&x, y.Len()/2)
			x.Drain(x.Len())
			y.Drain(y.Len())
		}
	})
}

// lines returns n HTTP-header-like lines.
func lines(n int) []byte {
	var w bytes.Buffer
	for i := range n {
		w.WriteString("X-Header-")
		w.WriteString(strconv.Itoa(i))
		w.WriteString(": some value of moderate length\r\n")
	}
	return w.Bytes()
}

// BenchmarkReadLine reads 1M lines fed in 64 KiB chunks (as a socket
// would), against bufio.Reader.ReadSlice over the same bytes.
func BenchmarkReadLine(b *testing.B) {
	const n = 1 << 20
	data := lines(n)
	runtime.GC() // settle the garbage of building data before either sub-benchmark runs
	const chunk = 64 << 10
	b.Run("evbuffer", func(b *testing.B) {
		b.ReportAllocs()
		b.SetBytes(int64(len(data)))
		var buf Buffer
		for b.Loop() {
			rest, got := data, 0
			for {
				if _, ok := buf.ReadLine(EOLCRLF); ok {
					got++
					continue
				}
				if len(rest) == 0 {
					break
				}
				k := min(chunk, len(rest))
				buf.Add(rest[:k])
				rest = rest[k:]
			}
			if got != n {
				b.Fatalf("%d lines", got)
			}
		}
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/n, "ns/line")
	})
	b.Run("bufio.ReadSlice", func(b *testing.B) {
		b.ReportAllocs()
		b.SetBytes(int64(len(data)))
		r := bytes.NewReader(data)
		br := bufio.NewReaderSize(r, chunk)
		for b.Loop() {
			r.Reset(data)
			br.Reset(r)
			got := 0
			for {
				line, err := br.ReadSlice('\n')
				if err == io.EOF {
					break
				}
				if err != nil {
					b.Fatal(err)
				}
				line = line[:len(line)-1]
				if len(line) > 0 && line[len(line)-1] == '\r' {
					line = line[:len(line)-1]
				}
				got++
			}
			if got != n {
				b.Fatalf("%d lines", got)
			}
		}
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/n, "ns/line")
	})
}

func BenchmarkSearch(b *testing.B) {
	hay := bytes.Repeat([]byte("abcdefghij"), 100000) // 1 MB
	needle := []byte("needle!")
	hay = append(hay, needle...)
	b.Run("evbuffer/flat", func(b *testing.B) {
		b.ReportAllocs()
		b.SetBytes(int64(len(hay)))
		var buf Buffer
		buf.AddReference(hay, nil)
		for b.Loop() {
			if buf.Search(needle, nil).Pos != len(hay)-len(needle) {
				b.Fatal("not found")
			}
		}
	})
	b.Run("evbuffer/blocks", func(b *testing.B) {
		b.ReportAllocs()
		b.SetBytes(int64(len(hay)))
		var buf Buffer
		buf.Add(hay) // 64 KiB blocks
		for b.Loop() {
			if buf.Search(needle, nil).Pos != len(hay)-len(needle) {
				b.Fatal("not found")
			}
		}
	})
	b.Run("bytes.Index", func(b *testing.B) {
		b.ReportAllocs()
		b.SetBytes(int64(len(hay)))
		for b.Loop() {
			if bytes.Index(hay, needle) != len(hay)-len(needle) {
				b.Fatal("not found")
			}
		}
	})
}

func BenchmarkWriteToFD(b *testing.B) {
	fds := socketpair(b)
	seg := make([]byte, 1000)
	sink := make([]byte, 64<<10)
	b.Run("evbuffer/8segs", func(b *testing.B) {
		b.ReportAllocs()
		b.SetBytes(8 * int64(len(seg)))
		var buf Buffer
		for b.Loop() {
			stepWriteToFD(&buf, fds, seg, sink)
		}
	})
	flat := make([]byte, 8*len(seg))
	b.Run("write(2)/flat", func(b *testing.B) { // the copy-into-one-slice alternative
		b.ReportAllocs()
		b.SetBytes(int64(len(flat)))
		for b.Loop() {
			for i := range 8 {
				copy(flat[i*len(seg):], seg)
			}
			unix.Write(fds[0], flat)
			for got := 0; got < len(flat); {
				k, _ := unix.Read(fds[1], sink)
				got += k
			}
		}
	})
}
