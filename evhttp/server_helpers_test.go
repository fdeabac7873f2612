package evhttp

import (
	"bufio"
	"io"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/goevent/goevent/core"
	"github.com/goevent/goevent/internal/basetest"
)

// testServer is a Server on its own Base whose loop runs on a goroutine
// until the test ends.
type testServer struct {
	*Server
	base *core.Base
	addr string // host:port of the first Bind
}

// startServer makes a Server with cfg, lets setup add routes, binds it to a
// loopback port and runs its loop. The loop stops when the test ends.
func startServer(t testing.TB, cfg *Config, setup func(s *Server)) *testServer {
	t.Helper()
	base := basetest.New(t)
	s := New(base, cfg)
	if setup != nil {
		setup(s)
	}
	bs, err := s.Bind("127.0.0.1:0")
	if err != nil {
		t.Fatalf("Bind: %v", err)
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		base.Loop(core.LoopNoExitOnEmpty)
	}()
	t.Cleanup(func() {
		// Shutdown closes every connection the test left open, so no fd
		// outlives the test.
		select {
		case <-s.Shutdown(0):
		case <-time.After(10 * time.Second):
			t.Errorf("Shutdown did not finish")
		}
		base.LoopBreak()
		<-done
	})
	return &testServer{Server: s, base: base, addr: bs.Addr().String()}
}

// dial opens a client connection to ts with a deadline for the whole test.
func (ts *testServer) dial(t testing.TB) net.Conn {
	t.Helper()
	c, err := net.Dial("tcp", ts.addr)
	if err != nil {
		t.Fatalf("dial: %v", err)
	}
	c.SetDeadline(time.Now().Add(20 * time.Second))
	t.Cleanup(func() { c.Close() })
	return c
}

// rawResponse is a response read off the wire by readResponse.
type rawResponse struct {
	status  string // the status line
	code    int
	headers map[string][]string // lower-case names
	body    string
}

func (r *rawResponse) header(name string) string {
	if v := r.headers[strings.ToLower(name)]; len(v) > 0 {
		return v[0]
	}
	return ""
}

// readResponse reads one response from br, framed by Content-Length or
// chunked (or to EOF when neither), failing the test on malformed input.
// head says the request was HEAD (no body whatever the headers say).
func readResponse(t testing.TB, br *bufio.Reader, head bool) *rawResponse {
	t.Helper()
	line, err := br.ReadString('\n')
	if err != nil {
		t.Fatalf("status line: %v (got %q)", err, line)
	}
	r := &rawResponse{status: strings.TrimRight(line, "\r\n"), headers: map[string][]string{}}
	f := strings.SplitN(r.status, " ", 3)
	if len(f) < 2 || !strings.HasPrefix(f[0], "HTTP/1.") || len(f[1]) != 3 {
		t.Fatalf("bad status line %q", r.status)
	}
	r.code = int(f[1][0]-'0')*100 + int(f[1][1]-'0')*10 + int(f[1][2]-'0')
	for {
		line, err := br.ReadString('\n')
		if err != nil {
			t.Fatalf("header: %v", err)
		}
		if !strings.HasSuffix(line, "\r\n") {
			t.Fatalf("header line without CRLF: %q", line)
		}
		line = strings.TrimSuffix(line, "\r\n")
		if line == "" {
			break
		}
		k, v, ok := strings.Cut(line, ": ")
		if !ok {
			t.Fatalf("bad header line %q", line)
		}
		k = strings.ToLower(k)
		r.headers[k] = append(r.headers[k], v)
	}
	if head || r.code < 200 || r.code == 204 || r.code == 304 {
		return r
	}
	var body strings.Builder
	switch {
	case r.header("Transfer-Encoding") == "chunked":
		for {
			line, err := br.ReadString('\n')
			if err != nil {
				t.Fatalf("chunk size: %v", err)
			}
			var n int
			for _, c := range strings.TrimSuffix(line, "\r\n") {
				n = n*16 + strings.IndexRune("0123456789abcdef", c|0x20)
			}
			if n == 0 {
				if l, err := br.ReadString('\n'); err != nil || l != "\r\n" {
					t.Fatalf("last chunk: %q %v", l, err)
				}
				break
			}
			buf := make([]byte, n+2)
			if _, err := io.ReadFull(br, buf); err != nil {
				t.Fatalf("chunk: %v", err)
			}
			body.Write(buf[:n])
		}
	case r.header("Content-Length") != "":
		var n int
		for _, c := range r.header("Content-Length") {
			n = n*10 + int(c-'0')
		}
		buf := make([]byte, n)
		if _, err := io.ReadFull(br, buf); err != nil {
			t.Fatalf("body: %v", err)
		}
		body.Write(buf)
	default:
		b, _ := io.ReadAll(br)
		body.Write(b)
	}
	r.body = body.String()
	return r
}

// expectClosed fails the test unless the server closes c (EOF or reset)
// within limit, with no more response bytes.
func expectClosed(t testing.TB, c net.Conn, br *bufio.Reader, limit time.Duration) {
	t.Helper()
	c.SetReadDeadline(time.Now().Add(limit))
	b, err := br.ReadByte()
	if err == nil {
		rest, _ := br.Peek(br.Buffered())
		t.Fatalf("connection still open, got %q", append([]byte{b}, rest...))
	}
	if ne, ok := err.(net.Error); ok && ne.Timeout() {
		t.Fatalf("connection not closed within %v", limit)
	}
}
