package ssl

import (
	"bytes"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"io"
	"math/rand/v2"
	"net"
	"testing"
	"time"

	"github.com/goevent/goevent/bufferevent"
	"github.com/goevent/goevent/core"
	"github.com/goevent/goevent/internal/looptest"
	"golang.org/x/sys/unix"
)

func TestHandshakeEchoALPNSNI(t *testing.T) {
	for _, v := range []uint16{tls.VersionTLS12, tls.VersionTLS13} {
		t.Run(tls.VersionName(v), func(t *testing.T) {
			p := pkiOnce(t)
			base := newBase(t)
			scfg := p.ServerConfig()
			scfg.NextProtos = []string{"h2", "echo/1"}
			scfg.MaxVersion = v
			var sniSeen string
			scfg.GetConfigForClient = func(h *tls.ClientHelloInfo) (*tls.Config, error) {
				sniSeen = h.ServerName
				return nil, nil
			}
			ccfg := p.ClientConfig()
			ccfg.NextProtos = []string{"echo/1"}
			srv, cli := tlsPair(t, base, scfg, ccfg)
			var sev, cev events
			srv.SetCallbacks(func(bev *bufferevent.BufferEvent) {
				bev.Output().AddBuffer(bev.Input())
			}, nil, func(bev *bufferevent.BufferEvent, w bufferevent.What, err error) {
				sev.add(w, err)
				if w&bufferevent.Connected != 0 {
					st, ok := ConnectionState(bev)
					if !ok || st.NegotiatedProtocol != "echo/1" || st.ServerName != "example.test" || st.Version != v {
						t.Errorf("server state %v: proto %q sni %q version %x", ok, st.NegotiatedProtocol, st.ServerName, st.Version)
					}
				}
			})
			var got bytes.Buffer
			cli.SetCallbacks(func(bev *bufferevent.BufferEvent) {
				got.ReadFrom(bev.Input())
				if got.String() == "hello, tls" {
					base.LoopBreak()
				}
			}, nil, func(bev *bufferevent.BufferEvent, w bufferevent.What, err error) {
				cev.add(w, err)
				if w&bufferevent.Connected == 0 {
					t.Errorf("client event %v %v", w, err)
					base.LoopBreak()
					return
				}
				st, ok := ConnectionState(bev)
				if !ok || st.NegotiatedProtocol != "echo/1" || len(st.PeerCertificates) == 0 {
					t.Errorf("client state %v %+v", ok, st)
				}
			})
			if _, ok := ConnectionState(cli); ok {
				t.Error("ConnectionState ok before Connected")
			}
			// Written before the handshake: held back until it is done.
			cli.Write([]byte("hello, "))
			cli.Write([]byte("tls"))
			run(t, base)
			if ok, _ := cev.has(bufferevent.Connected); !ok {
				t.Errorf("client events %v", &cev)
			}
			if ok, _ := sev.has(bufferevent.Connected); !ok {
				t.Errorf("server events %v", &sev)
			}
			if sniSeen != "example.test" {
				t.Errorf("SNI %q", sniSeen)
			}
		})
	}
}

// pattern returns n deterministic pseudo-random bytes.
func pattern(n int, seed uint64) []byte {
	r := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	b := make([]byte, n)
	for i := 0; i+8 <= n; i += 8 {
		v := r.Uint64()
		for j := range 8 {
			b[i+j] = byte(v >> (8 * j))
		}
	}
	return b
}

func bulkSize(t testing.TB) int {
	if testing.Short() || raceEnabled {
		return 8 << 20
	}
	return 100 << 20
}

// TestBulkBothWays sends a large stream each way at once and checks both
// byte for byte, with a read high watermark so flow control is exercised.
func TestBulkBothWays(t *testing.T) {
	n := bulkSize(t)
	p := pkiOnce(t)
	base := newBase(t)
	srv, cli := tlsPair(t, base, p.ServerConfig(), p.ClientConfig())
	up, down := pattern(n, 1), pattern(n, 2)
	wantUp, wantDown := sha256.Sum256(up), sha256.Sum256(down)
	type side struct {
		bev     *bufferevent.BufferEvent
		send    []byte
		h       hashWriter
		got     int
		done    bool
		written int
	}
	sides := []*side{{bev: srv, send: down}, {bev: cli, send: up}}
	for _, s := range sides {
		s.h.init()
		s.bev.SetWatermark(bufferevent.Read, 0, 256<<10)
		s.bev.SetWatermark(bufferevent.Write, 128<<10, 0)
		fill := func(bev *bufferevent.BufferEvent) {
			for s.written < len(s.send) && bev.Output().Len() < 512<<10 {
				k := min(len(s.send)-s.written, 64<<10)
				bev.Output().AddReference(s.send[s.written:s.written+k], nil)
				s.written += k
			}
		}
		s.bev.SetCallbacks(func(bev *bufferevent.BufferEvent) {
			s.got += bev.Input().Len()
			bev.Input().WriteTo(&s.h)
			if s.got == n {
				s.done = true
				if sides[0].done && sides[1].done {
					base.LoopBreak()
				}
			}
		}, fill, func(bev *bufferevent.BufferEvent, w bufferevent.What, err error) {
			if w&bufferevent.Connected != 0 {
				fill(bev)
				return
			}
			t.Errorf("event %v %v", w, err)
			base.LoopBreak()
		})
	}
	start := time.Now()
	run(t, base)
	el := time.Since(start)
	if got := sides[1].h.sum(); got != wantDown {
		t.Errorf("client received %d bytes, digest mismatch", sides[1].got)
	}
	if got := sides[0].h.sum(); got != wantUp {
		t.Errorf("server received %d bytes, digest mismatch", sides[0].got)
	}
	t.Logf("%d MiB each way in %v (%.0f MiB/s total)", n>>20, el, float64(2*n)/(1<<20)/el.Seconds())
}

// TestManySmallWrites writes one byte at a time many times from callbacks
// and checks order and count.
func TestManySmallWrites(t *testing.T) {
	p := pkiOnce(t)
	base := newBase(t)
	srv, cli := tlsPair(t, base, p.ServerConfig(), p.ClientConfig())
	const n = 20000
	var want bytes.Buffer
	for i := range n {
		want.WriteByte(byte('a' + i%26))
	}
	var got bytes.Buffer
	srv.SetCallbacks(func(bev *bufferevent.BufferEvent) {
		got.ReadFrom(bev.Input())
		if got.Len() >= n {
			base.LoopBreak()
		}
	}, nil, nil)
	sent := 0
	var burst func()
	burst = func() {
		for k := 0; k < 100 && sent < n; k++ {
			cli.Write(want.Bytes()[sent : sent+1])
			sent++
		}
		if sent < n {
			base.Post(burst)
		}
	}
	cli.SetCallbacks(nil, nil, func(bev *bufferevent.BufferEvent, w bufferevent.What, err error) {
		if w&bufferevent.Connected != 0 {
			burst()
			return
		}
		t.Errorf("client event %v %v", w, err)
	})
	run(t, base)
	if !bytes.Equal(got.Bytes(), want.Bytes()) {
		t.Fatalf("got %d bytes, want %d (content differs: %v)", got.Len(), n, got.Len() == n)
	}
}

// TestHalfClose: the client sends a request then close_notify
// (Flush Finished); the server sees data then EOF with close_notify,
// answers, and finishes too; the client reads the answer then EOF.
func TestHalfClose(t *testing.T) {
	for _, v := range []uint16{tls.VersionTLS12, tls.VersionTLS13} {
		t.Run(tls.VersionName(v), func(t *testing.T) {
			p := pkiOnce(t)
			base := newBase(t)
			scfg := p.ServerConfig()
			scfg.MaxVersion = v
			srv, cli := tlsPair(t, base, scfg, p.ClientConfig())
			var req, resp bytes.Buffer
			srv.SetCallbacks(func(bev *bufferevent.BufferEvent) {
				req.ReadFrom(bev.Input())
			}, nil, func(bev *bufferevent.BufferEvent, w bufferevent.What, err error) {
				if w&bufferevent.Connected != 0 {
					return
				}
				if w != bufferevent.EOF|bufferevent.Reading || !CloseNotifyReceived(bev) {
					t.Errorf("server event %v %v notify=%v", w, err, CloseNotifyReceived(bev))
				}
				bev.Write([]byte("answer to " + req.String()))
				bev.Flush(bufferevent.Write, bufferevent.Finished)
			})
			cli.SetCallbacks(func(bev *bufferevent.BufferEvent) {
				resp.ReadFrom(bev.Input())
			}, nil, func(bev *bufferevent.BufferEvent, w bufferevent.What, err error) {
				switch {
				case w&bufferevent.Connected != 0:
					bev.Write([]byte("question"))
					bev.Flush(bufferevent.Write, bufferevent.Finished)
				case w == bufferevent.EOF|bufferevent.Reading:
					if !CloseNotifyReceived(bev) {
						t.Error("client: EOF without close_notify")
					}
					base.LoopBreak()
				default:
					t.Errorf("client event %v %v", w, err)
					base.LoopBreak()
				}
			})
			run(t, base)
			if req.String() != "question" || resp.String() != "answer to question" {
				t.Errorf("req %q resp %q", req.String(), resp.String())
			}
		})
	}
}

// TestCloseSendsCloseNotify: Close(linger) sends the queued bytes and
// close_notify; the peer gets them and a clean EOF.
func TestCloseSendsCloseNotify(t *testing.T) {
	p := pkiOnce(t)
	base := newBase(t)
	srv, cli := tlsPair(t, base, p.ServerConfig(), p.ClientConfig())
	var got bytes.Buffer
	closed := false
	srv.SetCallbacks(nil, nil, func(bev *bufferevent.BufferEvent, w bufferevent.What, err error) {
		if w&bufferevent.Connected != 0 {
			bev.Write(bytes.Repeat([]byte("x"), 100000))
			bev.Close(10*time.Second, func(unsent int, err error) {
				if unsent != 0 || err != nil {
					t.Errorf("Close done: %d %v", unsent, err)
				}
				closed = true
			})
		}
	})
	cli.SetCallbacks(func(bev *bufferevent.BufferEvent) { got.ReadFrom(bev.Input()) }, nil,
		func(bev *bufferevent.BufferEvent, w bufferevent.What, err error) {
			if w&bufferevent.Connected != 0 {
				return
			}
			if w&bufferevent.EOF == 0 || !CloseNotifyReceived(bev) {
				t.Errorf("client event %v %v", w, err)
			}
			base.LoopBreak()
		})
	run(t, base)
	if got.Len() != 100000 || !closed {
		t.Errorf("got %d bytes, closed %v", got.Len(), closed)
	}
}

// TestFilterOverPair runs TLS over both ends of a bufferevent pair.
func TestFilterOverPair(t *testing.T) {
	p := pkiOnce(t)
	base := newBase(t)
	a, b, err := bufferevent.NewPair(base, 0)
	if err != nil {
		t.Fatal(err)
	}
	srv, err := Filter(a, p.ServerConfig(), Accepting, bufferevent.CloseOnFree)
	if err != nil {
		t.Fatal(err)
	}
	cli, err := Filter(b, p.ClientConfig(), Connecting, bufferevent.CloseOnFree)
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Free()
	defer cli.Free()
	srv.Enable(bufferevent.Read)
	cli.Enable(bufferevent.Read)
	srv.SetCallbacks(func(bev *bufferevent.BufferEvent) { bev.Output().AddBuffer(bev.Input()) }, nil, nil)
	var got bytes.Buffer
	cli.SetCallbacks(func(bev *bufferevent.BufferEvent) {
		got.ReadFrom(bev.Input())
		if got.Len() == 3*maxPlaintext {
			base.LoopBreak()
		}
	}, nil, func(bev *bufferevent.BufferEvent, w bufferevent.What, err error) {
		if w&bufferevent.Connected == 0 {
			t.Errorf("client event %v %v", w, err)
			base.LoopBreak()
		}
	})
	cli.Write(pattern(3*maxPlaintext, 3))
	run(t, base)
	if !bytes.Equal(got.Bytes(), pattern(3*maxPlaintext, 3)) {
		t.Errorf("echo over pair differs (%d bytes)", got.Len())
	}
}

// failingHandshake runs a client against a server and returns the
// client's and the server's first non-Connected events.
func failingHandshake(t *testing.T, scfg, ccfg *tls.Config) (cw bufferevent.What, cerr error, sw bufferevent.What, serr error) {
	t.Helper()
	base := newBase(t)
	srv, cli := tlsPair(t, base, scfg, ccfg)
	n := 0
	done := func() {
		if n++; n == 2 {
			base.LoopBreak()
		}
	}
	srv.SetCallbacks(nil, nil, func(bev *bufferevent.BufferEvent, w bufferevent.What, err error) {
		if sw == 0 {
			sw, serr = w, err
			done()
		}
	})
	cli.SetCallbacks(nil, nil, func(bev *bufferevent.BufferEvent, w bufferevent.What, err error) {
		if cw == 0 {
			cw, cerr = w, err
			done()
		}
	})
	run(t, base)
	return
}

func TestBadCertificate(t *testing.T) {
	p := pkiOnce(t)
	ccfg := p.ClientConfig()
	ccfg.RootCAs = p.OtherPool // does not know the server's CA
	cw, cerr, sw, serr := failingHandshake(t, p.ServerConfig(), ccfg)
	var verr *tls.CertificateVerificationError
	var uerr x509.UnknownAuthorityError
	if cw != bufferevent.Error|bufferevent.Reading || !errors.Is(cerr, ErrHandshake) || !errors.As(cerr, &verr) || !errors.As(cerr, &uerr) {
		t.Errorf("client: %v %v", cw, cerr)
	}
	var alert tls.AlertError
	if sw&bufferevent.Error == 0 || !errors.Is(serr, ErrHandshake) || !errors.As(serr, &alert) && serr == nil {
		t.Errorf("server: %v %v", sw, serr)
	}
	t.Logf("client: %v; server: %v", cerr, serr)
}

func TestWrongSNI(t *testing.T) {
	p := pkiOnce(t)
	ccfg := p.ClientConfig()
	ccfg.ServerName = "other.test" // the certificate is for example.test
	cw, cerr, _, _ := failingHandshake(t, p.ServerConfig(), ccfg)
	var herr x509.HostnameError
	if cw&bufferevent.Error == 0 || !errors.As(cerr, &herr) {
		t.Errorf("client: %v %v", cw, cerr)
	}
	// A server that refuses unknown names.
	scfg := p.ServerConfig()
	scfg.GetConfigForClient = func(h *tls.ClientHelloInfo) (*tls.Config, error) {
		if h.ServerName != "example.test" {
			return nil, errors.New("unknown server name " + h.ServerName)
		}
		return nil, nil
	}
	ccfg = p.ClientConfig()
	ccfg.ServerName = "other.test"
	cw, cerr, sw, serr := failingHandshake(t, scfg, ccfg)
	if sw&bufferevent.Error == 0 || !errors.Is(serr, ErrHandshake) || cw&bufferevent.Error == 0 {
		t.Errorf("server: %v %v; client %v %v", sw, serr, cw, cerr)
	}
}

func TestClientCertificate(t *testing.T) {
	p := pkiOnce(t)
	scfg := p.ServerConfig()
	scfg.ClientAuth = tls.RequireAndVerifyClientCert
	scfg.ClientCAs = p.CAPool
	base := newBase(t)
	ccfg := p.ClientConfig()
	ccfg.Certificates = []tls.Certificate{p.Client}
	srv, cli := tlsPair(t, base, scfg, ccfg)
	var peer string
	n := 0
	srv.SetCallbacks(nil, nil, func(bev *bufferevent.BufferEvent, w bufferevent.What, err error) {
		if st, ok := ConnectionState(bev); ok && len(st.PeerCertificates) > 0 {
			peer = st.PeerCertificates[0].Subject.CommonName
		}
		if n++; n == 2 {
			base.LoopBreak()
		}
	})
	cli.SetCallbacks(nil, nil, func(bev *bufferevent.BufferEvent, w bufferevent.What, err error) {
		if w != bufferevent.Connected {
			t.Errorf("client %v %v", w, err)
		}
		if n++; n == 2 {
			base.LoopBreak()
		}
	})
	run(t, base)
	if peer != "client" {
		t.Errorf("server saw client certificate %q", peer)
	}
	// Without a certificate the server refuses.
	cw, cerr, sw, serr := failingHandshake(t, scfg, p.ClientConfig())
	if sw&bufferevent.Error == 0 || !errors.Is(serr, ErrHandshake) {
		t.Errorf("server without client cert: %v %v (client %v %v)", sw, serr, cw, cerr)
	}
}

func TestResumption(t *testing.T) {
	for _, v := range []uint16{tls.VersionTLS12, tls.VersionTLS13} {
		t.Run(tls.VersionName(v), func(t *testing.T) {
			p := pkiOnce(t)
			scfg := p.ServerConfig()
			scfg.MaxVersion = v
			ccfg := p.ClientConfig()
			ccfg.ClientSessionCache = tls.NewLRUClientSessionCache(4)
			for i, want := range []bool{false, true} {
				base := newBase(t)
				srv, cli := tlsPair(t, base, scfg, ccfg)
				srv.SetCallbacks(nil, nil, func(bev *bufferevent.BufferEvent, w bufferevent.What, err error) {
					if w == bufferevent.Connected {
						bev.Write([]byte("hi")) // the client reads, and with it the TLS 1.3 ticket
					}
				})
				var resumed bool
				cli.SetCallbacks(func(bev *bufferevent.BufferEvent) {
					bev.Input().Drain(bev.Input().Len())
					base.LoopBreak()
				}, nil, func(bev *bufferevent.BufferEvent, w bufferevent.What, err error) {
					st, ok := ConnectionState(bev)
					if !ok {
						t.Errorf("client %v %v", w, err)
						base.LoopBreak()
					}
					resumed = st.DidResume
				})
				run(t, base)
				if resumed != want {
					t.Errorf("connection %d: DidResume %v, want %v", i, resumed, want)
				}
			}
		})
	}
}

// TestGarbageClientHello: a peer that sends HTTP instead of a ClientHello
// gets an Error event on the server with crypto/tls's RecordHeaderError.
func TestGarbageClientHello(t *testing.T) {
	p := pkiOnce(t)
	base := newBase(t)
	fds := looptest.Socketpair(t)
	srv, err := NewServer(base, fds[0], p.ServerConfig(), 0)
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Free()
	srv.Enable(bufferevent.Read)
	var what bufferevent.What
	var gerr error
	srv.SetCallbacks(nil, nil, func(bev *bufferevent.BufferEvent, w bufferevent.What, err error) {
		what, gerr = w, err
		base.LoopBreak()
	})
	looptest.WriteString(t, fds[1], "GET / HTTP/1.1\r\nHost: example.test\r\n\r\n")
	run(t, base)
	var rh tls.RecordHeaderError
	if what != bufferevent.Error|bufferevent.Reading || !errors.Is(gerr, ErrHandshake) || !errors.As(gerr, &rh) {
		t.Errorf("got %v %v", what, gerr)
	}
	// The server answers nothing a client could mistake for TLS... and
	// the peer's socket sees at most an alert.
	t.Logf("garbage: %v; peer got %q", gerr, looptest.Drain(fds[1]))
}

// TestStalledHandshake: a peer that sends half a ClientHello and stops
// gives Timeout|Reading after the read timeout; Free ends the handshake
// goroutine.
func TestStalledHandshake(t *testing.T) {
	p := pkiOnce(t)
	base := newBase(t)
	fds := looptest.Socketpair(t)
	srv, err := NewServer(base, fds[0], p.ServerConfig(), 0)
	if err != nil {
		t.Fatal(err)
	}
	const timeout = 300 * time.Millisecond
	srv.SetTimeouts(timeout, 0)
	srv.Enable(bufferevent.Read)
	var what bufferevent.What
	srv.SetCallbacks(nil, nil, func(bev *bufferevent.BufferEvent, w bufferevent.What, err error) {
		what = w
		bev.Free()
		base.LoopBreak()
	})
	// A real ClientHello's first bytes: a handshake record header
	// announcing 512 bytes, then only a few of them.
	looptest.WriteString(t, fds[1], "\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03")
	start := time.Now()
	run(t, base)
	el := time.Since(start)
	if what != bufferevent.Timeout|bufferevent.Reading {
		t.Errorf("event %v", what)
	}
	if el < timeout-10*time.Millisecond || el > timeout+5*time.Second {
		t.Errorf("timeout after %v, want about %v", el, timeout)
	}
	looptest.WaitFor(t, "handshake goroutine to end", func() bool {
		return len(looptest.Goroutines("ssl.(*session).handshake")) == 0
	})
}

// TestPeerClosesDuringHandshake: EOF before the handshake ends is an
// Error event wrapping ErrHandshake (not a bare EOF).
func TestPeerClosesDuringHandshake(t *testing.T) {
	p := pkiOnce(t)
	base := newBase(t)
	fds := looptest.Socketpair(t)
	cli, err := NewClient(base, fds[0], p.ClientConfig(), 0)
	if err != nil {
		t.Fatal(err)
	}
	defer cli.Free()
	var what bufferevent.What
	var gerr error
	cli.SetCallbacks(nil, nil, func(bev *bufferevent.BufferEvent, w bufferevent.What, err error) {
		what, gerr = w, err
		base.LoopBreak()
	})
	looptest.CloseEarly(fds, 1)
	run(t, base)
	// Which side notices first is a race between two correct outcomes: the
	// handshake reads EOF, or writing the ClientHello to the closed peer
	// fails with EPIPE (ECONNRESET on some systems).
	readEOF := what == bufferevent.Error|bufferevent.Reading && errors.Is(gerr, ErrHandshake) &&
		(errors.Is(gerr, io.EOF) || errors.Is(gerr, io.ErrUnexpectedEOF))
	writeFailed := what == bufferevent.Error|bufferevent.Writing &&
		(errors.Is(gerr, unix.EPIPE) || errors.Is(gerr, unix.ECONNRESET))
	if !readEOF && !writeFailed {
		t.Errorf("got %v %v; want a handshake EOF while reading or EPIPE while writing", what, gerr)
	}
}

// TestClientConnect: NewClient with fd -1 and Connect on the underlying
// socket; the TCP Connected is held back until the TLS one.
func TestClientConnect(t *testing.T) {
	p := pkiOnce(t)
	ln, err := tls.Listen("tcp", "127.0.0.1:0", p.ServerConfig())
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	srvDone := make(chan error, 1)
	go func() {
		c, err := ln.Accept()
		if err != nil {
			srvDone <- err
			return
		}
		defer c.Close()
		_, err = io.Copy(c, io.LimitReader(c, 5))
		srvDone <- err
	}()
	base := newBase(t)
	cli, err := NewClient(base, -1, p.ClientConfig(), 0)
	if err != nil {
		t.Fatal(err)
	}
	defer cli.Free()
	cli.Enable(bufferevent.Read)
	var evs events
	var got bytes.Buffer
	cli.SetCallbacks(func(bev *bufferevent.BufferEvent) {
		got.ReadFrom(bev.Input())
		if got.Len() == 5 {
			base.LoopBreak()
		}
	}, nil, func(bev *bufferevent.BufferEvent, w bufferevent.What, err error) {
		evs.add(w, err)
		if w != bufferevent.Connected {
			base.LoopBreak()
		}
	})
	addr := ln.Addr().(*net.TCPAddr).AddrPort()
	if err := cli.Underlying().Connect(addr); err != nil {
		t.Fatal(err)
	}
	cli.Write([]byte("hello"))
	run(t, base)
	if len(evs.what) != 1 || evs.what[0] != bufferevent.Connected || got.String() != "hello" {
		t.Errorf("events %v, got %q", &evs, got.String())
	}
	if err := <-srvDone; err != nil {
		t.Error(err)
	}
}

// hashWriter hashes what is written to it.
type hashWriter struct {
	h interface {
		Sum([]byte) []byte
		Write([]byte) (int, error)
	}
}

func (w *hashWriter) init()                       { w.h = sha256.New() }
func (w *hashWriter) Write(p []byte) (int, error) { return w.h.Write(p) }
func (w *hashWriter) sum() (s [32]byte)           { copy(s[:], w.h.Sum(nil)); return }

var _ = core.Backends
