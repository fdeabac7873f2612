package evhttp

import (
	"bufio"
	"errors"
	"io"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/goevent/goevent/bufferevent"
	"github.com/goevent/goevent/evbuffer"
	"github.com/goevent/goevent/internal/basetest"
)

// cliScriptServer is a raw socket server playing a script on each
// connection it accepts, so a test can make it misbehave byte by byte.
type cliScriptServer struct {
	addr   string
	closed chan int // receives the connection index when the client closed it
}

// cliScript starts a server on a loopback port: connection i (from 0) runs
// script(i, conn, br); afterwards the server waits for the client to close
// the connection and reports it on closed. Everything stops with the test.
func cliScript(t *testing.T, script func(i int, c net.Conn, br *bufio.Reader)) *cliScriptServer {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &cliScriptServer{addr: ln.Addr().String(), closed: make(chan int, 64)}
	var wg sync.WaitGroup
	var mu sync.Mutex
	var conns []net.Conn
	wg.Add(1)
	go func() {
		defer wg.Done()
		for i := 0; ; i++ {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
			wg.Add(1)
			go func() {
				defer wg.Done()
				c.SetDeadline(time.Now().Add(20 * time.Second))
				br := bufio.NewReader(c)
				script(i, c, br)
				// EOF or a reset (the client closed with our bytes
				// unread) both mean the client closed; a deadline
				// means it did not.
				_, err := io.Copy(io.Discard, br)
				if ne, ok := err.(net.Error); !ok || !ne.Timeout() {
					s.closed <- i
				}
			}()
		}
	}()
	t.Cleanup(func() {
		ln.Close()
		mu.Lock()
		for _, c := range conns {
			c.Close()
		}
		mu.Unlock()
		wg.Wait()
	})
	return s
}

// cliReadHead reads one request head from br, returning its request line.
func cliReadHead(br *bufio.Reader) string {
	first := ""
	for {
		line, err := br.ReadString('\n')
		if err != nil {
			return first
		}
		if first == "" {
			first = strings.TrimRight(line, "\r\n")
		}
		if line == "\r\n" {
			return first
		}
	}
}

// cliWaitClosed fails the test unless the client closed connection i.
func (s *cliScriptServer) cliWaitClosed(t *testing.T, i int) {
	t.Helper()
	select {
	case got := <-s.closed:
		if got != i {
			t.Errorf("connection %d closed, want %d", got, i)
		}
	case <-time.After(10 * time.Second):
		t.Errorf("the client did not close connection %d", i)
	}
}

func TestClientHostileServers(t *testing.T) {
	big := strings.Repeat("a", 70<<10)
	for _, tc := range []struct {
		name, response string
		want           error
		alsoIs         error
	}{
		{"malformed status line", "HTTP/1.1 OK\r\n\r\n", ErrBadResponse, ErrStatusLine},
		{"not HTTP", "SSH-2.0-OpenSSH\r\n\r\n", ErrBadResponse, ErrStatusLine},
		{"HTTP/2 status", "HTTP/2 200 OK\r\n\r\n", ErrBadResponse, ErrStatusLine},
		{"status code letters", "HTTP/1.1 2x0 OK\r\n\r\n", ErrBadResponse, ErrStatusLine},
		{"bare LF", "HTTP/1.1 200 OK\nContent-Length: 0\n\n", ErrBadResponse, ErrLineEnding},
		{"obs-fold", "HTTP/1.1 200 OK\r\nX: a\r\n b\r\nContent-Length: 0\r\n\r\n", ErrBadResponse, ErrObsFold},
		{"space before colon", "HTTP/1.1 200 OK\r\nContent-Length : 0\r\n\r\n", ErrBadResponse, ErrHeaderName},
		{"oversized header", "HTTP/1.1 200 OK\r\nX-Big: " + big + "\r\n\r\n", ErrResponseTooLarge, ErrHeaderTooLarge},
		{"CL and TE", "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", ErrBadResponse, ErrContentLengthWithTransferEncoding},
		{"duplicate CL", "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Length: 5\r\n\r\nhello", ErrBadResponse, ErrDuplicateContentLength},
		{"CL list", "HTTP/1.1 200 OK\r\nContent-Length: 5, 6\r\n\r\nhello", ErrBadResponse, ErrDuplicateContentLength},
		{"negative CL", "HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n", ErrBadResponse, ErrContentLength},
		{"TE not chunked last", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked, gzip\r\n\r\n", ErrBadResponse, ErrTransferEncoding},
		{"TE in HTTP/1.0", "HTTP/1.0 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", ErrBadResponse, ErrTransferEncodingHTTP10},
		{"bad chunk size", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", ErrBadResponse, ErrChunkSize},
		{"chunk size overflow", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nffffffffffffffffff\r\n", ErrResponseTooLarge, ErrBodyTooLarge},
		{"chunk without CRLF", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabcX\r\n0\r\n\r\n", ErrBadResponse, ErrChunkEnd},
		{"101 not asked for", "HTTP/1.1 101 Switching Protocols\r\nUpgrade: x\r\n\r\n", ErrBadResponse, ErrUnexpectedStatus},
		{"endless 100", strings.Repeat("HTTP/1.1 100 Continue\r\n\r\n", 20), ErrBadResponse, ErrUnexpectedStatus},
		{"body too large", "HTTP/1.1 200 OK\r\nContent-Length: 2000\r\n\r\n", ErrResponseTooLarge, ErrBodyTooLarge},
		{"until-close too large", "HTTP/1.1 200 OK\r\n\r\n" + strings.Repeat("b", 1500), ErrResponseTooLarge, ErrBodyTooLarge},
		{"truncated body", "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nhello", ErrEOF, nil},
		{"truncated chunked", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhel", ErrEOF, nil},
		{"truncated head", "HTTP/1.1 200 OK\r\nContent-Len", ErrEOF, nil},
		{"closed at once", "", ErrEOF, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := cliScript(t, func(i int, c net.Conn, br *bufio.Reader) {
				cliReadHead(br)
				io.WriteString(c, tc.response)
				if strings.HasPrefix(tc.name, "truncated") || strings.HasPrefix(tc.name, "closed") || strings.HasPrefix(tc.name, "until-close") {
					c.(*net.TCPConn).CloseWrite()
				}
			})
			base := basetest.New(t)
			c := cliConn(t, base, s.addr)
			c.SetMaxBodySize(1000)
			res := cliRun(t, base, c, NewClientRequest("GET", "/"))[0]
			if !errors.Is(res.err, tc.want) || tc.alsoIs != nil && !errors.Is(res.err, tc.alsoIs) {
				t.Fatalf("got %v, want %v and %v", res.err, tc.want, tc.alsoIs)
			}
			if c.Connected() {
				t.Error("connection kept after a bad response")
			}
			s.cliWaitClosed(t, 0)
		})
	}
}

func TestClientReadTimeout(t *testing.T) {
	s := cliScript(t, func(i int, c net.Conn, br *bufio.Reader) { cliReadHead(br) }) // never answers
	base := basetest.New(t)
	c := cliConn(t, base, s.addr)
	c.SetTimeout(0, 100*time.Millisecond, 0)
	start := time.Now()
	res := cliRun(t, base, c, NewClientRequest("GET", "/"))[0]
	var ne net.Error
	if !errors.Is(res.err, ErrTimeout) || !errors.As(res.err, &ne) || !ne.Timeout() {
		t.Fatalf("got %v, want ErrTimeout", res.err)
	}
	if el := time.Since(start); el < 100*time.Millisecond {
		t.Errorf("timed out after %v", el)
	}
	s.cliWaitClosed(t, 0)
}

func TestClientResponseShapes(t *testing.T) {
	for _, tc := range []struct {
		name, method, response string
		code                   int
		body, trailer          string
		keep                   bool
	}{
		{"content-length", "GET", "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello", 200, "hello", "", true},
		{"chunked with trailer", "GET", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5;ext=1\r\nhello\r\n6\r\n world\r\n0\r\nX-Sum: 42\r\n\r\n", 200, "hello world", "42", true},
		{"interim skipped", "GET", "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 102 Processing\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok", 200, "ok", "", true},
		{"204", "GET", "HTTP/1.1 204 No Content\r\nContent-Length: 5\r\n\r\n", 204, "", "", true},
		{"304", "GET", "HTTP/1.1 304 Not Modified\r\nTransfer-Encoding: chunked\r\n\r\n", 304, "", "", true},
		{"HEAD", "HEAD", "HTTP/1.1 200 OK\r\nContent-Length: 99\r\n\r\n", 200, "", "", true},
		{"until close", "GET", "HTTP/1.1 200 OK\r\n\r\nall of it", 200, "all of it", "", false},
		{"HTTP/1.0", "GET", "HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\nok", 200, "ok", "", false},
		{"HTTP/1.0 keep-alive", "GET", "HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nContent-Length: 2\r\n\r\nok", 200, "ok", "", true},
		{"Connection close", "GET", "HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 2\r\n\r\nok", 200, "ok", "", false},
		{"no reason", "GET", "HTTP/1.1 200\r\nContent-Length: 2\r\n\r\nok", 200, "ok", "", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := cliScript(t, func(i int, c net.Conn, br *bufio.Reader) {
				cliReadHead(br)
				io.WriteString(c, tc.response)
				if !tc.keep {
					c.(*net.TCPConn).CloseWrite()
				}
			})
			base := basetest.New(t)
			c := cliConn(t, base, s.addr)
			res := cliRun(t, base, c, NewClientRequest(tc.method, "/"))[0]
			if res.err != nil || res.code != tc.code || res.body != tc.body || res.trailer.Get("X-Sum") != tc.trailer {
				t.Fatalf("got %d %q trailer %q %v", res.code, res.body, res.trailer.Get("X-Sum"), res.err)
			}
			if c.Connected() != tc.keep {
				t.Errorf("connected %v, want %v", c.Connected(), tc.keep)
			}
		})
	}
}

// TestClientRetryAfterKeepAliveClose: the server closes a kept-alive
// connection when the next request arrives, without answering. A GET is
// sent again on a fresh connection; a POST is not (it might have been
// processed) and fails with ErrEOF.
func TestClientRetryAfterKeepAliveClose(t *testing.T) {
	s := cliScript(t, func(i int, c net.Conn, br *bufio.Reader) {
		cliReadHead(br)
		io.WriteString(c, "HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\n"+string(rune('a'+i)))
		cliReadHead(br)
		c.Close()
	})
	base := basetest.New(t)
	c := cliConn(t, base, s.addr)
	res := cliRun(t, base, c, NewClientRequest("GET", "/1"))
	res = append(res, cliRun(t, base, c, NewClientRequest("GET", "/2"))...)
	if res[0].body != "a" || res[1].err != nil || res[1].body != "b" {
		t.Fatalf("GET: %q, then %q %v (want a retry on connection b)", res[0].body, res[1].body, res[1].err)
	}
	post := NewClientRequest("POST", "/3")
	post.Body().AddString("x")
	if r := cliRun(t, base, c, post)[0]; !errors.Is(r.err, ErrEOF) {
		t.Fatalf("POST: %q %v, want ErrEOF", r.body, r.err)
	}
	// A fresh connection closed before any response is not retried.
	s2 := cliScript(t, func(i int, c net.Conn, br *bufio.Reader) { cliReadHead(br); c.Close() })
	c2 := cliConn(t, base, s2.addr)
	if r := cliRun(t, base, c2, NewClientRequest("GET", "/"))[0]; !errors.Is(r.err, ErrEOF) {
		t.Fatalf("fresh connection: %v", r.err)
	}
	s2.cliWaitClosed(t, 0)
	select {
	case i := <-s2.closed:
		t.Errorf("a second connection %d was made", i)
	case <-time.After(50 * time.Millisecond):
	}
}

// TestClientUnsolicitedBytes: bytes after a complete response that no
// request asked for are never read as a response: the connection closes
// and the next request goes on a new one.
func TestClientUnsolicitedBytes(t *testing.T) {
	s := cliScript(t, func(i int, c net.Conn, br *bufio.Reader) {
		cliReadHead(br)
		io.WriteString(c, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nokHTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nevil")
		if i == 0 {
			return
		}
		cliReadHead(br)
	})
	base := basetest.New(t)
	c := cliConn(t, base, s.addr)
	if r := cliRun(t, base, c, NewClientRequest("GET", "/"))[0]; r.err != nil || r.body != "ok" {
		t.Fatalf("%q %v", r.body, r.err)
	}
	s.cliWaitClosed(t, 0)
	if r := cliRun(t, base, c, NewClientRequest("GET", "/"))[0]; r.err != nil || r.body != "ok" {
		t.Fatalf("second: %q %v", r.body, r.err)
	}
}

func TestClientHijack(t *testing.T) {
	s := cliScript(t, func(i int, c net.Conn, br *bufio.Reader) {
		cliReadHead(br)
		io.WriteString(c, "HTTP/1.1 101 Switching Protocols\r\nUpgrade: echo\r\nConnection: Upgrade\r\n\r\nhello")
		buf := make([]byte, 4)
		if _, err := io.ReadFull(br, buf); err == nil {
			c.Write(buf)
		}
	})
	base := basetest.New(t)
	c := cliConn(t, base, s.addr)
	r := NewClientRequest("GET", "/ws")
	r.Header().Set("Upgrade", "echo")
	r.Header().Set("Connection", "Upgrade")
	var got string
	r.OnComplete(func(r *ClientRequest) {
		if r.StatusCode() != 101 {
			t.Errorf("status %d", r.StatusCode())
		}
		bev, err := r.Hijack()
		if err != nil {
			t.Error(err)
			base.LoopBreak()
			return
		}
		got = cliString(bev.Input())
		bev.Input().Drain(bev.Input().Len())
		bev.SetCallbacks(func(bev *bufferevent.BufferEvent) {
			if bev.Input().Len() >= 4 {
				got += "|" + cliString(bev.Input())
				bev.Free()
				base.LoopBreak()
			}
		}, nil, nil)
		bev.Enable(bufferevent.Read)
		bev.Output().AddString("ping")
	})
	r.OnError(func(_ *ClientRequest, err error) { t.Error(err); base.LoopBreak() })
	if err := c.MakeRequest(r); err != nil {
		t.Fatal(err)
	}
	basetest.Run(t, base, 20*time.Second)
	if got != "hello|ping" {
		t.Errorf("tunnel carried %q", got)
	}
	if c.Connected() {
		t.Error("the Connection still holds the hijacked connection")
	}
	if _, err := NewClientRequest("GET", "/").Hijack(); !errors.Is(err, ErrHijack) {
		t.Errorf("Hijack of an unanswered request: %v", err)
	}
}

func TestClientEarlyResponse(t *testing.T) {
	// The server answers 413 while the client is still streaming: the
	// request completes with the 413 and the connection is not reused.
	s := cliScript(t, func(i int, c net.Conn, br *bufio.Reader) {
		cliReadHead(br)
		io.WriteString(c, "HTTP/1.1 413 Content Too Large\r\nContent-Length: 0\r\n\r\n")
	})
	base := basetest.New(t)
	c := cliConn(t, base, s.addr)
	r := NewClientRequest("POST", "/")
	r.StreamBody(-1)
	var b evbuffer.Buffer
	b.AddString("partial")
	r.SendBodyChunk(&b, nil)
	res := cliRun(t, base, c, r)[0]
	if res.err != nil || res.code != 413 {
		t.Fatalf("%d %v", res.code, res.err)
	}
	if c.Connected() {
		t.Error("connection kept after an early response")
	}
	if err := r.EndBody(); !errors.Is(err, ErrRequestDone) {
		t.Errorf("EndBody after the response: %v", err)
	}
	s.cliWaitClosed(t, 0)
}

// TestClientConnectTunnel: a 2xx answer to CONNECT hands the connection
// over; here it is taken in the headers callback.
func TestClientConnectTunnel(t *testing.T) {
	s := cliScript(t, func(i int, c net.Conn, br *bufio.Reader) {
		if line := cliReadHead(br); line != "CONNECT example.test:443 HTTP/1.1" {
			io.WriteString(c, "HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n")
			return
		}
		io.WriteString(c, "HTTP/1.1 200 Connection established\r\n\r\n")
		buf := make([]byte, 5)
		if _, err := io.ReadFull(br, buf); err == nil {
			c.Write(append([]byte("echo:"), buf...))
		}
	})
	base := basetest.New(t)
	c := cliConn(t, base, s.addr)
	r := NewClientRequest("CONNECT", "example.test:443")
	var got string
	completed := false
	r.OnHeaders(func(r *ClientRequest) {
		bev, err := r.Hijack()
		if err != nil {
			t.Errorf("Hijack: %v (status %d)", err, r.StatusCode())
			base.LoopBreak()
			return
		}
		bev.SetCallbacks(func(bev *bufferevent.BufferEvent) {
			if bev.Input().Len() >= 10 {
				got = cliString(bev.Input())
				bev.Free()
				base.LoopBreak()
			}
		}, nil, nil)
		bev.Enable(bufferevent.Read)
		bev.Output().AddString("hello")
	})
	r.OnComplete(func(*ClientRequest) { completed = true })
	r.OnError(func(_ *ClientRequest, err error) { t.Error(err); base.LoopBreak() })
	if err := c.MakeRequest(r); err != nil {
		t.Fatal(err)
	}
	basetest.Run(t, base, 20*time.Second)
	if got != "echo:hello" || !completed {
		t.Errorf("tunnel carried %q, completed %v", got, completed)
	}
	if c.Pending() != 0 || c.Connected() {
		t.Errorf("after the hijack: %d pending, connected %v", c.Pending(), c.Connected())
	}
}

func TestClientExpectContinue(t *testing.T) {
	for _, tc := range []struct {
		name   string
		answer string // what the server sends after the head, before reading the body
		code   int
		body   bool // the server gets the body
	}{
		{"100 then body", "HTTP/1.1 100 Continue\r\n\r\n", 200, true},
		{"no 100: body after the wait", "", 200, true},
		{"final answer instead", "HTTP/1.1 417 Expectation Failed\r\nContent-Length: 0\r\n\r\n", 417, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := make(chan string, 1)
			s := cliScript(t, func(i int, c net.Conn, br *bufio.Reader) {
				cliReadHead(br)
				io.WriteString(c, tc.answer)
				if !tc.body {
					rest, _ := io.ReadAll(br)
					got <- string(rest)
					return
				}
				buf := make([]byte, 5)
				io.ReadFull(br, buf)
				got <- string(buf)
				io.WriteString(c, "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n")
			})
			base := basetest.New(t)
			c := cliConn(t, base, s.addr)
			r := NewClientRequest("PUT", "/")
			r.Header().Set("Expect", "100-continue")
			r.Body().AddString("hello")
			start := time.Now()
			res := cliRun(t, base, c, r)[0]
			if res.err != nil || res.code != tc.code {
				t.Fatalf("%d %v", res.code, res.err)
			}
			if tc.answer == "" && time.Since(start) < continueTimeout {
				t.Errorf("body sent after %v, before the %v wait", time.Since(start), continueTimeout)
			}
			if !tc.body {
				if c.Connected() {
					t.Error("connection kept after a final answer to Expect")
				}
				c.Close()
			}
			select {
			case b := <-got:
				if want := map[bool]string{true: "hello", false: ""}[tc.body]; b != want {
					t.Errorf("server got body %q, want %q", b, want)
				}
			case <-time.After(10 * time.Second):
				t.Fatal("server got nothing")
			}
		})
	}
}
