package ssl

import (
	"crypto/tls"
	"io"
	"net"
	"testing"

	"github.com/goevent/goevent/bufferevent"
	"github.com/goevent/goevent/internal/looptest"
)

// BenchmarkHandshake measures full handshakes (server and client in one
// process): goevent ssl on a loop against crypto/tls on net.Conn with a
// goroutine per end, as net/http's TLS server runs it.
func BenchmarkHandshake(b *testing.B) {
	p := pkiOnce(b)
	for _, v := range []uint16{tls.VersionTLS12, tls.VersionTLS13} {
		scfg := p.ServerConfig()
		scfg.MaxVersion = v
		b.Run("goevent/"+tls.VersionName(v), func(b *testing.B) {
			b.ReportAllocs()
			base := newBase(b)
			for b.Loop() {
				fds := looptest.Socketpair(b)
				srv, _ := NewServer(base, fds[0], scfg, 0)
				cli, _ := NewClient(base, fds[1], p.ClientConfig(), 0)
				n := 0
				cb := func(bev *bufferevent.BufferEvent, w bufferevent.What, err error) {
					if w != bufferevent.Connected {
						b.Errorf("%v %v", w, err)
					}
					if n++; n == 2 {
						base.LoopBreak()
					}
				}
				srv.SetCallbacks(nil, nil, cb)
				cli.SetCallbacks(nil, nil, cb)
				run(b, base)
				srv.Free()
				cli.Free()
				looptest.CloseEarly(fds, 0)
				looptest.CloseEarly(fds, 1)
			}
		})
		b.Run("crypto-tls/"+tls.VersionName(v), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				c1, c2 := tcpPair(b)
				done := make(chan error, 1)
				go func() { done <- tls.Server(c1, scfg).Handshake() }()
				if err := tls.Client(c2, p.ClientConfig()).Handshake(); err != nil {
					b.Fatal(err)
				}
				if err := <-done; err != nil {
					b.Fatal(err)
				}
				c1.Close()
				c2.Close()
			}
		})
	}
}

// tcpPair returns two ends of a loopback TCP connection.
func tcpPair(b testing.TB) (net.Conn, net.Conn) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	defer ln.Close()
	c2, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		b.Fatal(err)
	}
	c1, err := ln.Accept()
	if err != nil {
		b.Fatal(err)
	}
	return c1, c2
}

// BenchmarkThroughput moves 1 MiB per op from a server to a client
// end: goevent ssl (both ends on one loop) against crypto/tls on net.Conn
// (a writing and a reading goroutine).
func BenchmarkThroughput(b *testing.B) {
	p := pkiOnce(b)
	const chunk = 1 << 20
	data := pattern(chunk, 5)
	b.Run("goevent", func(b *testing.B) {
		b.ReportAllocs()
		b.SetBytes(chunk)
		base := newBase(b)
		srv, cli := tlsPair(b, base, p.ServerConfig(), p.ClientConfig())
		want, got := 0, 0
		srv.SetWatermark(bufferevent.Write, 256<<10, 0)
		fill := func(bev *bufferevent.BufferEvent) {
			for want > 0 && bev.Output().Len() < 1<<20 {
				k := min(want, 256<<10)
				bev.Output().AddReference(data[:k], nil)
				want -= k
			}
		}
		srv.SetCallbacks(nil, fill, func(bev *bufferevent.BufferEvent, w bufferevent.What, err error) {
			if w == bufferevent.Connected {
				base.LoopBreak()
			}
		})
		cli.SetCallbacks(func(bev *bufferevent.BufferEvent) {
			got -= bev.Input().Len()
			bev.Input().Drain(bev.Input().Len())
			if got <= 0 {
				base.LoopBreak()
			}
		}, nil, nil)
		run(b, base) // handshake
		b.ResetTimer()
		want, got = b.N*chunk, b.N*chunk
		fill(srv)
		run(b, base)
	})
	b.Run("crypto-tls", func(b *testing.B) {
		b.ReportAllocs()
		b.SetBytes(chunk)
		c1, c2 := tcpPair(b)
		srv, cli := tls.Server(c1, p.ServerConfig()), tls.Client(c2, p.ClientConfig())
		defer srv.Close()
		defer cli.Close()
		go srv.Handshake()
		if err := cli.Handshake(); err != nil {
			b.Fatal(err)
		}
		b.ResetTimer()
		go func() {
			for range b.N {
				srv.Write(data)
			}
		}()
		io.CopyN(io.Discard, cli, int64(b.N)*chunk)
	})
}
