package evhttp

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"

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
	r, err := parseResponse(br, head)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// parseResponse is readResponse for goroutines other than the test's: it
// returns an error for malformed or incomplete input, io.EOF alone when
// the connection ended before the response's first byte.
func parseResponse(br *bufio.Reader, head bool) (*rawResponse, error) {
	line, err := br.ReadString('\n')
	if err != nil {
		if err == io.EOF && line == "" {
			return nil, io.EOF
		}
		return nil, fmt.Errorf("status line: %w (got %q)", err, line)
	}
	r := &rawResponse{status: strings.TrimRight(line, "\r\n"), headers: map[string][]string{}}
	f := strings.SplitN(r.status, " ", 3)
	if len(f) < 2 || !strings.HasPrefix(f[0], "HTTP/1.") || len(f[1]) != 3 || !strings.HasSuffix(line, "\r\n") {
		return nil, fmt.Errorf("bad status line %q", line)
	}
	code, err := strconv.Atoi(f[1])
	if err != nil {
		return nil, fmt.Errorf("bad status line %q", line)
	}
	r.code = code
	for {
		line, err := br.ReadString('\n')
		if err != nil {
			return nil, fmt.Errorf("header: %w (got %q)", err, line)
		}
		if !strings.HasSuffix(line, "\r\n") {
			return nil, fmt.Errorf("header line without CRLF: %q", line)
		}
		line = strings.TrimSuffix(line, "\r\n")
		if line == "" {
			break
		}
		k, v, ok := strings.Cut(line, ": ")
		if !ok {
			return nil, fmt.Errorf("bad header line %q", line)
		}
		k = strings.ToLower(k)
		r.headers[k] = append(r.headers[k], v)
	}
	if head || r.code < 200 || r.code == 204 || r.code == 304 {
		return r, nil
	}
	var body strings.Builder
	switch {
	case r.header("Transfer-Encoding") == "chunked":
		for {
			line, err := br.ReadString('\n')
			if err != nil {
				return nil, fmt.Errorf("chunk size: %w", err)
			}
			n, err := strconv.ParseUint(strings.TrimSuffix(line, "\r\n"), 16, 31)
			if err != nil || !strings.HasSuffix(line, "\r\n") {
				return nil, fmt.Errorf("bad chunk size line %q", line)
			}
			if n == 0 {
				if l, err := br.ReadString('\n'); err != nil || l != "\r\n" {
					return nil, fmt.Errorf("last chunk: %q %v", l, err)
				}
				break
			}
			buf := make([]byte, n+2)
			if _, err := io.ReadFull(br, buf); err != nil {
				return nil, fmt.Errorf("chunk: %w", err)
			}
			if string(buf[n:]) != "\r\n" {
				return nil, fmt.Errorf("chunk data not followed by CRLF")
			}
			body.Write(buf[:n])
		}
	case r.header("Content-Length") != "":
		n, err := strconv.ParseUint(r.header("Content-Length"), 10, 31)
		if err != nil {
			return nil, fmt.Errorf("bad Content-Length %q", r.header("Content-Length"))
		}
		buf := make([]byte, n)
		if _, err := io.ReadFull(br, buf); err != nil {
			return nil, fmt.Errorf("body: %w", err)
		}
		body.Write(buf)
	default:
		b, err := io.ReadAll(br)
		if err != nil {
			return nil, fmt.Errorf("body: %w", err)
		}
		body.Write(b)
	}
	r.body = body.String()
	return r, nil
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

// runPeer runs the peer program bin with args, killing it if it runs past
// limit, and returns what it wrote to standard output and standard error.
func runPeer(t testing.TB, limit time.Duration, bin string, args ...string) (stdout, stderr string, err error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), limit)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, args...)
	var o, e bytes.Buffer
	cmd.Stdout, cmd.Stderr = &o, &e
	err = cmd.Run()
	if ctx.Err() != nil {
		t.Fatalf("%s %q: still running after %v\nstderr: %s", bin, args, limit, e.String())
	}
	return o.String(), e.String(), err
}

// connTracker records the client connections (by remote address) that
// requests arrived on, so a test can tell whether a client reused one.
type connTracker struct {
	mu    sync.Mutex
	conns map[string]int // remote address: requests
}

// wrap returns h recording each request's connection first.
func (ct *connTracker) wrap(h HandlerFunc) HandlerFunc {
	return func(r *Request) {
		ct.mu.Lock()
		if ct.conns == nil {
			ct.conns = make(map[string]int)
		}
		ct.conns[r.RemoteAddr().String()]++
		ct.mu.Unlock()
		h(r)
	}
}

// count returns how many connections requests arrived on, and how many
// requests there were.
func (ct *connTracker) count() (conns, requests int) {
	ct.mu.Lock()
	defer ct.mu.Unlock()
	for _, n := range ct.conns {
		requests += n
	}
	return len(ct.conns), requests
}

// nbSocketpair returns a non-blocking, close-on-exec AF_UNIX stream pair
// that the caller closes (darwin has no SOCK_NONBLOCK or SOCK_CLOEXEC).
func nbSocketpair() ([2]int, error) {
	syscall.ForkLock.RLock()
	fds, err := unix.Socketpair(unix.AF_UNIX, unix.SOCK_STREAM, 0)
	if err == nil {
		unix.CloseOnExec(fds[0])
		unix.CloseOnExec(fds[1])
	}
	syscall.ForkLock.RUnlock()
	if err != nil {
		return fds, err
	}
	for _, fd := range fds {
		if err := unix.SetNonblock(fd, true); err != nil {
			unix.Close(fds[0])
			unix.Close(fds[1])
			return fds, err
		}
	}
	return fds, nil
}
