package evhttp

import (
	"bufio"
	"crypto/rand"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/goevent/goevent/internal/basetest"
)

// digest answers with the length and SHA-256 of the request body and the
// request's Transfer-Encoding, so a client can check its upload arrived
// intact and how it was framed.
func digest(r *Request) {
	h := sha256.New()
	in := r.InputBuffer()
	for _, v := range in.Peek(-1, nil) {
		h.Write(v)
	}
	fmt.Fprintf(r.OutputBuffer(), "%d %x te=%s", in.Len(), h.Sum(nil), r.InputHeaders().Get("Transfer-Encoding"))
	r.OutputHeaders().Set("Content-Type", "text/plain")
	r.SendReply(StatusOK, "", nil)
}

// digestOf is what digest answers for body sent with Transfer-Encoding te.
func digestOf(body []byte, te string) string {
	return fmt.Sprintf("%d %x te=%s", len(body), sha256.Sum256(body), te)
}

// randomFile writes n random bytes to a file in the test's temporary
// directory and returns its path and contents.
func randomFile(t *testing.T, n int) (string, []byte) {
	t.Helper()
	b := make([]byte, n)
	rand.Read(b)
	path := filepath.Join(t.TempDir(), "body")
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
	return path, b
}

func TestServerCurl(t *testing.T) {
	curl := basetest.RequirePeer(t, "curl")
	var ct connTracker
	ts := startServer(t, &Config{MaxBodySize: 1 << 20}, func(s *Server) {
		s.SetCallback("/hello", ct.wrap(hello))
		s.SetCallback("/digest", digest)
	})
	url := "http://" + ts.addr
	const limit = 30 * time.Second

	t.Run("keep-alive", func(t *testing.T) {
		out, errOut, err := runPeer(t, limit, curl, "-sv", url+"/hello", url+"/hello", url+"/hello")
		if err != nil {
			t.Fatalf("curl: %v\n%s", err, errOut)
		}
		if out != strings.Repeat("Hello, World!", 3) {
			t.Errorf("bodies: %q", out)
		}
		if n := strings.Count(errOut, "Re-using existing connection"); n != 2 {
			t.Errorf("curl reused the connection %d times, want 2:\n%s", n, errOut)
		}
		if conns, reqs := ct.count(); conns != 1 || reqs != 3 {
			t.Errorf("server saw %d requests on %d connections, want 3 on 1", reqs, conns)
		}
	})

	t.Run("chunked upload", func(t *testing.T) {
		path, body := randomFile(t, 300<<10)
		out, errOut, err := runPeer(t, limit, curl, "-sS", "-H", "Transfer-Encoding: chunked", "--data-binary", "@"+path, url+"/digest")
		if err != nil {
			t.Fatalf("curl: %v\n%s", err, errOut)
		}
		if want := digestOf(body, "chunked"); out != want {
			t.Errorf("got %q, want %q", out, want)
		}
	})

	t.Run("100-continue", func(t *testing.T) {
		path, body := randomFile(t, 512<<10)
		// A long expect100-timeout: curl sends the body only once the
		// server has said 100 Continue, so a server that forgot to would
		// hang the test instead of passing by curl's 1 s fallback.
		out, errOut, err := runPeer(t, limit, curl, "-sv", "--expect100-timeout", "60", "-H", "Expect: 100-continue",
			"--data-binary", "@"+path, url+"/digest")
		if err != nil {
			t.Fatalf("curl: %v\n%s", err, errOut)
		}
		if !strings.Contains(errOut, "< HTTP/1.1 100 Continue") {
			t.Errorf("no 100 Continue in:\n%s", errOut)
		}
		if want := digestOf(body, ""); out != want {
			t.Errorf("got %q, want %q", out, want)
		}
	})

	t.Run("head", func(t *testing.T) {
		out, errOut, err := runPeer(t, limit, curl, "-sSI", url+"/hello")
		if err != nil {
			t.Fatalf("curl: %v\n%s", err, errOut)
		}
		head := strings.ToLower(out)
		if !strings.HasPrefix(out, "HTTP/1.1 200 OK\r\n") || !strings.Contains(head, "\r\ncontent-length: 13\r\n") ||
			!strings.HasSuffix(out, "\r\n\r\n") || strings.Contains(out, "Hello") {
			t.Errorf("HEAD: %q", out)
		}
	})

	t.Run("http1.0", func(t *testing.T) {
		out, errOut, err := runPeer(t, limit, curl, "-sv", "--http1.0", url+"/hello", url+"/hello")
		if err != nil {
			t.Fatalf("curl: %v\n%s", err, errOut)
		}
		if out != strings.Repeat("Hello, World!", 2) {
			t.Errorf("bodies: %q", out)
		}
		if !strings.Contains(errOut, "> GET /hello HTTP/1.0") || strings.Count(errOut, "< Connection: close") != 2 {
			t.Errorf("want two HTTP/1.0 exchanges each closed:\n%s", errOut)
		}
		if strings.Contains(errOut, "Re-using existing connection") {
			t.Errorf("HTTP/1.0 connection reused:\n%s", errOut)
		}
	})

	t.Run("413", func(t *testing.T) {
		// Far larger than the limit and the socket buffers; "Expect:"
		// stops curl from waiting for a 100, so the body is on its way
		// when the 413 comes. curl stops sending once it reads the 413,
		// which it does only if the server's close does not reset the
		// connection first.
		path, _ := randomFile(t, 16<<20)
		for _, te := range []string{"", "Transfer-Encoding: chunked"} {
			args := []string{"-sS", "-o", "/dev/null", "-w", "%{http_code}", "-H", "Expect:", "--data-binary", "@" + path}
			if te != "" {
				args = append(args, "-H", te)
			}
			out, errOut, err := runPeer(t, limit, curl, append(args, url+"/digest")...)
			if out != "413" {
				t.Errorf("%q: curl reported %q (%v): %s", te, out, err, errOut)
			}
		}
	})
}

func TestServerPythonHTTPClient(t *testing.T) {
	python := basetest.RequirePeer(t, "python3")
	var ct connTracker
	ts := startServer(t, nil, func(s *Server) {
		s.SetCallback("/hello", ct.wrap(hello))
		s.SetCallback("/echo", ct.wrap(echo))
		s.SetCallback("/digest", ct.wrap(digest))
	})
	host, port, _ := net.SplitHostPort(ts.addr)
	out, errOut, err := runPeer(t, 30*time.Second, python, "testdata/httpclient.py", host, port)
	if err != nil {
		t.Fatalf("python: %v\n%s", err, errOut)
	}
	type exchange struct {
		Name      string
		Status    int
		Headers   [][2]string
		Body      string
		LocalPort int `json:"local_port"`
	}
	var got []exchange
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		var e exchange
		if err := json.Unmarshal([]byte(line), &e); err != nil {
			t.Fatalf("%q: %v", line, err)
		}
		got = append(got, e)
	}
	header := func(e exchange, name string) []string {
		var v []string
		for _, h := range e.Headers {
			if strings.EqualFold(h[0], name) {
				v = append(v, h[1])
			}
		}
		return v
	}
	chunks := "chunk one;chunk two is longer;" + strings.Repeat("3", 10000)
	want := map[string]string{
		"get1":    "Hello, World!",
		"get2":    "Hello, World!",
		"post":    "POST /echo 12:hello python",
		"chunked": digestOf([]byte(chunks), "chunked"),
		"head":    "",
		"get3":    "Hello, World!",
	}
	if len(got) != len(want) {
		t.Fatalf("got %d exchanges, want %d:\n%s", len(got), len(want), out)
	}
	for _, e := range got {
		if e.Status != 200 || e.Body != want[e.Name] {
			t.Errorf("%s: %d %q, want 200 %q", e.Name, e.Status, e.Body, want[e.Name])
		}
		if d := header(e, "Date"); len(d) != 1 {
			t.Errorf("%s: Date %q", e.Name, d)
		} else if _, err := http.ParseTime(d[0]); err != nil {
			t.Errorf("%s: Date %q: %v", e.Name, d[0], err)
		}
		if cl := header(e, "Content-Length"); e.Name != "head" && (len(cl) != 1 || cl[0] != fmt.Sprint(len(e.Body))) {
			t.Errorf("%s: Content-Length %q for %d bytes", e.Name, cl, len(e.Body))
		}
		if c := header(e, "Connection"); len(c) != 0 {
			t.Errorf("%s: Connection %q on a keep-alive HTTP/1.1 reply", e.Name, c)
		}
		if e.LocalPort != got[0].LocalPort {
			t.Errorf("%s: on another connection (port %d, first %d)", e.Name, e.LocalPort, got[0].LocalPort)
		}
	}
	if e := got[4]; fmt.Sprint(header(e, "Content-Length"), header(e, "Content-Type")) != "[13] [text/plain]" {
		t.Errorf("HEAD headers: %q", e.Headers)
	}
	if conns, reqs := ct.count(); conns != 1 || reqs != len(want) {
		t.Errorf("server saw %d requests on %d connections, want %d on 1", reqs, conns, len(want))
	}
}

// unknownLength hides the length of its reader, so net/http sends it
// chunked.
type unknownLength struct{ r io.Reader }

func (u unknownLength) Read(p []byte) (int, error) { return u.r.Read(p) }

func TestServerNetHTTPChunkedRequest(t *testing.T) {
	ts := startServer(t, nil, func(s *Server) { s.SetCallback("/digest", digest) })
	client := &http.Client{Timeout: 20 * time.Second}
	defer client.CloseIdleConnections()
	for _, size := range []int{0, 1, 5000, 1 << 20} {
		body := make([]byte, size)
		rand.Read(body)
		resp, err := client.Post("http://"+ts.addr+"/digest", "application/octet-stream", unknownLength{strings.NewReader(string(body))})
		if err != nil {
			t.Fatal(err)
		}
		got, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if want := digestOf(body, "chunked"); err != nil || resp.StatusCode != 200 || string(got) != want {
			t.Errorf("%d bytes: %d %q %v, want %q", size, resp.StatusCode, got, err, want)
		}
	}
}

func TestServerNetHTTPConcurrent(t *testing.T) {
	const maxConns, workers, perWorker = 4, 16, 25
	var ct connTracker
	ts := startServer(t, nil, func(s *Server) { s.SetCallback("/echo", ct.wrap(echo)) })
	tr := &http.Transport{MaxConnsPerHost: maxConns, MaxIdleConnsPerHost: maxConns}
	defer tr.CloseIdleConnections()
	client := &http.Client{Transport: tr, Timeout: 30 * time.Second}
	var wg sync.WaitGroup
	errs := make(chan error, workers*perWorker)
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < perWorker; i++ {
				payload := fmt.Sprintf("worker %d request %d", w, i)
				resp, err := client.Post("http://"+ts.addr+"/echo", "text/plain", strings.NewReader(payload))
				if err != nil {
					errs <- err
					return
				}
				got, err := io.ReadAll(resp.Body)
				resp.Body.Close()
				if want := fmt.Sprintf("POST /echo %d:%s", len(payload), payload); err != nil || string(got) != want {
					errs <- fmt.Errorf("got %q %v, want %q", got, err, want)
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	conns, reqs := ct.count()
	if reqs != workers*perWorker || conns > maxConns || conns < 1 {
		t.Errorf("server saw %d requests on %d connections, want %d on at most %d", reqs, conns, workers*perWorker, maxConns)
	}
}

func TestServerHalfClose(t *testing.T) {
	big := strings.Repeat("0123456789abcdef", 1<<19) // 8 MiB: more than the socket buffers hold
	ts := startServer(t, nil, func(s *Server) {
		s.SetCallback("/echo", echo)
		s.SetCallback("/later", func(r *Request) {
			base := r.Base()
			go base.Post(func() { echo(r) })
		})
		s.SetCallback("/big", func(r *Request) {
			r.OutputBuffer().AddString(big)
			r.SendReply(StatusOK, "", nil)
		})
	})
	t.Run("large reply", func(t *testing.T) {
		c := ts.dial(t)
		io.WriteString(c, "GET /big HTTP/1.1\r\nHost: x\r\n\r\n")
		if err := c.(*net.TCPConn).CloseWrite(); err != nil {
			t.Fatal(err)
		}
		br := bufio.NewReader(c)
		r := readResponse(t, br, false)
		if r.code != 200 || r.body != big {
			t.Fatalf("got %q, %d of %d body bytes", r.status, len(r.body), len(big))
		}
		expectClosed(t, c, br, 5*time.Second)
	})
	t.Run("pipelined", func(t *testing.T) {
		// Three requests, then the half-close: all three are answered,
		// though the first reply fills the output past the point where
		// the server stops parsing until it drains.
		c := ts.dial(t)
		io.WriteString(c, "GET /big HTTP/1.1\r\nHost: x\r\n\r\nPOST /later HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\n\r\nxGET /big HTTP/1.1\r\nHost: x\r\n\r\n")
		if err := c.(*net.TCPConn).CloseWrite(); err != nil {
			t.Fatal(err)
		}
		br := bufio.NewReader(c)
		for i, want := range []string{big, "POST /later 1:x", big} {
			if r := readResponse(t, br, false); r.code != 200 || r.body != want {
				t.Fatalf("response %d: %q, %d body bytes, want %d", i, r.status, len(r.body), len(want))
			}
		}
		expectClosed(t, c, br, 5*time.Second)
	})
	for name, rest := range map[string]string{
		"cut in head": "GET /echo HTTP/1.1\r\nHost:",
		"cut in body": "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\nabc",
	} {
		t.Run(name, func(t *testing.T) {
			// A complete request, then one the half-close cuts short:
			// the first is answered, the second cannot be, and the
			// server closes at once rather than at a timeout.
			c := ts.dial(t)
			io.WriteString(c, "GET /later HTTP/1.1\r\nHost: x\r\n\r\n"+rest)
			if err := c.(*net.TCPConn).CloseWrite(); err != nil {
				t.Fatal(err)
			}
			br := bufio.NewReader(c)
			if r := readResponse(t, br, false); r.code != 200 || r.body != "GET /later 0:" {
				t.Fatalf("got %q %q", r.status, r.body)
			}
			expectClosed(t, c, br, 5*time.Second)
		})
	}
	for _, path := range []string{"/echo", "/later"} {
		for _, body := range []string{"", "some body"} {
			t.Run(fmt.Sprintf("%s %q", path, body), func(t *testing.T) {
				c := ts.dial(t)
				fmt.Fprintf(c, "POST %s HTTP/1.1\r\nHost: x\r\nContent-Length: %d\r\n\r\n%s", path, len(body), body)
				if err := c.(*net.TCPConn).CloseWrite(); err != nil {
					t.Fatal(err)
				}
				br := bufio.NewReader(c)
				r := readResponse(t, br, false)
				if want := fmt.Sprintf("POST %s %d:%s", path, len(body), body); r.code != 200 || r.body != want {
					t.Fatalf("got %q %q, want %q", r.status, r.body, want)
				}
				expectClosed(t, c, br, 5*time.Second)
			})
		}
	}
}

// smuggled is a complete request sent after each smuggling payload: a
// server that misreads the payload's framing answers it as a second
// request.
const smuggled = "GET /echo?smuggled HTTP/1.1\r\nHost: x\r\n\r\n"

func TestServerSmuggling(t *testing.T) {
	ts := startServer(t, nil, func(s *Server) {
		s.SetCallback("/echo", echo)
	})
	tests := []struct {
		name, req string
		code      int
	}{
		// CL.TE: a front end going by Content-Length forwards the "0"
		// chunk and the smuggled prefix as this request's body.
		{"CL.TE", "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 6\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\nG", 400},
		// TE.CL: a back end going by Content-Length reads "5c\r\n" and
		// takes the chunk's data for a request of its own.
		{"TE.CL", "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n" +
			"5c\r\nGPOST /echo HTTP/1.1\r\nHost: x\r\nContent-Type: text/plain\r\nContent-Length: 15\r\n\r\nx=1\r\n0\r\n\r\n", 400},
		{"TE.CL te first", "POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nContent-Length: 4\r\n\r\n0\r\n\r\n", 400},
		{"te trailing space with cl", "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nTransfer-Encoding: chunked \r\n\r\n0\r\n\r\n", 400},
		{"te trailing tab with cl", "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\t\r\n\r\n0\r\n\r\n", 400},
		{"te xchunked", "POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: xchunked\r\n\r\n0\r\n\r\n", 400},
		{"te xchunked with cl", "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nTransfer-Encoding: xchunked\r\n\r\n0\r\n\r\n", 400},
		{"te chunked twice", "POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", 400},
		{"te chunked then identity", "POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked, identity\r\n\r\n0\r\n\r\n", 400},
		{"te in http/1.0", "POST /echo HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", 400},
		{"cl plus sign", "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: +5\r\n\r\nhello", 400},
		{"cl minus sign", "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: -5\r\n\r\nhello", 400},
		{"cl two numbers", "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 5 5\r\n\r\nhello", 400},
		{"cl list", "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 5, 5\r\n\r\nhello", 400},
		{"cl hex", "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 0x5\r\n\r\nhello", 400},
		{"cl different values", "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nContent-Length: 0\r\n\r\nhello", 400},
		{"chunk size leading spaces", "POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n  5\r\nhello\r\n0\r\n\r\n", 400},
		{"chunk size 0x prefix", "POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n0x5\r\nhello\r\n0\r\n\r\n", 400},
		{"chunk extension control byte", "POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5;a=\x01b\r\nhello\r\n0\r\n\r\n", 400},
		{"chunk data too long", "POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello!\r\n0\r\n\r\n", 400},
		{"chunk lf only", "POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5\nhello\n0\n\n", 400},
		{"header name with space", "GET /echo HTTP/1.1\r\nHost: x\r\nX Foo: bar\r\n\r\n", 400},
		{"header name with tab before colon", "GET /echo HTTP/1.1\r\nHost: x\r\nContent-Length\t: 0\r\n\r\n", 400},
		{"leading whitespace line", "GET /echo HTTP/1.1\r\n Host: x\r\n\r\n", 400},
		{"request line two spaces", "GET  /echo HTTP/1.1\r\nHost: x\r\n\r\n", 400},
		{"request line trailing space", "GET /echo HTTP/1.1 \r\nHost: x\r\n\r\n", 400},
		{"request line tab", "GET\t/echo HTTP/1.1\r\nHost: x\r\n\r\n", 400},
		{"lf only request", "GET /echo HTTP/1.1\nHost: x\n\n", 400},
		{"lf only headers", "GET /echo HTTP/1.1\r\nHost: x\n\r\n", 400},
		{"two hosts", "GET /echo HTTP/1.1\r\nHost: x\r\nHost: y\r\n\r\n", 400},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := ts.dial(t)
			io.WriteString(c, tt.req+smuggled)
			br := bufio.NewReader(c)
			r := readResponse(t, br, false)
			if r.code != tt.code || r.header("Connection") != "close" {
				t.Fatalf("got %q Connection %q, want %d and close", r.status, r.header("Connection"), tt.code)
			}
			// Nothing more: in particular no answer to the smuggled
			// request.
			expectClosed(t, c, br, 5*time.Second)
		})
	}
}

// TestServerFramingAccepted covers shapes near the smuggling ones that are
// valid, each followed by a pipelined request that must be answered as
// the second response, proving the body was framed right.
func TestServerFramingAccepted(t *testing.T) {
	ts := startServer(t, nil, func(s *Server) {
		s.SetCallback("/echo", func(r *Request) {
			fmt.Fprintf(r.OutputBuffer(), "%s ", r.Host())
			echo(r)
		})
	})
	tests := []struct {
		name, req, body string
	}{
		// A field value's trailing whitespace is not part of it (RFC
		// 9110 §5.5): this is plain chunked.
		{"te trailing space", "POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked \r\n\r\n5\r\nhello\r\n0\r\n\r\n", "x POST /echo 5:hello"},
		{"te trailing tab", "POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding:\tchunked\t\r\n\r\n5\r\nhello\r\n0\r\n\r\n", "x POST /echo 5:hello"},
		{"te case", "POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: ChUnKeD\r\n\r\n5\r\nhello\r\n0\r\n\r\n", "x POST /echo 5:hello"},
		{"chunk extension", "POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5;name=\"v a\"\r\nhello\r\n0\r\n\r\n", "x POST /echo 5:hello"},
		{"cl leading zeros", "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 005\r\n\r\nhello", "x POST /echo 5:hello"},
		// The authority of an absolute-form target wins over Host (RFC
		// 9112 §3.2.2).
		{"absolute-form host wins", "GET http://a.test/echo HTTP/1.1\r\nHost: b.test\r\n\r\n", "a.test GET /echo 0:"},
		{"absolute-form with port", "GET http://a.test:8080/echo?q HTTP/1.1\r\nHost: b.test\r\n\r\n", "a.test GET /echo 0:"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := ts.dial(t)
			io.WriteString(c, tt.req+"GET /echo HTTP/1.1\r\nHost: next\r\n\r\n")
			br := bufio.NewReader(c)
			if r := readResponse(t, br, false); r.code != 200 || r.body != tt.body {
				t.Fatalf("got %q %q, want 200 %q", r.status, r.body, tt.body)
			}
			if r := readResponse(t, br, false); r.code != 200 || r.body != "next GET /echo 0:" {
				t.Fatalf("pipelined request: %q %q", r.status, r.body)
			}
		})
	}
}
