package evhttp

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"fmt"
	"math/big"
	"net"
	"net/netip"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/goevent/goevent/bufferevent"
	"github.com/goevent/goevent/core"
	"github.com/goevent/goevent/evbuffer"
	"github.com/goevent/goevent/internal/basetest"
	"github.com/goevent/goevent/ssl"
	"golang.org/x/sys/unix"
)

// cliResult is what a request ended with.
type cliResult struct {
	code    int
	body    string
	header  *Header
	trailer *Header
	err     error
}

// cliRun makes reqs on c (in order) and runs base until every one has
// ended, returning their results in the same order.
func cliRun(t testing.TB, base *core.Base, c *Connection, reqs ...*ClientRequest) []cliResult {
	t.Helper()
	res := make([]cliResult, len(reqs))
	left := len(reqs)
	for i, r := range reqs {
		i := i
		cliCollect(r, func(cr cliResult) {
			res[i] = cr
			if left--; left == 0 {
				base.LoopBreak()
			}
		})
		if err := c.MakeRequest(r); err != nil {
			t.Fatalf("MakeRequest %d: %v", i, err)
		}
	}
	basetest.Run(t, base, 30*time.Second)
	return res
}

// cliCollect sets r's complete and error callbacks to report to done.
func cliCollect(r *ClientRequest, done func(cliResult)) {
	r.OnComplete(func(r *ClientRequest) {
		done(cliResult{code: r.StatusCode(), body: cliString(r.ResponseBody()), header: r.ResponseHeader(), trailer: r.Trailer()})
	})
	r.OnError(func(r *ClientRequest, err error) { done(cliResult{err: err, code: r.StatusCode()}) })
}

func cliString(b *evbuffer.Buffer) string {
	p, _ := b.Pullup(-1)
	return string(p)
}

// cliServer starts our server with the routes the client tests use.
func cliServer(t *testing.T) *testServer {
	return startServer(t, nil, func(s *Server) {
		s.SetCallback("/hello", func(r *Request) {
			r.OutputHeaders().Set("X-Host", r.InputHeaders().Get("Host"))
			r.OutputHeaders().Set("X-Peer", r.RemoteAddr().String())
			r.OutputBuffer().AddString("Hello, World!")
			r.SendReply(StatusOK, "", nil)
		})
		s.SetCallback("/echo", func(r *Request) {
			r.OutputHeaders().Set("X-Peer", r.RemoteAddr().String())
			r.OutputHeaders().Set("X-Framing", r.InputHeaders().Get("Transfer-Encoding")+"/"+r.InputHeaders().Get("Content-Length"))
			r.SendReply(StatusOK, "", r.InputBuffer())
		})
		s.SetCallback("/n", func(r *Request) {
			r.OutputHeaders().Set("X-Peer", r.RemoteAddr().String())
			r.OutputBuffer().AddString(r.URI().Query)
			r.SendReply(StatusOK, "", nil)
		})
		s.SetCallback("/stream", func(r *Request) {
			n, _ := strconv.Atoi(r.URI().Query)
			r.SendReplyStart(StatusOK, "")
			i := 0
			var next func(*Request)
			next = func(r *Request) {
				if i == n {
					r.SendReplyEnd()
					return
				}
				var b evbuffer.Buffer
				fmt.Fprintf(&b, "%04d%s\n", i, strings.Repeat("x", 1000))
				i++
				r.SendReplyChunk(&b, next)
			}
			next(r)
		})
	})
}

func cliConn(t *testing.T, base *core.Base, addr string) *Connection {
	t.Helper()
	ap := netip.MustParseAddrPort(addr)
	c := NewConnection(base, nil, ap.Addr().String(), int(ap.Port()))
	c.SetTimeout(10*time.Second, 10*time.Second, 10*time.Second)
	t.Cleanup(c.Close)
	return c
}

func TestClientKeepAlive(t *testing.T) {
	ts := cliServer(t)
	base := basetest.New(t)
	c := cliConn(t, base, ts.addr)
	closes := 0
	c.SetCloseCallback(func(*Connection) { closes++ })
	post := NewClientRequest("POST", "/echo")
	post.Body().AddString("ping")
	res := cliRun(t, base, c, NewClientRequest("GET", "/hello"), post, NewClientRequest("HEAD", "/hello"))
	for i, r := range res {
		if r.err != nil || r.code != 200 {
			t.Fatalf("request %d: %d %v", i, r.code, r.err)
		}
	}
	if res[0].body != "Hello, World!" || res[1].body != "ping" || res[2].body != "" {
		t.Errorf("bodies %q %q %q", res[0].body, res[1].body, res[2].body)
	}
	if got := res[0].header.Get("X-Host"); got != ts.addr {
		t.Errorf("Host sent %q, want %q", got, ts.addr)
	}
	if f := res[1].header.Get("X-Framing"); f != "/4" {
		t.Errorf("POST framing %q", f)
	}
	if res[2].header.Get("Content-Length") != "13" {
		t.Errorf("HEAD Content-Length %q", res[2].header.Get("Content-Length"))
	}
	if a, b := res[0].header.Get("X-Peer"), res[1].header.Get("X-Peer"); a != b {
		t.Errorf("keep-alive not reused: %s then %s", a, b)
	}
	if !c.Connected() || closes != 0 {
		t.Errorf("connected %v, closes %d", c.Connected(), closes)
	}
	c.Close()
	if closes != 1 {
		t.Errorf("close callback ran %d times", closes)
	}
	if err := c.MakeRequest(NewClientRequest("GET", "/")); !errors.Is(err, ErrConnectionClosed) {
		t.Errorf("MakeRequest after Close: %v", err)
	}
}

func TestClientPipelining(t *testing.T) {
	ts := cliServer(t)
	base := basetest.New(t)
	c := cliConn(t, base, ts.addr)
	c.SetPipelining(true)
	const n = 20
	reqs := make([]*ClientRequest, n)
	inflight := 0
	for i := range reqs {
		reqs[i] = NewClientRequest("GET", "/n?"+strconv.Itoa(i))
	}
	reqs[0].OnHeaders(func(*ClientRequest) { inflight = c.sent })
	res := cliRun(t, base, c, reqs...)
	peer := res[0].header.Get("X-Peer")
	for i, r := range res {
		if r.err != nil || r.body != strconv.Itoa(i) {
			t.Fatalf("response %d: %q %v", i, r.body, r.err)
		}
		if p := r.header.Get("X-Peer"); p != peer {
			t.Errorf("response %d on another connection %s", i, p)
		}
	}
	if inflight != n {
		t.Errorf("%d requests in flight when the first response arrived, want %d (pipelined)", inflight, n)
	}
}

func TestClientRequestValidation(t *testing.T) {
	base := basetest.New(t)
	c := NewConnection(base, nil, "127.0.0.1", 1)
	defer c.Close()
	for _, r := range []*ClientRequest{
		NewClientRequest("G ET", "/"),
		NewClientRequest("GET", ""),
		NewClientRequest("GET", "/a b"),
		func() *ClientRequest {
			r := NewClientRequest("GET", "/")
			r.Header().Add("X", "a\r\nInjected: 1")
			return r
		}(),
		func() *ClientRequest { r := NewClientRequest("GET", "/"); r.Header().Add("Bad Name", "v"); return r }(),
	} {
		if err := c.MakeRequest(r); !errors.Is(err, ErrRequestField) {
			t.Errorf("%s %q: %v, want ErrRequestField", r.Method(), r.Target(), err)
		}
	}
	r := NewClientRequest("POST", "/")
	r.Body().AddString("x")
	r.StreamBody(-1)
	if err := c.MakeRequest(r); !errors.Is(err, ErrBodyStream) {
		t.Errorf("Body with StreamBody: %v", err)
	}
	if c.Pending() != 0 {
		t.Errorf("rejected requests queued: %d", c.Pending())
	}
}

func TestClientStreamedUpload(t *testing.T) {
	ts := cliServer(t)
	base := basetest.New(t)
	c := cliConn(t, base, ts.addr)
	const chunk, chunks = 32 << 10, 32
	for _, length := range []int64{-1, chunk * chunks} {
		r := NewClientRequest("PUT", "/echo")
		r.StreamBody(length)
		sent, drains := 0, 0
		var next func()
		next = func() {
			drains++
			if sent == chunks {
				if err := r.EndBody(); err != nil {
					t.Errorf("EndBody: %v", err)
				}
				return
			}
			var b evbuffer.Buffer
			b.AddString(strings.Repeat(string(rune('a'+sent%26)), chunk))
			sent++
			if err := r.SendBodyChunk(&b, next); err != nil {
				t.Errorf("SendBodyChunk: %v", err)
			}
		}
		next()
		res := cliRun(t, base, c, r)[0]
		if res.err != nil || len(res.body) != chunk*chunks {
			t.Fatalf("length %d: %d bytes, %v", length, len(res.body), res.err)
		}
		for i := 0; i < chunks; i++ {
			if res.body[i*chunk] != byte('a'+i%26) {
				t.Fatalf("chunk %d out of order", i)
			}
		}
		if drains < chunks/2 {
			t.Errorf("drained ran %d times for %d chunks", drains, chunks)
		}
		want := "chunked/"
		if length >= 0 {
			want = "/" + strconv.FormatInt(length, 10)
		}
		if f := res.header.Get("X-Framing"); f != want {
			t.Errorf("framing %q, want %q", f, want)
		}
		if err := r.SendBodyChunk(&evbuffer.Buffer{}, nil); !errors.Is(err, ErrRequestDone) {
			t.Errorf("SendBodyChunk after the end: %v", err)
		}
	}
	r := NewClientRequest("PUT", "/echo")
	r.StreamBody(3)
	var b evbuffer.Buffer
	b.AddString("abcd")
	if err := r.SendBodyChunk(&b, nil); !errors.Is(err, ErrBodyStream) {
		t.Errorf("chunk beyond the declared length: %v", err)
	}
}

func TestClientChunksAndPause(t *testing.T) {
	ts := cliServer(t)
	base := basetest.New(t)
	c := cliConn(t, base, ts.addr)
	r := NewClientRequest("GET", "/stream?200")
	var got strings.Builder
	calls, pauses := 0, 0
	r.OnChunk(func(r *ClientRequest, b *evbuffer.Buffer) {
		calls++
		got.WriteString(cliString(b))
		if calls%5 == 0 {
			pauses++
			r.PauseBody()
			base.Once(-1, 0, 5*time.Millisecond, func(int, core.Flags) { r.ResumeBody() })
		}
	})
	res := cliRun(t, base, c, r)[0]
	if res.err != nil || res.body != "" {
		t.Fatalf("%v, body left %d", res.err, len(res.body))
	}
	if got.Len() != 200*1005 || !strings.HasPrefix(got.String(), "0000x") || !strings.Contains(got.String(), "\n0199x") {
		t.Errorf("streamed body %d bytes", got.Len())
	}
	if pauses == 0 {
		t.Errorf("body came in %d chunk calls; pause never exercised", calls)
	}
}

func TestClientUnixAndIPv6(t *testing.T) {
	ts := cliServer(t)
	base := basetest.New(t)
	path := filepath.Join(t.TempDir(), "c.sock")
	if _, err := ts.Bind("unix:" + path); err != nil {
		t.Fatal(err)
	}
	uc := NewUnixConnection(base, path)
	defer uc.Close()
	if res := cliRun(t, base, uc, NewClientRequest("GET", "/hello"))[0]; res.err != nil || res.header.Get("X-Host") != "localhost" {
		t.Fatalf("unix: %v host %q", res.err, res.header.Get("X-Host"))
	}
	bs6, err := ts.Bind("[::1]:0")
	if err != nil {
		t.Skipf("no IPv6 loopback: %v", err)
	}
	_, port, _ := net.SplitHostPort(bs6.Addr().String())
	p, _ := strconv.Atoi(port)
	c6 := NewConnection(base, nil, "[::1]", p)
	defer c6.Close()
	c6.SetLocalAddress(netip.MustParseAddrPort("[::1]:0"))
	res := cliRun(t, base, c6, NewClientRequest("GET", "/hello"))[0]
	if res.err != nil || res.header.Get("X-Host") != "[::1]:"+port || !strings.HasPrefix(res.header.Get("X-Peer"), "[::1]:") {
		t.Fatalf("ipv6: %v host %q peer %q", res.err, res.header.Get("X-Host"), res.header.Get("X-Peer"))
	}
}

func TestClientLocalAddress(t *testing.T) {
	ts := cliServer(t)
	base := basetest.New(t)
	c := cliConn(t, base, ts.addr)
	c.SetLocalAddress(netip.MustParseAddrPort("127.0.0.2:0"))
	res := cliRun(t, base, c, NewClientRequest("GET", "/hello"))[0]
	if res.err != nil || !strings.HasPrefix(res.header.Get("X-Peer"), "127.0.0.2:") {
		t.Fatalf("%v peer %q", res.err, res.header.Get("X-Peer"))
	}
}

// cliListenClosed returns a loopback port nobody listens on.
func cliListenClosed(t *testing.T) int {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	return port
}

func TestClientConnectRefusedRetries(t *testing.T) {
	base := basetest.New(t)
	c := NewConnection(base, nil, "127.0.0.1", cliListenClosed(t))
	defer c.Close()
	c.SetRetries(2, 20*time.Millisecond)
	start := time.Now()
	res := cliRun(t, base, c, NewClientRequest("GET", "/"))[0]
	if !errors.Is(res.err, ErrConnectionRefused) || !errors.Is(res.err, ErrConnect) {
		t.Fatalf("got %v, want ErrConnectionRefused", res.err)
	}
	// Two retries: 20 ms then 40 ms of backoff.
	if el := time.Since(start); el < 60*time.Millisecond {
		t.Errorf("failed after %v, before the backoff (60 ms) passed", el)
	}
}

func TestClientResolverFailure(t *testing.T) {
	base := basetest.New(t)
	c := NewConnection(base, cliResolver{err: errors.New("no such host")}, "example.invalid", 80)
	defer c.Close()
	res := cliRun(t, base, c, NewClientRequest("GET", "/"))[0]
	if !errors.Is(res.err, ErrConnect) || errors.Is(res.err, ErrConnectionRefused) {
		t.Fatalf("got %v, want ErrConnect", res.err)
	}
}

// cliResolver answers every lookup with addrs or err, asynchronously.
type cliResolver struct {
	addrs []netip.Addr
	err   error
}

func (r cliResolver) LookupHost(base *core.Base, host string, family int, done func([]netip.Addr, error)) func() {
	ev := base.NewTimer(func(int, core.Flags) { done(r.addrs, r.err) })
	ev.AddTimeout(0)
	return func() { ev.Del() }
}

func TestClientResolverName(t *testing.T) {
	ts := cliServer(t)
	base := basetest.New(t)
	ap := netip.MustParseAddrPort(ts.addr)
	// The first address refuses, the second answers: every address is
	// tried before the attempt fails.
	res := cliResolver{addrs: []netip.Addr{netip.MustParseAddr("127.0.0.3"), ap.Addr()}}
	c := NewConnection(base, res, "service.test", int(ap.Port()))
	defer c.Close()
	r := cliRun(t, base, c, NewClientRequest("GET", "/hello"))[0]
	if r.err != nil || r.header.Get("X-Host") != "service.test:"+strconv.Itoa(int(ap.Port())) {
		t.Fatalf("%v host %q", r.err, r.header.Get("X-Host"))
	}
	// Family preference: only IPv6 wanted, the resolver has only IPv4.
	c6 := NewConnection(base, res, "service.test", int(ap.Port()))
	defer c6.Close()
	c6.SetFamily(unix.AF_INET6)
	if r := cliRun(t, base, c6, NewClientRequest("GET", "/hello"))[0]; !errors.Is(r.err, ErrConnect) || !errors.Is(r.err, bufferevent.ErrNoAddress) {
		t.Fatalf("IPv6 only: %v", r.err)
	}
}

func TestClientCancel(t *testing.T) {
	ts := startServer(t, nil, func(s *Server) {
		s.SetCallback("/slow", func(r *Request) {
			r.Base().Once(-1, 0, 50*time.Millisecond, func(int, core.Flags) { r.SendReply(StatusOK, "", nil) })
		})
		s.SetCallback("/fast", func(r *Request) { r.SendReply(StatusOK, "", nil) })
	})
	base := basetest.New(t)
	c := cliConn(t, base, ts.addr)
	slow, queued, after := NewClientRequest("GET", "/slow"), NewClientRequest("GET", "/fast"), NewClientRequest("GET", "/fast")
	slow.OnHeaders(func(*ClientRequest) { t.Error("cancelled request got headers") })
	var order []string
	for name, r := range map[string]*ClientRequest{"slow": slow, "queued": queued, "after": after} {
		name := name
		r.OnComplete(func(*ClientRequest) { order = append(order, name+":ok") })
		r.OnError(func(_ *ClientRequest, err error) {
			if !errors.Is(err, ErrCancelled) {
				t.Errorf("%s: %v", name, err)
			}
			order = append(order, name+":cancelled")
		})
	}
	for _, r := range []*ClientRequest{slow, queued, after} {
		if err := c.MakeRequest(r); err != nil {
			t.Fatal(err)
		}
	}
	queued.Cancel() // still queued: dropped
	base.Once(-1, 0, 10*time.Millisecond, func(int, core.Flags) { slow.Cancel() })
	after.OnComplete(func(*ClientRequest) { order = append(order, "after:ok"); base.LoopBreak() })
	basetest.Run(t, base, 20*time.Second)
	if got := strings.Join(order, " "); got != "queued:cancelled slow:cancelled after:ok" {
		t.Errorf("order %q", got)
	}
}

func TestClientTLS(t *testing.T) {
	cert := cliCert(t)
	ts := cliServer(t)
	ts.SetBevCallback(func(base *core.Base, fd int) (*bufferevent.BufferEvent, error) {
		return ssl.NewServer(base, fd, &tls.Config{Certificates: []tls.Certificate{cert}}, bufferevent.CloseOnFree)
	})
	base := basetest.New(t)
	c := cliConn(t, base, ts.addr)
	pool := x509.NewCertPool()
	pool.AddCert(cert.Leaf)
	c.SetTLS(&tls.Config{RootCAs: pool, ServerName: "localhost"})
	res := cliRun(t, base, c, NewClientRequest("GET", "/hello"), NewClientRequest("GET", "/hello"))
	for _, r := range res {
		if r.err != nil || r.body != "Hello, World!" {
			t.Fatalf("%q %v", r.body, r.err)
		}
	}
	if res[0].header.Get("X-Peer") != res[1].header.Get("X-Peer") {
		t.Error("TLS connection not kept alive")
	}
	// TLS on a socket bound to a local address first.
	bound := cliConn(t, base, ts.addr)
	bound.SetLocalAddress(netip.MustParseAddrPort("127.0.0.4:0"))
	bound.SetTLS(&tls.Config{RootCAs: pool, ServerName: "localhost"})
	if r := cliRun(t, base, bound, NewClientRequest("GET", "/hello"))[0]; r.err != nil || !strings.HasPrefix(r.header.Get("X-Peer"), "127.0.0.4:") {
		t.Fatalf("TLS from a local address: %v peer %q", r.err, r.header.Get("X-Peer"))
	}
	// A client that does not trust the certificate fails to connect.
	bad := cliConn(t, base, ts.addr)
	bad.SetTLS(&tls.Config{ServerName: "localhost"})
	if r := cliRun(t, base, bad, NewClientRequest("GET", "/hello"))[0]; !errors.Is(r.err, ErrConnect) || !errors.Is(r.err, ssl.ErrHandshake) {
		t.Errorf("untrusted certificate: %v", r.err)
	}
}

// cliCert makes a self-signed certificate for localhost.
func cliCert(t *testing.T) tls.Certificate {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		Subject:      pkix.Name{CommonName: "localhost"},
		DNSNames:     []string{"localhost"},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		IsCA:         true, BasicConstraintsValid: true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	leaf, _ := x509.ParseCertificate(der)
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key, Leaf: leaf}
}

func TestClientPool(t *testing.T) {
	var mu sync.Mutex
	peers := map[string]int{}
	ts := startServer(t, nil, func(s *Server) {
		s.SetCallback("/slow", func(r *Request) {
			mu.Lock()
			peers[r.RemoteAddr().String()]++
			mu.Unlock()
			r.Base().Once(-1, 0, 5*time.Millisecond, func(int, core.Flags) { r.SendReply(StatusOK, "", nil) })
		})
	})
	base := basetest.New(t)
	ap := netip.MustParseAddrPort(ts.addr)
	host, port := ap.Addr().String(), int(ap.Port())
	configured := 0
	p := NewPool(base, &PoolConfig{MaxConnsPerHost: 3, MaxIdlePerHost: 2, IdleTimeout: 100 * time.Millisecond,
		Configure: func(c *Connection) { configured++; c.SetTimeout(5*time.Second, 5*time.Second, 5*time.Second) }})
	defer p.Close()
	const n = 12
	left, maxTotal := n, 0
	for i := 0; i < n; i++ {
		r := NewClientRequest("GET", "/slow")
		cliCollect(r, func(res cliResult) {
			if res.err != nil || res.code != 200 {
				t.Errorf("pooled request: %d %v", res.code, res.err)
			}
			if left--; left == 0 {
				base.LoopBreak()
			}
		})
		if err := p.MakeRequest(host, port, r); err != nil {
			t.Fatal(err)
		}
		total, _ := p.Conns(host, port)
		maxTotal = max(maxTotal, total)
	}
	basetest.Run(t, base, 20*time.Second)
	if maxTotal != 3 || configured != 3 {
		t.Errorf("%d connections at most, %d configured; want 3", maxTotal, configured)
	}
	mu.Lock()
	if len(peers) != 3 {
		t.Errorf("server saw %d connections, want 3 reused: %v", len(peers), peers)
	}
	mu.Unlock()
	total, idle := p.Conns(host, port)
	if total != 2 || idle != 2 {
		t.Errorf("after the burst: %d connections, %d idle; want 2 and 2 (MaxIdlePerHost)", total, idle)
	}
	// The idle timeout closes them.
	deadline := time.Now().Add(10 * time.Second)
	for total > 0 && time.Now().Before(deadline) {
		base.Loop(core.LoopOnce)
		total, _ = p.Conns(host, port)
	}
	if total != 0 {
		t.Errorf("%d connections left after the idle timeout", total)
	}
	p.Close()
	if err := p.MakeRequest(host, port, NewClientRequest("GET", "/")); !errors.Is(err, ErrConnectionClosed) {
		t.Errorf("after Close: %v", err)
	}
}

func TestClientPoolServerCloses(t *testing.T) {
	ts := startServer(t, nil, func(s *Server) {
		s.SetCallback("/close", func(r *Request) {
			r.OutputHeaders().Set("Connection", "close")
			r.SendReply(StatusOK, "", nil)
		})
	})
	base := basetest.New(t)
	ap := netip.MustParseAddrPort(ts.addr)
	p := NewPool(base, &PoolConfig{MaxConnsPerHost: 1})
	defer p.Close()
	left := 3
	for i := 0; i < 3; i++ {
		r := NewClientRequest("GET", "/close")
		cliCollect(r, func(res cliResult) {
			if res.err != nil {
				t.Errorf("request: %v", res.err)
			}
			if left--; left == 0 {
				base.LoopBreak()
			}
		})
		p.MakeRequest(ap.Addr().String(), int(ap.Port()), r)
	}
	basetest.Run(t, base, 20*time.Second)
	if total, _ := p.Conns(ap.Addr().String(), int(ap.Port())); total != 0 {
		t.Errorf("%d connections kept after Connection: close", total)
	}
}
