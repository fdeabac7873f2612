package evhttp

import (
	"bytes"
	"net/netip"
	"testing"

	"github.com/goevent/goevent/core"
	"github.com/goevent/goevent/internal/basetest"
	"golang.org/x/sys/unix"
)

// benchServe runs b.N requests through one server connection over a
// socketpair, depth requests per write, with the loop driven from the
// benchmark goroutine: it measures the server's work per request plus a
// share of the client's two syscalls per batch.
func benchServe(b *testing.B, depth int) {
	base := basetest.New(b)
	s := New(base, nil)
	s.SetGenCallback(func(r *Request) {
		r.OutputHeaders().Set("Content-Type", "text/plain")
		r.OutputBuffer().AddString("Hello, World!")
		r.SendReply(StatusOK, "", nil)
	})
	p, err := nbSocketpair()
	if err != nil {
		b.Fatal(err)
	}
	defer unix.Close(p[1])
	s.newConn(s.loops[0], &BoundSocket{srv: s}, p[0], netip.AddrPort{})
	req := bytes.Repeat([]byte("GET /plaintext HTTP/1.1\r\nHost: localhost\r\nUser-Agent: bench\r\nAccept: */*\r\n\r\n"), depth)
	buf := make([]byte, 64<<10)
	marker := []byte("Hello, World!")
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i += depth {
		if _, err := unix.Write(p[1], req); err != nil {
			b.Fatal(err)
		}
		got := 0
		for got < depth {
			if err := base.Loop(core.LoopNonblock); err != nil {
				b.Fatal(err)
			}
			n, _ := unix.Read(p[1], buf)
			if n > 0 {
				got += bytes.Count(buf[:n], marker)
			}
		}
	}
	b.StopTimer()
	s.loops[0].closeAll()
}

func BenchmarkServerPlain(b *testing.B)       { benchServe(b, 1) }
func BenchmarkServerPipelined16(b *testing.B) { benchServe(b, 16) }
