package main

import (
	"bufio"
	"errors"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"
)

func date() string { return time.Now().UTC().Format(http.TimeFormat) }

func good() string {
	return "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 13\r\nDate: " + date() + "\r\n\r\nHello, World!"
}

func TestReadReply(t *testing.T) {
	old := time.Now().Add(-time.Hour).UTC().Format(http.TimeFormat)
	tests := []struct {
		name  string
		reply string
		ok    bool
	}{
		{"good", good(), true},
		{"good with more fields", "HTTP/1.1 200 OK\r\nServer: x\r\nConnection: keep-alive\r\nContent-Type: text/plain\r\nContent-Length: 13\r\nDate: " + date() + "\r\n\r\nHello, World!", true},
		{"HTTP/1.0", strings.Replace(good(), "HTTP/1.1", "HTTP/1.0", 1), false},
		{"404", strings.Replace(good(), "200 OK", "404 Not Found", 1), false},
		{"other type", strings.Replace(good(), "text/plain", "text/html", 1), false},
		{"type with charset", strings.Replace(good(), "text/plain", "text/plain; charset=utf-8", 1), false},
		{"two types", strings.Replace(good(), "Content-Type: text/plain\r\n", "Content-Type: text/plain\r\nContent-Type: text/plain\r\n", 1), false},
		{"no length", strings.Replace(good(), "Content-Length: 13\r\n", "", 1), false},
		{"chunked", "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nTransfer-Encoding: chunked\r\nDate: " + date() + "\r\n\r\nd\r\nHello, World!\r\n0\r\n\r\n", false},
		{"no date", strings.Replace(good(), "Date: "+date()+"\r\n", "", 1), false},
		{"stale date", strings.Replace(good(), date(), old, 1), false},
		{"bad date", strings.Replace(good(), date(), "yesterday", 1), false},
		{"connection close", strings.Replace(good(), "\r\n\r\n", "\r\nConnection: close\r\n\r\n", 1), false},
		{"wrong body", strings.Replace(good(), "Hello, World!", "Hello, world!", 1), false},
		{"short body", strings.Replace(good(), "Hello, World!", "Hello", 1), false},
		{"garbage", "SSH-2.0-OpenSSH\r\n", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := readReply(bufio.NewReader(strings.NewReader(tt.reply)))
			if tt.ok && err != nil {
				t.Fatalf("rejected a good reply: %v", err)
			}
			if !tt.ok && err == nil {
				t.Fatal("accepted a wrong reply")
			}
		})
	}
}

func TestReadReplyWrapsErrReply(t *testing.T) {
	err := readReply(bufio.NewReader(strings.NewReader(strings.Replace(good(), "200 OK", "500 Oops", 1))))
	if !errors.Is(err, errReply) {
		t.Fatalf("err = %v, want errReply", err)
	}
}

// serve answers each request read from a loopback connection with reply.
func serve(t *testing.T, reply func(n int) string) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		defer c.Close()
		br := bufio.NewReader(c)
		for n := 0; ; n++ {
			req, err := http.ReadRequest(br)
			if err != nil {
				return
			}
			io.Copy(io.Discard, req.Body)
			if _, err := io.WriteString(c, reply(n)); err != nil {
				return
			}
		}
	}()
	return ln.Addr().String()
}

func TestCheck(t *testing.T) {
	addr := serve(t, func(int) string { return good() })
	first, err := check(addr, time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(string(first), "HTTP/1.1 200 OK\r\n") || !strings.HasSuffix(string(first), "\r\n\r\nHello, World!") {
		t.Errorf("first reply %q is not the whole first reply", first)
	}
}

func TestCheckCatchesThirdReply(t *testing.T) {
	addr := serve(t, func(n int) string {
		if n == 2 {
			return strings.Replace(good(), "200 OK", "400 Bad Request", 1)
		}
		return good()
	})
	if _, err := check(addr, time.Second); !errors.Is(err, errReply) {
		t.Fatalf("err = %v, want errReply", err)
	}
}

func TestCheckNoServer(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	if _, err := check(addr, 200*time.Millisecond); err == nil {
		t.Fatal("check passed with nothing listening")
	}
}

func FuzzReadReply(f *testing.F) {
	f.Add(good())
	f.Add("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n")
	f.Fuzz(func(t *testing.T, reply string) {
		if readReply(bufio.NewReader(strings.NewReader(reply))) != nil {
			return
		}
		// Whatever passes must carry the body and the one content type.
		if !strings.Contains(reply, "Hello, World!") || !strings.Contains(strings.ToLower(reply), "content-type") {
			t.Fatalf("accepted %q", reply)
		}
	})
}
