package evhttp

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/goevent/goevent/bufferevent"
	"github.com/goevent/goevent/evbuffer"
)

func TestServerExpectContinue(t *testing.T) {
	ts := startServer(t, &Config{MaxBodySize: 100}, func(s *Server) { s.SetCallback("/echo", echo) })
	c := ts.dial(t)
	br := bufio.NewReader(c)
	io.WriteString(c, "POST /echo HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\n")
	r := readResponse(t, br, false)
	if r.code != 100 {
		t.Fatalf("want 100 Continue, got %q", r.status)
	}
	io.WriteString(c, "hello")
	if r := readResponse(t, br, false); r.code != 200 || r.body != "POST /echo 5:hello" {
		t.Fatalf("%q %q", r.status, r.body)
	}
	// Too large: 413 at once, without a 100.
	io.WriteString(c, "POST /echo HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 500\r\n\r\n")
	if r := readResponse(t, br, false); r.code != 413 {
		t.Fatalf("want 413, got %q", r.status)
	}
	expectClosed(t, c, br, 5*time.Second)
}

func TestServerStreamedReply(t *testing.T) {
	const chunks = 50
	ts := startServer(t, nil, func(s *Server) {
		s.SetCallback("/stream", func(r *Request) {
			r.SendReplyStart(StatusOK, "")
			i := 0
			var next func(*Request)
			next = func(r *Request) {
				if i == chunks {
					r.SendReplyEnd()
					return
				}
				var b evbuffer.Buffer
				fmt.Fprintf(&b, "chunk %d %s\n", i, strings.Repeat("x", 1000))
				i++
				r.SendReplyChunk(&b, next)
			}
			next(r)
		})
		s.SetCallback("/sized", func(r *Request) {
			r.OutputHeaders().Set("Content-Length", "10")
			r.SendReplyStart(StatusOK, "")
			var b evbuffer.Buffer
			b.AddString("0123456789")
			r.SendReplyChunk(&b, nil)
			r.SendReplyEnd()
		})
	})
	c := ts.dial(t)
	br := bufio.NewReader(c)
	io.WriteString(c, "GET /stream HTTP/1.1\r\nHost: x\r\n\r\nGET /sized HTTP/1.1\r\nHost: x\r\n\r\n")
	r := readResponse(t, br, false)
	if r.header("Transfer-Encoding") != "chunked" || strings.Count(r.body, "\n") != chunks {
		t.Fatalf("chunked: %v, %d lines", r.headers, strings.Count(r.body, "\n"))
	}
	r = readResponse(t, br, false)
	if r.header("Content-Length") != "10" || r.header("Transfer-Encoding") != "" || r.body != "0123456789" {
		t.Fatalf("sized: %v %q", r.headers, r.body)
	}
	// HTTP/1.0: no chunking, the body runs to the close.
	c2 := ts.dial(t)
	io.WriteString(c2, "GET /stream HTTP/1.0\r\n\r\n")
	all, err := io.ReadAll(c2)
	if err != nil {
		t.Fatal(err)
	}
	head, body, _ := strings.Cut(string(all), "\r\n\r\n")
	if strings.Contains(head, "chunked") || !strings.Contains(head, "Connection: close") || strings.Count(body, "\n") != chunks {
		t.Fatalf("1.0 stream: head %q, %d lines", head, strings.Count(body, "\n"))
	}
}

func TestServerAsyncReply(t *testing.T) {
	ts := startServer(t, nil, func(s *Server) {
		s.SetCallback("/later", func(r *Request) {
			base := r.Base()
			go func() { // the answer comes from another goroutine
				base.Post(func() {
					r.OutputBuffer().AddString("late " + r.Path())
					r.SendReply(StatusOK, "", nil)
				})
			}()
		})
	})
	c := ts.dial(t)
	br := bufio.NewReader(c)
	// Pipelined: the replies come in request order.
	io.WriteString(c, "GET /later HTTP/1.1\r\nHost: x\r\n\r\nGET /later HTTP/1.1\r\nHost: x\r\n\r\n")
	for i := 0; i < 2; i++ {
		if r := readResponse(t, br, false); r.body != "late /later" {
			t.Fatalf("%d: %q", i, r.body)
		}
	}
}

func TestServerCancelOnClose(t *testing.T) {
	canceled := make(chan error, 1)
	reached := make(chan struct{})
	ts := startServer(t, nil, func(s *Server) {
		s.SetCallback("/never", func(r *Request) {
			r.CancelOnClose(func(r *Request, err error) { canceled <- err })
			close(reached)
		})
	})
	c := ts.dial(t)
	io.WriteString(c, "GET /never HTTP/1.1\r\nHost: x\r\n\r\n")
	<-reached
	c.(*net.TCPConn).SetLinger(0) // reset, so the server sees an error
	c.Close()
	select {
	case err := <-canceled:
		if err == nil {
			t.Fatal("cancel callback without an error")
		}
	case <-time.After(10 * time.Second):
		t.Fatal("cancel callback not called")
	}
}

func TestServerStreamedUpload(t *testing.T) {
	const size = 4 << 20
	var got atomic.Int64
	ts := startServer(t, &Config{MaxBodySize: -1, StreamBufferSize: 64 << 10}, func(s *Server) {
		s.SetCallbackWith("/upload", func(r *Request) {
			var n int64
			var maxHeld int
			r.SetBodyHandler(func(r *Request) {
				in := r.InputBuffer()
				if in.Len() > maxHeld {
					maxHeld = in.Len()
				}
				n += int64(in.Len())
				in.Drain(in.Len())
				// Pause now and then to exercise backpressure.
				if n%(1<<20) < 64<<10 {
					r.PauseBody()
					r.Base().Post(r.ResumeBody)
				}
			}, func(r *Request, err error) {
				if err != nil {
					r.SendError(StatusBadRequest, "")
					return
				}
				got.Store(n)
				fmt.Fprintf(r.OutputBuffer(), "%d %d", n, maxHeld)
				r.SendReply(StatusOK, "", nil)
			})
		}, RouteOptions{StreamBody: true})
	})
	for _, chunked := range []bool{false, true} {
		c := ts.dial(t)
		br := bufio.NewReader(c)
		go func() {
			w := bufio.NewWriter(c)
			if chunked {
				io.WriteString(w, "POST /upload HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n")
			} else {
				fmt.Fprintf(w, "POST /upload HTTP/1.1\r\nHost: x\r\nContent-Length: %d\r\n\r\n", size)
			}
			block := strings.Repeat("z", 32<<10)
			for sent := 0; sent < size; sent += len(block) {
				if chunked {
					fmt.Fprintf(w, "%x\r\n%s\r\n", len(block), block)
				} else {
					io.WriteString(w, block)
				}
			}
			if chunked {
				io.WriteString(w, "0\r\nX-Trailer: yes\r\n\r\n")
			}
			w.Flush()
		}()
		r := readResponse(t, br, false)
		var n, held int
		fmt.Sscanf(r.body, "%d %d", &n, &held)
		if r.code != 200 || n != size || held > 64<<10 {
			t.Fatalf("chunked=%v: %q %q (held %d)", chunked, r.status, r.body, held)
		}
	}
}

func TestServerHeaderTimeout(t *testing.T) {
	const timeout = 400 * time.Millisecond
	ts := startServer(t, &Config{HeaderTimeout: timeout}, func(s *Server) { s.SetCallback("/hello", hello) })
	c := ts.dial(t)
	br := bufio.NewReader(c)
	start := time.Now()
	// Slowloris: one byte every 50 ms, never finishing the head.
	stop := make(chan struct{})
	defer close(stop)
	go func() {
		req := "GET /hello HTTP/1.1\r\nHost: x\r\nX-Slow: " + strings.Repeat("a", 1000)
		for i := 0; i < len(req); i++ {
			select {
			case <-stop:
				return
			case <-time.After(50 * time.Millisecond):
			}
			if _, err := c.Write([]byte{req[i]}); err != nil {
				return
			}
		}
	}()
	r := readResponse(t, br, false)
	elapsed := time.Since(start)
	if r.code != 408 {
		t.Fatalf("got %q", r.status)
	}
	// The bound is the timeout plus an eighth of it; allow scheduling slack.
	if elapsed < timeout || elapsed > timeout+timeout/8+2*time.Second {
		t.Fatalf("closed after %v, timeout %v", elapsed, timeout)
	}
	expectClosed(t, c, br, 5*time.Second)
}

func TestServerIdleTimeout(t *testing.T) {
	ts := startServer(t, &Config{IdleTimeout: 200 * time.Millisecond}, func(s *Server) { s.SetCallback("/hello", hello) })
	c := ts.dial(t)
	br := bufio.NewReader(c)
	io.WriteString(c, "GET /hello HTTP/1.1\r\nHost: x\r\n\r\n")
	readResponse(t, br, false)
	expectClosed(t, c, br, 5*time.Second)
}

func TestServerHijack(t *testing.T) {
	ts := startServer(t, nil, func(s *Server) {
		s.SetAllowedMethods("GET", "CONNECT")
		s.SetGenCallback(func(r *Request) {
			var bev *bufferevent.BufferEvent
			var err error
			switch {
			case r.Method() == "CONNECT":
				bev, err = r.Hijack()
				if err == nil {
					bev.Output().AddString("HTTP/1.1 200 Connection established\r\n\r\n")
				}
			case r.InputHeaders().Get("Upgrade") == "echo":
				r.OutputHeaders().Set("Upgrade", "echo")
				r.OutputHeaders().Set("Connection", "Upgrade")
				r.SendReply(StatusSwitchingProtocols, "", nil)
				bev, err = r.Hijack()
			default:
				r.SendError(StatusBadRequest, "")
				return
			}
			if err != nil {
				t.Errorf("Hijack: %v", err)
				return
			}
			// An echo protocol: whatever arrives goes back, including the
			// bytes buffered with the request.
			bev.SetCallbacks(func(b *bufferevent.BufferEvent) {
				b.Output().AddBuffer(b.Input())
			}, nil, func(b *bufferevent.BufferEvent, _ bufferevent.What, _ error) { b.Free() })
			bev.Enable(bufferevent.Read)
			if bev.Input().Len() > 0 {
				bev.Output().AddBuffer(bev.Input())
			}
		})
	})
	for _, req := range []string{
		"CONNECT example.test:443 HTTP/1.1\r\nHost: example.test:443\r\n\r\nearly",
		"GET /ws HTTP/1.1\r\nHost: x\r\nUpgrade: echo\r\nConnection: Upgrade\r\n\r\nearly",
	} {
		c := ts.dial(t)
		br := bufio.NewReader(c)
		io.WriteString(c, req)
		r := readResponse(t, br, true)
		if r.code != 200 && r.code != 101 {
			t.Fatalf("%q", r.status)
		}
		buf := make([]byte, 5)
		if _, err := io.ReadFull(br, buf); err != nil || string(buf) != "early" {
			t.Fatalf("buffered bytes: %q %v", buf, err)
		}
		io.WriteString(c, "ping")
		buf = buf[:4]
		if _, err := io.ReadFull(br, buf); err != nil || string(buf) != "ping" {
			t.Fatalf("echo: %q %v", buf, err)
		}
		if n := ts.ConnectionCount(); n != 0 {
			t.Errorf("hijacked connection still counted: %d", n)
		}
		c.Close()
	}
}

func TestServerVirtualHosts(t *testing.T) {
	ts := startServer(t, nil, func(s *Server) {
		s.SetCallback("/", func(r *Request) { r.OutputBuffer().AddString("root"); r.SendReply(200, "", nil) })
		v1 := New(nil, nil)
		v1.SetCallback("/", func(r *Request) { r.OutputBuffer().AddString("v1"); r.SendReply(200, "", nil) })
		v2 := New(nil, nil)
		v2.SetCallback("/", func(r *Request) { r.OutputBuffer().AddString("v2"); r.SendReply(200, "", nil) })
		v2.AddServerAlias("alias.test")
		if err := s.AddVirtualHost("*.one.test", v1); err != nil {
			t.Fatal(err)
		}
		s.AddVirtualHost("two.test", v2)
		if err := v1.AddVirtualHost("x", s); err == nil {
			t.Error("a virtual host loop was accepted")
		}
	})
	c := ts.dial(t)
	br := bufio.NewReader(c)
	for host, want := range map[string]string{
		"a.one.test": "v1", "A.B.ONE.TEST:8080": "v1", "two.test": "v2", "alias.test": "v2",
		"other.test": "root", "one.test": "root",
	} {
		fmt.Fprintf(c, "GET / HTTP/1.1\r\nHost: %s\r\n\r\n", host)
		if r := readResponse(t, br, false); r.body != want {
			t.Errorf("Host %s: %q, want %q", host, r.body, want)
		}
	}
	// Absolute-form targets choose the host too.
	io.WriteString(c, "GET http://x.one.test/ HTTP/1.1\r\nHost: other\r\n\r\n")
	if r := readResponse(t, br, false); r.body != "v1" {
		t.Errorf("absolute-form: %q", r.body)
	}
}

func TestServerMaxConnections(t *testing.T) {
	ts := startServer(t, &Config{MaxConnections: 2}, func(s *Server) { s.SetCallback("/hello", hello) })
	c1, c2 := ts.dial(t), ts.dial(t)
	for _, c := range []net.Conn{c1, c2} {
		io.WriteString(c, "GET /hello HTTP/1.1\r\nHost: x\r\n\r\n")
		readResponse(t, bufio.NewReader(c), false)
	}
	c3 := ts.dial(t)
	if r := readResponse(t, bufio.NewReader(c3), false); r.code != 503 {
		t.Fatalf("third connection: %q", r.status)
	}
}

func TestServerUnixAndIPv6(t *testing.T) {
	base := startServer(t, nil, func(s *Server) { s.SetCallback("/hello", hello) })
	path := filepath.Join(t.TempDir(), "http.sock")
	bs, err := base.Bind("unix:" + path)
	if err != nil {
		t.Fatal(err)
	}
	c, err := net.Dial("unix", path)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(10 * time.Second))
	io.WriteString(c, "GET /hello HTTP/1.1\r\nHost: x\r\n\r\n")
	if r := readResponse(t, bufio.NewReader(c), false); r.body != "Hello, World!" {
		t.Fatalf("unix: %q", r.body)
	}
	bs.Close()
	if _, err := os.Stat(path); err == nil {
		t.Error("socket file left after Close")
	}
	bs6, err := base.Bind("[::1]:0")
	if err != nil {
		t.Skipf("no IPv6 loopback: %v", err)
	}
	c6, err := net.Dial("tcp6", bs6.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer c6.Close()
	c6.SetDeadline(time.Now().Add(10 * time.Second))
	io.WriteString(c6, "GET /hello HTTP/1.1\r\nHost: [::1]\r\n\r\n")
	if r := readResponse(t, bufio.NewReader(c6), false); r.body != "Hello, World!" {
		t.Fatalf("ipv6: %q", r.body)
	}
}
