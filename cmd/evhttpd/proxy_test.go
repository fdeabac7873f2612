package main

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// echoReply is what echoUpstream answers: the request as it arrived.
type echoReply struct {
	Upstream string
	Method   string
	Target   string
	Host     string
	Header   http.Header
	BodyLen  int64
	BodySum  string
	Chunked  bool
}

// echoUpstream is a Go upstream that answers every request with a JSON
// echoReply; name tells which upstream answered.
func echoUpstream(t *testing.T, name string) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := sha256.New()
		n, _ := io.Copy(h, r.Body)
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("X-Upstream", name)
		json.NewEncoder(w).Encode(echoReply{
			Upstream: name, Method: r.Method, Target: r.RequestURI, Host: r.Host, Header: r.Header,
			BodyLen: n, BodySum: hex.EncodeToString(h.Sum(nil)),
			Chunked: len(r.TransferEncoding) > 0 && r.TransferEncoding[0] == "chunked",
		})
	}))
	t.Cleanup(srv.Close)
	return srv
}

// rawUpstream is a TCP upstream whose answers are written by hand: for
// every request read, answer gets the connection and the request (body
// unread). It stops when the test ends.
func rawUpstream(t *testing.T, answer func(c net.Conn, br *bufio.Reader, req *http.Request) bool) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var conns []net.Conn
	var wg sync.WaitGroup
	t.Cleanup(func() {
		ln.Close()
		mu.Lock()
		for _, c := range conns {
			c.Close()
		}
		mu.Unlock()
		wg.Wait()
	})
	wg.Go(func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
			wg.Go(func() {
				defer c.Close()
				br := bufio.NewReader(c)
				for {
					req, err := http.ReadRequest(br)
					if err != nil || !answer(c, br, req) {
						return
					}
				}
			})
		}
	})
	return "http://" + ln.Addr().String()
}

// getJSON fetches url through a fresh client and decodes the echoReply.
func getEcho(t *testing.T, req *http.Request) (*http.Response, echoReply) {
	t.Helper()
	tr := &http.Transport{DisableCompression: true}
	defer tr.CloseIdleConnections()
	resp, err := (&http.Client{Transport: tr, Timeout: 60 * time.Second}).Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
	defer resp.Body.Close()
	var e echoReply
	if err := json.NewDecoder(resp.Body).Decode(&e); err != nil {
		t.Fatalf("%s %s: %d: %v", req.Method, req.URL, resp.StatusCode, err)
	}
	return resp, e
}

func newRequest(t *testing.T, method, url string, body io.Reader) *http.Request {
	t.Helper()
	req, err := http.NewRequest(method, url, body)
	if err != nil {
		t.Fatal(err)
	}
	return req
}

func TestProxyRouting(t *testing.T) {
	a, b := echoUpstream(t, "a"), echoUpstream(t, "b")
	d, _ := serveSite(t, "-proxy", "/api="+a.URL, "-proxy", "/api/v2/="+b.URL)
	tests := []struct {
		path, upstream, target string
	}{
		{"/api", "a", "/api"},
		{"/api/x?q=1&r=%2F", "a", "/api/x?q=1&r=%2F"},
		{"/apix", "a", "/apix"},
		{"/api/v2", "a", "/api/v2"},
		{"/api/v2/", "b", "/api/v2/"},
		{"/api/v2/users/7?full=1", "b", "/api/v2/users/7?full=1"},
		{"/api/v%32/users", "b", "/api/v%32/users"}, // matched decoded, sent as written
	}
	for _, tt := range tests {
		resp, e := getEcho(t, newRequest(t, "GET", d.url(tt.path), nil))
		if resp.StatusCode != 200 || e.Upstream != tt.upstream || e.Target != tt.target || e.Method != "GET" {
			t.Errorf("GET %s: %d from %q with target %q, want %q with %q", tt.path, resp.StatusCode, e.Upstream, e.Target, tt.upstream, tt.target)
		}
		if got := resp.Header.Get("X-Upstream"); got != tt.upstream {
			t.Errorf("GET %s: X-Upstream %q", tt.path, got)
		}
	}
	// Dot segments are resolved before matching, and the target is sent
	// as written: the upstream resolves it the same way.
	r := rawRequest(t, d.addr(), "GET /api/v2/../v1/x HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n")
	var e echoReply
	if err := json.Unmarshal([]byte(r.body), &e); err != nil || e.Upstream != "a" || e.Target != "/api/v2/../v1/x" {
		t.Errorf("dot segments: %d %q (%v)", r.code, r.body, err)
	}
	// Paths outside every prefix are files; a dot segment cannot climb
	// out of a prefix into the proxy.
	if resp, body := get(t, "GET", d.url("/hello.txt")); resp.StatusCode != 200 || body != siteFiles["hello.txt"] {
		t.Errorf("static file beside the proxy: %d %q", resp.StatusCode, body)
	}
	r = rawRequest(t, d.addr(), "GET /api/../hello.txt HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n")
	if r.code != 200 || r.body != siteFiles["hello.txt"] {
		t.Errorf("/api/../hello.txt: %d %q, want the static file", r.code, r.body)
	}
	// An absolute-form target goes upstream in origin form.
	r = rawRequest(t, d.addr(), "GET http://site.test/api/abs?x=1 HTTP/1.1\r\nHost: site.test\r\nConnection: close\r\n\r\n")
	if err := json.Unmarshal([]byte(r.body), &e); err != nil || e.Target != "/api/abs?x=1" || e.Host != "site.test" {
		t.Errorf("absolute-form: %d %q (%v)", r.code, r.body, err)
	}
}

func TestProxyHeaders(t *testing.T) {
	a := echoUpstream(t, "a")
	up := rawUpstream(t, func(c net.Conn, _ *bufio.Reader, req *http.Request) bool {
		io.WriteString(c, "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 2\r\n"+
			"Connection: keep-alive, X-Up-Hop\r\nX-Up-Hop: 1\r\nKeep-Alive: timeout=5\r\nProxy-Authenticate: Basic\r\n"+
			"Upgrade: h2c\r\nTrailer: X-T\r\nX-End: kept\r\nSet-Cookie: a=1\r\nSet-Cookie: b=2\r\n\r\nok")
		return true
	})
	d, _ := serveSite(t, "-proxy", "/echo="+a.URL, "-proxy", "/hop="+up)
	r := rawRequest(t, d.addr(), "GET /echo/h HTTP/1.1\r\nHost: front.test:8443\r\nConnection: keep-alive, X-Hop, close\r\n"+
		"X-Hop: 1\r\nKeep-Alive: timeout=9\r\nTE: trailers\r\nTrailer: X-T\r\nUpgrade: h2c\r\nProxy-Authorization: Basic eA==\r\n"+
		"Proxy-Connection: keep-alive\r\nX-Forwarded-For: 192.0.2.1\r\nX-Forwarded-Proto: https\r\nX-Forwarded-Host: spoofed\r\n"+
		"X-End: kept\r\nAccept: text/plain\r\n\r\n")
	var e echoReply
	if err := json.Unmarshal([]byte(r.body), &e); err != nil || r.code != 200 {
		t.Fatalf("%d %q: %v", r.code, r.body, err)
	}
	for _, name := range []string{"X-Hop", "Keep-Alive", "Te", "Trailer", "Upgrade", "Proxy-Authorization", "Proxy-Connection"} {
		if v, ok := e.Header[name]; ok {
			t.Errorf("hop-by-hop %s reached the upstream: %q", name, v)
		}
	}
	if c := e.Header.Get("Connection"); c != "" && !strings.EqualFold(c, "keep-alive") {
		t.Errorf("the client's Connection reached the upstream: %q", c)
	}
	want := map[string]string{
		"X-End": "kept", "Accept": "text/plain",
		"X-Forwarded-For": "192.0.2.1, 127.0.0.1", "X-Forwarded-Proto": "http", "X-Forwarded-Host": "front.test:8443",
	}
	for k, v := range want {
		if got := strings.Join(e.Header.Values(k), ","); got != v {
			t.Errorf("upstream saw %s %q, want %q", k, got, v)
		}
	}
	if e.Host != "front.test:8443" {
		t.Errorf("upstream saw Host %q, want the client's", e.Host)
	}

	r = rawRequest(t, d.addr(), "GET /hop HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n")
	if r.code != 200 || r.body != "ok" {
		t.Fatalf("%d %q", r.code, r.body)
	}
	for _, name := range []string{"X-Up-Hop", "Keep-Alive", "Proxy-Authenticate", "Upgrade", "Trailer"} {
		if strings.Contains(r.head, name+":") {
			t.Errorf("hop-by-hop %s reached the client:\n%s", name, r.head)
		}
	}
	if !strings.Contains(r.head, "X-End: kept") || !strings.Contains(r.head, "Set-Cookie: a=1\r\nSet-Cookie: b=2") {
		t.Errorf("end-to-end fields lost:\n%s", r.head)
	}
	// HEAD keeps the upstream's Content-Length, with no body.
	resp, body := get(t, "HEAD", d.url("/hop"))
	if resp.StatusCode != 200 || body != "" || resp.ContentLength != 2 {
		t.Errorf("HEAD: %d %q length %d", resp.StatusCode, body, resp.ContentLength)
	}
}

// chunkedReader hides its length, so net/http sends it chunked.
type chunkedReader struct{ r io.Reader }

func (c chunkedReader) Read(p []byte) (int, error) { return c.r.Read(p) }

func sum(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

func TestProxyBodies(t *testing.T) {
	a := echoUpstream(t, "a")
	chunks := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		for i := range 50 {
			fmt.Fprintf(w, "chunk %d\n", i)
			w.(http.Flusher).Flush()
		}
	}))
	t.Cleanup(chunks.Close)
	d, _ := serveSite(t, "-proxy", "/echo="+a.URL, "-proxy", "/chunks="+chunks.URL)
	body := bytes.Repeat([]byte("post body "), 30000) // 300 kB
	for _, tt := range []struct {
		name    string
		r       io.Reader
		chunked bool
	}{
		{"content-length", bytes.NewReader(body), false},
		{"chunked", chunkedReader{bytes.NewReader(body)}, true},
	} {
		resp, e := getEcho(t, newRequest(t, "POST", d.url("/echo/post"), tt.r))
		if resp.StatusCode != 200 || e.Method != "POST" || e.BodyLen != int64(len(body)) || e.BodySum != sum(body) || e.Chunked != tt.chunked {
			t.Errorf("%s: %d %s %d bytes chunked=%v", tt.name, resp.StatusCode, e.Method, e.BodyLen, e.Chunked)
		}
	}
	for _, m := range []string{"PUT", "PATCH", "DELETE", "OPTIONS"} {
		resp, e := getEcho(t, newRequest(t, m, d.url("/echo/m"), strings.NewReader("x")))
		if resp.StatusCode != 200 || e.Method != m || e.BodyLen != 1 {
			t.Errorf("%s: %d %s %d", m, resp.StatusCode, e.Method, e.BodyLen)
		}
	}
	resp, e := getEcho(t, newRequest(t, "POST", d.url("/echo/empty"), nil))
	if resp.StatusCode != 200 || e.BodyLen != 0 || e.Header.Get("Content-Length") != "0" {
		t.Errorf("empty POST: %d %d %q", resp.StatusCode, e.BodyLen, e.Header.Get("Content-Length"))
	}
	// A chunked response comes back chunked, whole.
	resp, got := get(t, "GET", d.url("/chunks"))
	var want strings.Builder
	for i := range 50 {
		fmt.Fprintf(&want, "chunk %d\n", i)
	}
	if resp.StatusCode != 200 || got != want.String() || len(resp.TransferEncoding) == 0 {
		t.Errorf("chunked response: %d %v %q", resp.StatusCode, resp.TransferEncoding, got)
	}
	// Expect: 100-continue is answered by evhttpd, the body forwarded.
	r := rawRequestExpect(t, d.addr(), "/echo/expect", "abc")
	if err := json.Unmarshal([]byte(r.body), &e); err != nil || e.BodyLen != 3 {
		t.Errorf("100-continue: %d %q", r.code, r.body)
	}
	// A body over -max-body is refused before it reaches the upstream.
	small, _ := serveSite(t, "-proxy", "/echo="+a.URL, "-max-body", "10")
	resp, _ = get(t, "GET", small.url("/echo/x"))
	if resp.StatusCode != 200 {
		t.Errorf("GET with -max-body 10: %d", resp.StatusCode)
	}
	tr := &http.Transport{}
	defer tr.CloseIdleConnections()
	resp, err := (&http.Client{Transport: tr}).Post(small.url("/echo/big"), "text/plain", strings.NewReader(strings.Repeat("x", 11)))
	if err != nil || resp.StatusCode != 413 {
		t.Errorf("POST over -max-body: %v %v", resp, err)
	}
	if resp != nil {
		resp.Body.Close()
	}
}

// rawRequestExpect sends a POST with "Expect: 100-continue", waits for
// the 100, sends body and reads the final reply.
func rawRequestExpect(t *testing.T, addr, path, body string) rawResponse {
	t.Helper()
	c, err := net.DialTimeout("tcp", addr, 10*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(20 * time.Second))
	fmt.Fprintf(c, "POST %s HTTP/1.1\r\nHost: h\r\nContent-Length: %d\r\nExpect: 100-continue\r\nConnection: close\r\n\r\n", path, len(body))
	br := bufio.NewReader(c)
	line, err := br.ReadString('\n')
	if err != nil || !strings.HasPrefix(line, "HTTP/1.1 100 ") {
		t.Fatalf("interim: %q %v", line, err)
	}
	if l, _ := br.ReadString('\n'); l != "\r\n" {
		t.Fatalf("after the 100: %q", l)
	}
	io.WriteString(c, body)
	resp, err := http.ReadResponse(br, nil)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	return rawResponse{code: resp.StatusCode, body: string(b)}
}

func TestProxyFailures(t *testing.T) {
	dead, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	deadURL := "http://" + dead.Addr().String()
	dead.Close() // nothing listens there now
	hang := make(chan struct{})
	silent := rawUpstream(t, func(c net.Conn, _ *bufio.Reader, _ *http.Request) bool {
		<-hang
		return false
	})
	t.Cleanup(func() { close(hang) }) // before rawUpstream's cleanup waits
	garbage := rawUpstream(t, func(c net.Conn, _ *bufio.Reader, _ *http.Request) bool {
		io.WriteString(c, "this is not HTTP\r\n\r\n")
		return false
	})
	reset := rawUpstream(t, func(c net.Conn, _ *bufio.Reader, _ *http.Request) bool {
		c.(*net.TCPConn).SetLinger(0) // RST, not FIN
		return false
	})
	cut := rawUpstream(t, func(c net.Conn, _ *bufio.Reader, _ *http.Request) bool {
		io.WriteString(c, "HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\n"+strings.Repeat("x", 5000))
		return false
	})
	logPath := filepath.Join(t.TempDir(), "access.log")
	d, _ := serveSite(t, "-timeout", "1s", "-status", "/.status", "-access-log", logPath,
		"-proxy", "/refused="+deadURL, "-proxy", "/silent="+silent, "-proxy", "/garbage="+garbage,
		"-proxy", "/reset="+reset, "-proxy", "/cut="+cut)
	for _, tt := range []struct {
		path string
		code int
	}{
		{"/refused", 502},
		{"/garbage", 502},
		{"/reset", 502},
		{"/silent", 504},
	} {
		start := time.Now()
		resp, _ := get(t, "GET", d.url(tt.path))
		if resp.StatusCode != tt.code {
			t.Errorf("GET %s: %d, want %d", tt.path, resp.StatusCode, tt.code)
		}
		if el := time.Since(start); tt.code == 504 && el < 900*time.Millisecond {
			t.Errorf("504 after %v, before the 1s timeout", el)
		}
	}
	// After the reply started, a failure cuts the client's connection.
	resp, err := http.Get(d.url("/cut"))
	if err != nil {
		t.Fatal(err)
	}
	n, err := io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || err == nil || n >= 100000 {
		t.Errorf("cut reply: %d, %d bytes, err %v: want a short body and an error", resp.StatusCode, n, err)
	}
	var st struct {
		UpstreamErrors int64            `json:"upstream_errors"`
		ByCode         map[string]int64 `json:"requests_by_code"`
	}
	_, body := get(t, "GET", d.url("/.status"))
	if err := json.Unmarshal([]byte(body), &st); err != nil {
		t.Fatal(err)
	}
	if st.UpstreamErrors != 5 || st.ByCode["502"] != 3 || st.ByCode["504"] != 1 {
		t.Errorf("status: %s", body)
	}
	logged, _ := os.ReadFile(logPath)
	for _, re := range []string{
		`"GET /refused HTTP/1\.1" 502 `, `"GET /silent HTTP/1\.1" 504 `, `"GET /cut HTTP/1\.1" 200 5000 `,
	} {
		if !regexp.MustCompile(re).Match(logged) {
			t.Errorf("access log lacks %s:\n%s", re, logged)
		}
	}
}

// TestProxyClientGone checks that a client leaving in the middle of a
// download cancels the upstream request.
func TestProxyClientGone(t *testing.T) {
	cancelled := make(chan struct{})
	var once sync.Once
	up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		chunk := bytes.Repeat([]byte("z"), 64<<10)
		for {
			if _, err := w.Write(chunk); err != nil {
				once.Do(func() { close(cancelled) })
				return
			}
			w.(http.Flusher).Flush()
			select {
			case <-r.Context().Done():
				once.Do(func() { close(cancelled) })
				return
			default:
			}
		}
	}))
	t.Cleanup(up.Close)
	d, _ := serveSite(t, "-proxy", "/stream="+up.URL)
	c, err := net.Dial("tcp", d.addr())
	if err != nil {
		t.Fatal(err)
	}
	io.WriteString(c, "GET /stream HTTP/1.1\r\nHost: h\r\n\r\n")
	if _, err := io.ReadFull(c, make([]byte, 1<<20)); err != nil {
		t.Fatal(err)
	}
	c.Close()
	select {
	case <-cancelled:
	case <-time.After(20 * time.Second):
		t.Fatal("the upstream request was not cancelled 20s after the client left")
	}
}

// zeros is an endless reader of zero bytes.
type zeros struct{}

func (zeros) Read(p []byte) (int, error) {
	clear(p)
	return len(p), nil
}

// watchRSS samples a process's RSS until stop is called, which returns
// the peak.
func watchRSS(t *testing.T, pid int) (stop func() int64) {
	var peak int64
	done, sampled := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(sampled)
		for {
			if r := rss(t, pid); r > peak {
				peak = r
			}
			select {
			case <-done:
				return
			case <-time.After(20 * time.Millisecond): // sampling interval
			}
		}
	}()
	return func() int64 { close(done); <-sampled; return peak }
}

// TestProxyLargeTransfer uploads and downloads 1 GiB (64 MiB under
// -short) through the proxy while watching the daemon's RSS, which must
// stay flat: bodies stream, they never sit in memory.
func TestProxyLargeTransfer(t *testing.T) {
	size := int64(1 << 30)
	if testing.Short() {
		size = 64 << 20
	}
	up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == "PUT" {
			n, err := io.Copy(io.Discard, r.Body)
			fmt.Fprintf(w, "%d %v", n, err)
			return
		}
		w.Header().Set("Content-Length", strconv.FormatInt(size, 10))
		io.Copy(w, io.LimitReader(zeros{}, size))
	}))
	t.Cleanup(up.Close)
	d, _ := serveSite(t, "-loops", "1", "-max-body", strconv.FormatInt(size, 10), "-proxy", "/big="+up.URL)
	pid := d.cmd.Process.Pid
	tr := &http.Transport{DisableCompression: true}
	defer tr.CloseIdleConnections()
	client := &http.Client{Transport: tr}
	get(t, "GET", d.url("/hello.txt")) // warm up
	base := rss(t, pid)

	stop := watchRSS(t, pid)
	resp, err := client.Get(d.url("/big/down"))
	if err != nil {
		t.Fatal(err)
	}
	n, err := io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	peak := stop()
	if err != nil || n != size {
		t.Fatalf("downloaded %d of %d bytes: %v", n, size, err)
	}
	if growth := peak - base; growth > 48<<20 {
		t.Errorf("download: RSS grew by %d MiB (from %d MiB) for %d MiB", growth>>20, base>>20, size>>20)
	}
	t.Logf("download: RSS %d MiB at start, peak %d MiB, %d MiB moved", base>>20, peak>>20, size>>20)

	stop = watchRSS(t, pid)
	req := newRequest(t, "PUT", d.url("/big/up"), io.LimitReader(zeros{}, size))
	req.ContentLength = size
	resp, err = client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	peak = stop()
	if resp.StatusCode != 200 || string(b) != fmt.Sprintf("%d <nil>", size) {
		t.Fatalf("upload: %d %q", resp.StatusCode, b)
	}
	if growth := peak - base; growth > 48<<20 {
		t.Errorf("upload: RSS grew by %d MiB (from %d MiB) for %d MiB", growth>>20, base>>20, size>>20)
	}
	t.Logf("upload: RSS %d MiB at start, peak %d MiB, %d MiB moved", base>>20, peak>>20, size>>20)
}
