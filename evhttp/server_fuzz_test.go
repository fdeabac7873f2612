package evhttp

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/goevent/goevent/core"
	"github.com/goevent/goevent/internal/basetest"
	"golang.org/x/sys/unix"
)

// serveBytes feeds in to a Server connection over a socketpair, closes the
// client's write side, runs the loop until the server closes the
// connection, and returns what the server wrote.
func serveBytes(t testing.TB, base *core.Base, s *Server, in []byte) []byte {
	t.Helper()
	p, err := nbSocketpair()
	if err != nil {
		t.Fatal(err)
	}
	client := p[1]
	defer unix.Close(client)
	s.newConn(s.loops[0], &BoundSocket{srv: s}, p[0], netip.AddrPort{})
	var out []byte
	buf := make([]byte, 64<<10)
	written, shut := 0, false
	start := time.Now()
	for iter := 0; ; iter++ {
		if !shut {
			n, err := unix.Write(client, in[written:])
			if n > 0 {
				written += n
			}
			if err != nil && err != unix.EAGAIN {
				written = len(in) // the server closed; stop sending
			}
			if written == len(in) {
				unix.Shutdown(client, unix.SHUT_WR)
				shut = true
			}
		}
		if err := base.Loop(core.LoopNonblock); err != nil {
			t.Fatal(err)
		}
		n, err := unix.Read(client, buf)
		if n > 0 {
			out = append(out, buf[:n]...)
			continue
		}
		if n == 0 && err == nil || err != nil && err != unix.EAGAIN {
			if s.ConnectionCount() == 0 {
				return out
			}
		}
		if iter%1024 == 0 && time.Since(start) > 10*time.Second {
			ls := s.loops[0]
			for c := ls.conns.next; c != &ls.conns; c = c.next {
				st := "idle"
				if r := c.req; r != nil {
					st = fmt.Sprintf("req parse=%v body=%v handled=%v reply=%v", r.p.state, r.bodyDone, r.handled, r.reply)
				}
				t.Logf("open conn: %s closing=%v linger=%v lingering=%v eof=%v in=%d out=%d enabled=%v",
					st, c.closing, c.linger, c.lingering, c.eof, c.bev.Input().Len(), c.bev.Output().Len(), c.bev.Enabled())
			}
			t.Fatalf("connection never closed; in %q", in)
		}
		if s.ConnectionCount() == 0 && written == len(in) && err == unix.EAGAIN {
			// Closed with nothing more to read: the next read sees EOF.
			continue
		}
	}
}

// FuzzServerConn sends arbitrary bytes as a client and checks that the
// server neither panics nor hangs, and that what it answers is a sequence
// of well-formed responses.
func FuzzServerConn(f *testing.F) {
	for _, s := range []string{
		"GET / HTTP/1.1\r\nHost: x\r\n\r\n",
		"POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabcGET / HTTP/1.1\r\nHost: x\r\n\r\n",
		"POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\nT: v\r\n\r\n",
		"POST /stream HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5;e=1\r\nhello\r\n0\r\n\r\n",
		"POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
		"HEAD / HTTP/1.0\r\nConnection: keep-alive\r\n\r\nGET / HTTP/1.0\r\n\r\n",
		"POST /echo HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\nhi",
		"CONNECT a:1 HTTP/1.1\r\nHost: a:1\r\n\r\n",
		"GET http://h/p?q#f HTTP/1.1\r\nHost: y\r\n\r\n",
	} {
		f.Add([]byte(s))
	}
	base := basetest.New(f)
	s := New(base, &Config{MaxBodySize: 1 << 16})
	s.SetCallback("/", hello)
	s.SetCallback("/echo", echo)
	s.SetCallbackWith("/stream", func(r *Request) {
		r.SetBodyHandler(func(r *Request) { r.InputBuffer().Drain(r.InputBuffer().Len()) },
			func(r *Request, err error) {
				if err == nil {
					r.SendReply(StatusOK, "", nil)
				}
			})
	}, RouteOptions{StreamBody: true})
	f.Fuzz(func(t *testing.T, in []byte) {
		out := serveBytes(t, base, s, in)
		br := bufio.NewReader(bytes.NewReader(out))
		for {
			if _, err := br.Peek(1); err == io.EOF {
				break
			}
			line, err := br.ReadString('\n')
			if err != nil || !strings.HasPrefix(line, "HTTP/1.1 ") || !strings.HasSuffix(line, "\r\n") {
				t.Fatalf("bad status line %q in %q (input %q)", line, out, in)
			}
			code := line[9:12]
			cl := -1
			chunked := false
			for {
				h, err := br.ReadString('\n')
				if err != nil {
					t.Fatalf("truncated head in %q (input %q)", out, in)
				}
				if h == "\r\n" {
					break
				}
				name, value, ok := strings.Cut(strings.TrimSuffix(h, "\r\n"), ": ")
				if !ok || strings.ContainsAny(name, " \t\r\n") || strings.ContainsAny(value, "\r\n") {
					t.Fatalf("bad header %q (input %q)", h, in)
				}
				switch strings.ToLower(name) {
				case "content-length":
					cl = 0
					for _, c := range value {
						cl = cl*10 + int(c-'0')
					}
				case "transfer-encoding":
					chunked = value == "chunked"
				}
			}
			if code[0] == '1' || code == "204" || code == "304" {
				continue
			}
			switch {
			case cl >= 0 && !chunked:
				// A reply to HEAD has a length and no body: the bodies
				// these routes send never start like a status line.
				if next, _ := br.Peek(9); string(next) == "HTTP/1.1 " || len(next) == 0 {
					continue
				}
				if _, err := io.CopyN(io.Discard, br, int64(cl)); err != nil {
					t.Fatalf("short body in %q (input %q)", out, in)
				}
			case chunked:
				return // the stream route's replies; no further framing checks
			default:
				return // until close
			}
		}
	})
}
