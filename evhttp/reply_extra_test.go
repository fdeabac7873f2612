package evhttp

import (
	"bufio"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/goevent/goevent/bufferevent"
	"github.com/goevent/goevent/evbuffer"
)

func TestReplyTrailersInformationalAbort(t *testing.T) {
	ts := startServer(t, nil, func(s *Server) {
		s.SetCallback("/trailer", func(r *Request) {
			r.OutputHeaders().Set("Trailer", "X-Checksum")
			r.SendReplyStart(StatusOK, "")
			var b evbuffer.Buffer
			b.AddString("body")
			r.SendReplyChunk(&b, nil)
			r.OutputTrailers().Add("X-Checksum", "abc")
			r.OutputTrailers().Add("Content-Length", "99") // never in a trailer
			r.OutputTrailers().Add("X-Bad", "a\r\nInjected: 1")
			r.SendReplyEnd()
		})
		s.SetCallback("/hints", func(r *Request) {
			r.OutputHeaders().Add("Link", "</style.css>; rel=preload; as=style")
			if err := r.SendInformational(StatusEarlyHints); err != nil {
				t.Errorf("SendInformational: %v", err)
			}
			r.OutputBuffer().AddString("final")
			r.SendReply(StatusOK, "", nil)
		})
		s.SetCallback("/abort", func(r *Request) {
			r.SendReplyStart(StatusOK, "")
			var b evbuffer.Buffer
			b.AddString("partial")
			r.SendReplyChunk(&b, nil)
			if err := r.Abort(); err != nil {
				t.Errorf("Abort: %v", err)
			}
			if err := r.SendReplyEnd(); err == nil {
				t.Error("SendReplyEnd after Abort succeeded")
			}
		})
	})
	c := ts.dial(t)
	br := bufio.NewReader(c)
	io.WriteString(c, "GET /trailer HTTP/1.1\r\nHost: x\r\n\r\n")
	// Read up to the last chunk, then the trailer section.
	var raw strings.Builder
	for !strings.HasSuffix(raw.String(), "\r\n0\r\n") {
		line, err := br.ReadString('\n')
		if err != nil {
			t.Fatalf("reading: %v after %q", err, raw.String())
		}
		raw.WriteString(line)
	}
	for {
		line, err := br.ReadString('\n')
		if err != nil {
			t.Fatalf("reading the trailer: %v after %q", err, raw.String())
		}
		raw.WriteString(line)
		if line == "\r\n" {
			break
		}
	}
	got := raw.String()
	if !strings.HasSuffix(got, "0\r\nX-Checksum: abc\r\n\r\n") || strings.Contains(got, "Injected") || strings.Contains(got, ": 99") {
		t.Fatalf("trailer section: %q", got)
	}
	io.WriteString(c, "GET /hints HTTP/1.1\r\nHost: x\r\n\r\n")
	if r := readResponse(t, br, false); r.code != 103 || r.header("Link") == "" {
		t.Fatalf("want 103 with Link, got %q %v", r.status, r.headers)
	}
	if r := readResponse(t, br, false); r.code != 200 || r.body != "final" || r.header("Link") != "" {
		t.Fatalf("final reply: %q %v %q", r.status, r.headers, r.body)
	}
	c2 := ts.dial(t)
	io.WriteString(c2, "GET /abort HTTP/1.1\r\nHost: x\r\n\r\n")
	c2.SetReadDeadline(time.Now().Add(10 * time.Second))
	all, _ := io.ReadAll(c2)
	if !strings.Contains(string(all), "partial") || strings.HasSuffix(string(all), "0\r\n\r\n") {
		t.Fatalf("aborted reply: %q", all)
	}
}

// TestAsyncUpgradeHijack: a 101 sent later (from a Post, as a proxy does
// when its upstream answers) can still be followed by Hijack.
func TestAsyncUpgradeHijack(t *testing.T) {
	ts := startServer(t, nil, func(s *Server) {
		s.SetCallback("/up", func(r *Request) {
			base := r.Base()
			go base.Post(func() {
				r.OutputHeaders().Set("Upgrade", "echo")
				r.OutputHeaders().Set("Connection", "Upgrade")
				if err := r.SendReply(StatusSwitchingProtocols, "", nil); err != nil {
					t.Errorf("SendReply: %v", err)
					return
				}
				bev, err := r.Hijack()
				if err != nil {
					t.Errorf("Hijack after an async 101: %v", err)
					return
				}
				bev.SetCallbacks(func(b *bufferevent.BufferEvent) { b.Output().AddBuffer(b.Input()) }, nil,
					func(b *bufferevent.BufferEvent, _ bufferevent.What, _ error) { b.Free() })
				bev.Enable(bufferevent.Read)
			})
		})
	})
	c := ts.dial(t)
	br := bufio.NewReader(c)
	io.WriteString(c, "GET /up HTTP/1.1\r\nHost: x\r\nUpgrade: echo\r\nConnection: Upgrade\r\n\r\n")
	if r := readResponse(t, br, true); r.code != 101 {
		t.Fatalf("%q", r.status)
	}
	io.WriteString(c, "ping")
	buf := make([]byte, 4)
	if _, err := io.ReadFull(br, buf); err != nil || string(buf) != "ping" {
		t.Fatalf("echo after the upgrade: %q %v", buf, err)
	}
}
