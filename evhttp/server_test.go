package evhttp

import (
	"bufio"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/goevent/goevent/evbuffer"
)

func hello(r *Request) {
	var b evbuffer.Buffer
	b.AddString("Hello, World!")
	r.OutputHeaders().Set("Content-Type", "text/plain")
	r.SendReply(StatusOK, "", &b)
}

// echo answers with the method, path and body it got.
func echo(r *Request) {
	fmt.Fprintf(r.OutputBuffer(), "%s %s %d:", r.Method(), r.Path(), r.InputBuffer().Len())
	r.OutputBuffer().AddBuffer(r.InputBuffer())
	r.SendReply(StatusOK, "", nil)
}

func TestServerNetHTTPClient(t *testing.T) {
	ts := startServer(t, nil, func(s *Server) {
		s.SetCallback("/hello", hello)
		s.SetCallback("/echo", echo)
	})
	client := &http.Client{Timeout: 10 * time.Second}
	defer client.CloseIdleConnections()
	for i := 0; i < 3; i++ {
		resp, err := client.Get("http://" + ts.addr + "/hello")
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 || string(body) != "Hello, World!" || resp.Header.Get("Date") == "" ||
			resp.Header.Get("Content-Type") != "text/plain" || resp.ContentLength != 13 {
			t.Fatalf("got %d %q %v", resp.StatusCode, body, resp.Header)
		}
	}
	resp, err := client.Post("http://"+ts.addr+"/echo", "text/plain", strings.NewReader("payload"))
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if string(body) != "POST /echo 7:payload" {
		t.Fatalf("echo: %q", body)
	}
	if n := ts.ConnectionCount(); n != 1 {
		t.Errorf("keep-alive: %d connections open, want 1", n)
	}
}

func TestServerPipelining(t *testing.T) {
	ts := startServer(t, nil, func(s *Server) {
		s.SetCallback("/echo", echo)
	})
	c := ts.dial(t)
	var req strings.Builder
	for i := 0; i < 20; i++ {
		fmt.Fprintf(&req, "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: %d\r\n\r\n%d", len(fmt.Sprint(i)), i)
		fmt.Fprintf(&req, "GET /echo?%d HTTP/1.1\r\nHost: x\r\n\r\n", i)
	}
	io.WriteString(c, req.String())
	br := bufio.NewReader(c)
	for i := 0; i < 20; i++ {
		r := readResponse(t, br, false)
		if want := fmt.Sprintf("POST /echo %d:%d", len(fmt.Sprint(i)), i); r.body != want {
			t.Fatalf("response %d: %q, want %q", 2*i, r.body, want)
		}
		r = readResponse(t, br, false)
		if r.body != "GET /echo 0:" {
			t.Fatalf("response %d: %q", 2*i+1, r.body)
		}
	}
}

func TestServerErrors(t *testing.T) {
	ts := startServer(t, &Config{MaxRequestLine: 100, MaxHeaderBytes: 300, MaxBodySize: 10}, func(s *Server) {
		s.SetCallback("/echo", echo)
		s.SetCallbackWith("/nohost", echo, RouteOptions{AllowMissingHost: true})
	})
	tests := []struct {
		name  string
		req   string
		code  int
		close bool
	}{
		{"not found", "GET /nope HTTP/1.1\r\nHost: x\r\n\r\n", 404, false},
		{"method not allowed", "OPTIONS /echo HTTP/1.1\r\nHost: x\r\n\r\n", 405, false},
		{"unknown method", "BREW /echo HTTP/1.1\r\nHost: x\r\n\r\n", 501, false},
		{"missing host", "GET /echo HTTP/1.1\r\n\r\n", 400, true},
		{"missing host allowed", "GET /nohost HTTP/1.1\r\n\r\n", 200, false},
		{"uri too long", "GET /" + strings.Repeat("a", 200) + " HTTP/1.1\r\nHost: x\r\n\r\n", 414, true},
		{"headers too large", "GET /echo HTTP/1.1\r\nHost: x\r\nX: " + strings.Repeat("a", 400) + "\r\n\r\n", 431, true},
		{"body too large", "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 11\r\n\r\n01234567890", 413, true},
		{"chunked too large", "POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n10\r\n0123456789abcdef\r\n0\r\n\r\n", 413, true},
		{"cl and te", "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", 400, true},
		{"duplicate cl", "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nContent-Length: 1\r\n\r\nx", 400, true},
		{"te not chunked", "POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip\r\n\r\n", 400, true},
		{"te gzip chunked", "POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n", 501, true},
		{"obs fold", "GET /echo HTTP/1.1\r\nHost: x\r\nX: a\r\n b\r\n\r\n", 400, true},
		{"space before colon", "GET /echo HTTP/1.1\r\nHost : x\r\n\r\n", 400, true},
		{"bare cr", "GET /echo HTTP/1.1\r\nHost: x\rY\r\n\r\n", 400, true},
		{"nul in value", "GET /echo HTTP/1.1\r\nHost: x\x00\r\n\r\n", 400, true},
		{"bad chunk size", "POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", 400, true},
		{"chunk overflow", "POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nffffffffffffffffffff\r\n", 413, true},
		{"http/2.0", "GET /echo HTTP/2.0\r\nHost: x\r\n\r\n", 505, true},
		{"expect other", "POST /echo HTTP/1.1\r\nHost: x\r\nExpect: magic\r\nContent-Length: 1\r\n\r\nx", 417, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := ts.dial(t)
			io.WriteString(c, tt.req)
			br := bufio.NewReader(c)
			r := readResponse(t, br, false)
			if r.code != tt.code {
				t.Fatalf("got %q, want %d", r.status, tt.code)
			}
			if tt.code == 405 && r.header("Allow") != "GET, POST, HEAD, PUT, DELETE" {
				t.Errorf("Allow: %q", r.header("Allow"))
			}
			if tt.close {
				if r.header("Connection") != "close" {
					t.Errorf("Connection: %q, want close", r.header("Connection"))
				}
				expectClosed(t, c, br, 5*time.Second)
				return
			}
			// The connection stays usable.
			io.WriteString(c, "GET /echo HTTP/1.1\r\nHost: x\r\n\r\n")
			if r := readResponse(t, br, false); r.code != 200 {
				t.Fatalf("next request: %q", r.status)
			}
		})
	}
}

func TestServerKeepAliveRules(t *testing.T) {
	ts := startServer(t, nil, func(s *Server) { s.SetCallback("/hello", hello) })
	t.Run("http/1.0 closes", func(t *testing.T) {
		c := ts.dial(t)
		io.WriteString(c, "GET /hello HTTP/1.0\r\n\r\n")
		br := bufio.NewReader(c)
		r := readResponse(t, br, false)
		if r.code != 200 || r.body != "Hello, World!" || r.header("Connection") != "close" || r.status != "HTTP/1.1 200 OK" {
			t.Fatalf("%q %v %q", r.status, r.headers, r.body)
		}
		expectClosed(t, c, br, 5*time.Second)
	})
	t.Run("http/1.0 keep-alive", func(t *testing.T) {
		c := ts.dial(t)
		br := bufio.NewReader(c)
		for i := 0; i < 2; i++ {
			io.WriteString(c, "GET /hello HTTP/1.0\r\nConnection: keep-alive\r\n\r\n")
			if r := readResponse(t, br, false); r.header("Connection") != "keep-alive" {
				t.Fatalf("%v", r.headers)
			}
		}
	})
	t.Run("connection close", func(t *testing.T) {
		c := ts.dial(t)
		io.WriteString(c, "GET /hello HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\nGET /hello HTTP/1.1\r\nHost: x\r\n\r\n")
		br := bufio.NewReader(c)
		if r := readResponse(t, br, false); r.header("Connection") != "close" {
			t.Fatalf("%v", r.headers)
		}
		expectClosed(t, c, br, 5*time.Second)
	})
	t.Run("head", func(t *testing.T) {
		c := ts.dial(t)
		br := bufio.NewReader(c)
		io.WriteString(c, "HEAD /hello HTTP/1.1\r\nHost: x\r\n\r\nGET /hello HTTP/1.1\r\nHost: x\r\n\r\n")
		r := readResponse(t, br, true)
		if r.code != 200 || r.header("Content-Length") != "13" {
			t.Fatalf("HEAD: %q %v", r.status, r.headers)
		}
		if r := readResponse(t, br, false); r.body != "Hello, World!" {
			t.Fatalf("GET after HEAD: %q", r.body)
		}
	})
}
