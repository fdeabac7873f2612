package evhttp

import (
	"bufio"
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/goevent/goevent/bufferevent"
	"github.com/goevent/goevent/core"
	"github.com/goevent/goevent/internal/basetest"
	"github.com/goevent/goevent/ssl"
)

// adapterPair serves one http.Handler twice: through a HandlerAdapter on
// an evhttp Server and on net/http's own httptest.Server.
type adapterPair struct {
	ev, std string // base URLs
	evAddr  string // host:port of the evhttp Server
	client  *http.Client
}

// adapterStart serves h through a HandlerAdapter (cfg) on a test Server
// with a streamed-body catch-all route, and on an httptest.Server.
func adapterStart(t *testing.T, h http.Handler, cfg *AdapterConfig) *adapterPair {
	t.Helper()
	a := NewHandlerAdapter(h, cfg)
	ts := startServer(t, &Config{MaxBodySize: -1}, func(s *Server) {
		s.SetAllowedMethods("GET", "HEAD", "POST", "PUT", "DELETE", "OPTIONS", "PATCH")
		s.SetGenCallbackWith(a.Serve, RouteOptions{StreamBody: true})
	})
	std := httptest.NewServer(h)
	t.Cleanup(std.Close)
	tr := &http.Transport{DisableCompression: true}
	t.Cleanup(tr.CloseIdleConnections)
	client := &http.Client{
		Transport:     tr,
		Timeout:       30 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	return &adapterPair{ev: "http://" + ts.addr, std: std.URL, evAddr: ts.addr, client: client}
}

// adapterResult is what a comparison looks at: status, headers but Date,
// body.
type adapterResult struct {
	code   int
	header http.Header
	body   string
}

func (p *adapterPair) do(t *testing.T, base, method, path string, hdr map[string]string, body string) *adapterResult {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, base+path, rd)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	resp, err := p.client.Do(req)
	if err != nil {
		t.Fatalf("%s %s%s: %v", method, base, path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("%s %s%s: reading body: %v", method, base, path, err)
	}
	h := resp.Header.Clone()
	h.Del("Date")
	if resp.TransferEncoding != nil {
		h["Transfer-Encoding"] = resp.TransferEncoding
	}
	return &adapterResult{code: resp.StatusCode, header: h, body: string(b)}
}

// compare sends the same request to both servers and fails on any
// difference in status, headers (but Date) or body.
func (p *adapterPair) compare(t *testing.T, method, path string, hdr map[string]string, body string) *adapterResult {
	t.Helper()
	got := p.do(t, p.ev, method, path, hdr, body)
	want := p.do(t, p.std, method, path, hdr, body)
	if got.code != want.code {
		t.Errorf("%s %s: status %d, net/http %d", method, path, got.code, want.code)
	}
	if !reflect.DeepEqual(got.header, want.header) {
		t.Errorf("%s %s: header\n%v\nnet/http\n%v", method, path, got.header, want.header)
	}
	if got.body != want.body {
		t.Errorf("%s %s: body %q, net/http %q", method, path, adapterShorten(got.body), adapterShorten(want.body))
	}
	return got
}

func adapterShorten(s string) string {
	if len(s) > 200 {
		return s[:200] + "..."
	}
	return s
}

// adapterFiles fills a temporary directory for http.FileServer.
func adapterFiles(t *testing.T) (dir string, big []byte) {
	t.Helper()
	dir = t.TempDir()
	big = make([]byte, 300<<10)
	rand.Read(big)
	files := map[string][]byte{
		"index.html":     []byte("<html><body>home</body></html>\n"),
		"a.txt":          []byte("hello, file server\n"),
		"big.bin":        big,
		"sub/inner.txt":  []byte("inner\n"),
		"list/one.txt":   []byte("1"),
		"list/two.json":  []byte(`{"n":2}`),
		"noext/mystery":  []byte("%PDF-1.4 not really"),
		"sub/index.html": []byte("<p>sub index</p>"),
	}
	for name, b := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir, big
}

func TestAdapterFileServer(t *testing.T) {
	dir, big := adapterFiles(t)
	p := adapterStart(t, http.FileServer(http.Dir(dir)), nil)
	mod := p.do(t, p.std, "GET", "/a.txt", nil, "").header.Get("Last-Modified")
	cases := []struct {
		name, method, path string
		hdr                map[string]string
		code               int
	}{
		{"small file", "GET", "/a.txt", nil, 200},
		{"large file", "GET", "/big.bin", nil, 200},
		{"range", "GET", "/big.bin", map[string]string{"Range": "bytes=100-4195"}, 206},
		{"suffix range", "GET", "/a.txt", map[string]string{"Range": "bytes=-5"}, 206},
		{"unsatisfiable range", "GET", "/a.txt", map[string]string{"Range": "bytes=5000-"}, 416},
		{"if-modified-since", "GET", "/a.txt", map[string]string{"If-Modified-Since": mod}, 304},
		{"head", "HEAD", "/big.bin", nil, 200},
		{"index", "GET", "/", nil, 200},
		{"sub index", "GET", "/sub/", nil, 200},
		{"directory redirect", "GET", "/sub", nil, 301},
		{"index.html redirect", "GET", "/index.html", nil, 301},
		{"listing", "GET", "/list/", nil, 200},
		{"sniffed type", "GET", "/noext/mystery", nil, 200},
		{"not found", "GET", "/nope", nil, 404},
		{"escaped path", "GET", "/sub/inner%2Etxt", nil, 200},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := p.compare(t, tc.method, tc.path, tc.hdr, "")
			if got.code != tc.code {
				t.Errorf("status %d, want %d", got.code, tc.code)
			}
		})
	}
	if got := p.do(t, p.ev, "GET", "/big.bin", nil, ""); got.body != string(big) {
		t.Errorf("big.bin: %d bytes differ from the file", len(got.body))
	}
}

// adapterJSON is a small JSON API: it decodes a request body and answers
// with a computed document.
func adapterJSON(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Name  string `json:"name"`
		Items []int  `json:"items"`
	}
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", "POST")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	if err := json.NewDecoder(r.Body).Decode(&in); err != nil {
		http.Error(w, "bad json: "+err.Error(), http.StatusBadRequest)
		return
	}
	sum := 0
	for _, v := range in.Items {
		sum += v
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Add("X-Multi", "a")
	w.Header().Add("X-Multi", "b")
	json.NewEncoder(w).Encode(map[string]any{"hello": in.Name, "sum": sum, "count": len(in.Items)})
}

func TestAdapterJSON(t *testing.T) {
	p := adapterStart(t, http.HandlerFunc(adapterJSON), nil)
	items := make([]string, 5000)
	for i := range items {
		items[i] = fmt.Sprint(i)
	}
	bodies := map[string]string{
		"small":   `{"name":"gopher","items":[1,2,3]}`,
		"large":   `{"name":"big","items":[` + strings.Join(items, ",") + `]}`,
		"invalid": `{"name":`,
	}
	for name, body := range bodies {
		t.Run(name, func(t *testing.T) {
			p.compare(t, "POST", "/api", map[string]string{"Content-Type": "application/json"}, body)
		})
	}
	t.Run("wrong method", func(t *testing.T) { p.compare(t, "GET", "/api", nil, "") })
	got := p.do(t, p.ev, "POST", "/api", nil, bodies["large"])
	if want := `{"count":5000,"hello":"big","sum":12497500}` + "\n"; got.body != want {
		t.Errorf("large: %q, want %q", got.body, want)
	}
}

// TestAdapterResponseShapes compares the framing and header rules of
// net/http: implicit 200, sniffing, Content-Length for small bodies,
// chunked for large ones, declared lengths, bodiless statuses.
func TestAdapterResponseShapes(t *testing.T) {
	mux := http.NewServeMux()
	mux.HandleFunc("/empty", func(w http.ResponseWriter, r *http.Request) {})
	mux.HandleFunc("/sniff-html", func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "<!DOCTYPE html><p>x") })
	mux.HandleFunc("/sniff-bin", func(w http.ResponseWriter, r *http.Request) { w.Write([]byte{0, 1, 2, 3}) })
	mux.HandleFunc("/large", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain")
		for i := 0; i < 1000; i++ {
			fmt.Fprintf(w, "line %d\n", i)
		}
	})
	mux.HandleFunc("/declared", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Length", "5000")
		w.Header().Set("Content-Type", "text/plain")
		w.Write(bytes.Repeat([]byte("z"), 5000))
	})
	mux.HandleFunc("/too-long", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Length", "3")
		w.Header().Set("Content-Type", "text/plain")
		w.Write([]byte("abc"))
		if _, err := w.Write([]byte("def")); err != http.ErrContentLength {
			panic(fmt.Sprintf("Write beyond Content-Length: %v", err))
		}
		w.Header().Set("X-Ignored", "after WriteHeader")
	})
	mux.HandleFunc("/nocontent", func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusNoContent)
		if _, err := w.Write([]byte("x")); err != http.ErrBodyNotAllowed {
			panic(fmt.Sprintf("Write on 204: %v", err))
		}
	})
	mux.HandleFunc("/created", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Location", "/there")
		w.WriteHeader(http.StatusCreated)
		w.WriteHeader(http.StatusTeapot) // superfluous, ignored
		io.WriteString(w, "made")
	})
	mux.HandleFunc("/cookies", func(w http.ResponseWriter, r *http.Request) {
		http.SetCookie(w, &http.Cookie{Name: "a", Value: "1"})
		http.SetCookie(w, &http.Cookie{Name: "b", Value: "2"})
		io.WriteString(w, "ok")
	})
	var logs bytes.Buffer
	var mu sync.Mutex
	logger := slog.New(slog.NewTextHandler(adapterLockedWriter{&mu, &logs}, nil))
	p := adapterStart(t, mux, &AdapterConfig{ErrorLog: logger})
	for _, path := range []string{"/empty", "/sniff-html", "/sniff-bin", "/large", "/declared", "/too-long", "/nocontent", "/created", "/cookies"} {
		t.Run(path, func(t *testing.T) {
			p.compare(t, "GET", path, nil, "")
			if path != "/empty" {
				// A HEAD answered with nothing written gets
				// "Content-Length: 0" from evhttp, none from net/http.
				p.compare(t, "HEAD", path, nil, "")
			}
		})
	}
	if got := p.do(t, p.ev, "GET", "/large", nil, ""); got.header.Get("Transfer-Encoding") != "chunked" {
		t.Errorf("/large: %v, want chunked", got.header)
	}
	mu.Lock()
	defer mu.Unlock()
	if !strings.Contains(logs.String(), "superfluous WriteHeader") {
		t.Errorf("superfluous WriteHeader not logged: %q", logs.String())
	}
}

type adapterLockedWriter struct {
	mu *sync.Mutex
	w  io.Writer
}

func (l adapterLockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

// adapterDump answers with the fields of the *http.Request it got, after
// reading the body (so Trailer is filled in).
func adapterDump(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(r.Body)
	host, _, _ := net.SplitHostPort(r.RemoteAddr)
	d := map[string]any{
		"method": r.Method, "url": r.URL.String(), "urlHost": r.URL.Host, "scheme": r.URL.Scheme,
		"path": r.URL.Path, "rawQuery": r.URL.RawQuery, "proto": r.Proto, "minor": r.ProtoMinor,
		"header": r.Header, "host": r.Host, "contentLength": r.ContentLength, "te": r.TransferEncoding,
		"trailer": r.Trailer, "requestURI": r.RequestURI, "remoteHost": host, "close": r.Close,
		"body": string(body), "bodyErr": fmt.Sprint(err), "tls": r.TLS != nil,
		"localAddr": r.Context().Value(http.LocalAddrContextKey) != nil,
	}
	json.NewEncoder(w).Encode(d)
}

// adapterRaw sends raw to addr and returns the first response's body.
func adapterRaw(t *testing.T, addr, raw string) (*http.Response, string) {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(20 * time.Second))
	if _, err := io.WriteString(c, raw); err != nil {
		t.Fatal(err)
	}
	resp, err := http.ReadResponse(bufio.NewReader(c), nil)
	if err != nil {
		t.Fatalf("reading the response to %q: %v", raw, err)
	}
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("reading the body: %v", err)
	}
	return resp, string(b)
}

func TestAdapterRequestFields(t *testing.T) {
	p := adapterStart(t, http.HandlerFunc(adapterDump), nil)
	stdAddr := strings.TrimPrefix(p.std, "http://")
	reqs := map[string]string{
		"origin-form": "GET /a/b%20c?x=1&y=%41 HTTP/1.1\r\nHost: example.com:8080\r\nX-Multi: one\r\nx-multi: two\r\n" +
			"accept-encoding: gzip\r\nPragma: no-cache\r\n\r\n",
		"absolute-form":  "GET http://other.example/p?q HTTP/1.1\r\nHost: ignored.example\r\n\r\n",
		"content-length": "POST /post HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\nContent-Type: text/plain\r\n\r\nhello",
		"chunked with trailer": "POST /up HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\nTrailer: X-Sum, X-Other\r\n\r\n" +
			"5\r\nhello\r\n6\r\n world\r\n0\r\nX-Sum: 42\r\nx-other: o\r\n\r\n",
		"http/1.0":  "GET /old HTTP/1.0\r\nHost: h\r\n\r\n",
		"close":     "GET /c HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n",
		"empty put": "PUT /e HTTP/1.1\r\nHost: h\r\nContent-Length: 0\r\n\r\n",
	}
	for name, raw := range reqs {
		t.Run(name, func(t *testing.T) {
			_, got := adapterRaw(t, p.evAddr, raw)
			_, want := adapterRaw(t, stdAddr, raw)
			var g, w map[string]any
			if err := json.Unmarshal([]byte(got), &g); err != nil {
				t.Fatalf("adapter answered %q: %v", got, err)
			}
			if err := json.Unmarshal([]byte(want), &w); err != nil {
				t.Fatalf("net/http answered %q: %v", want, err)
			}
			if !reflect.DeepEqual(g, w) {
				keys := make([]string, 0, len(w))
				for k := range w {
					if !reflect.DeepEqual(g[k], w[k]) {
						keys = append(keys, k)
					}
				}
				sort.Strings(keys)
				for _, k := range keys {
					t.Errorf("%s: adapter %v, net/http %v", k, g[k], w[k])
				}
			}
		})
	}
}

func TestAdapterStreamingFlush(t *testing.T) {
	step := make(chan struct{})
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain")
		for i := 0; i < 3; i++ {
			fmt.Fprintf(w, "tick %d\n", i)
			w.(http.Flusher).Flush()
			if r.URL.Query().Get("wait") != "" {
				select {
				case <-step:
				case <-r.Context().Done():
					return
				}
			}
		}
	})
	p := adapterStart(t, h, nil)
	p.compare(t, "GET", "/stream", nil, "")

	resp, err := p.client.Get(p.ev + "/stream?wait=1")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.TransferEncoding == nil || resp.TransferEncoding[0] != "chunked" {
		t.Errorf("Transfer-Encoding %v, want chunked", resp.TransferEncoding)
	}
	br := bufio.NewReader(resp.Body)
	for i := 0; i < 3; i++ {
		// Each line arrives while the handler waits: Flush sent it.
		line, err := br.ReadString('\n')
		if err != nil || line != fmt.Sprintf("tick %d\n", i) {
			t.Fatalf("line %d: %q, %v", i, line, err)
		}
		step <- struct{}{}
	}
	if rest, err := io.ReadAll(br); err != nil || len(rest) != 0 {
		t.Errorf("after the lines: %q, %v", rest, err)
	}
}

// TestAdapterSlowUpload sends a large chunked body to a handler that reads
// it slowly: the body waiting in the adapter stays within its bound, and
// the whole upload arrives intact.
func TestAdapterSlowUpload(t *testing.T) {
	size := 16 << 20
	if testing.Short() || raceEnabled {
		size = 4 << 20
	}
	const bodyBuf = 32 << 10
	var mu sync.Mutex
	var peak int
	var tracked *adapterBody
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, ok := r.Body.(*adapterBody)
		if ok {
			mu.Lock()
			tracked = b
			mu.Unlock()
		}
		hash := sha256.New()
		buf := make([]byte, 16<<10)
		n := 0
		for {
			k, err := r.Body.Read(buf)
			hash.Write(buf[:k])
			n += k
			if n%(1<<20) < k {
				time.Sleep(5 * time.Millisecond) // a slow consumer
			}
			if ok {
				b.mu.Lock()
				mu.Lock()
				if b.peak > peak {
					peak = b.peak
				}
				mu.Unlock()
				b.mu.Unlock()
			}
			if err == io.EOF {
				break
			}
			if err != nil {
				http.Error(w, err.Error(), 500)
				return
			}
		}
		fmt.Fprintf(w, "%d %x", n, hash.Sum(nil))
	})
	p := adapterStart(t, h, &AdapterConfig{BodyBufferSize: bodyBuf})
	body := make([]byte, size)
	rand.Read(body)
	pr, pw := io.Pipe()
	go func() {
		for off := 0; off < len(body); off += 64 << 10 {
			if _, err := pw.Write(body[off : off+64<<10]); err != nil {
				return
			}
		}
		pw.Close()
	}()
	req, _ := http.NewRequest("POST", p.ev+"/upload", pr)
	req.ContentLength = -1
	resp, err := p.client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if want := fmt.Sprintf("%d %x", size, sha256.Sum256(body)); string(got) != want {
		t.Fatalf("got %q, want %q", got, want)
	}
	mu.Lock()
	defer mu.Unlock()
	if tracked == nil {
		t.Fatal("the handler's body is not the adapter's")
	}
	// The loop hands over at most one stream buffer (256 KiB) beyond the
	// bound before it pauses.
	if limit := bodyBuf + 256<<10; peak > limit || peak == 0 {
		t.Errorf("peak buffered body %d bytes, want in (0, %d]", peak, limit)
	}
}

func TestAdapterHijack(t *testing.T) {
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		conn, rw, err := w.(http.Hijacker).Hijack()
		if err != nil {
			http.Error(w, err.Error(), 500)
			return
		}
		defer conn.Close()
		if _, _, err := w.(http.Hijacker).Hijack(); err != http.ErrHijacked {
			fmt.Fprintf(rw, "second Hijack: %v\n", err)
		}
		if _, err := w.Write([]byte("x")); err != http.ErrHijacked {
			fmt.Fprintf(rw, "Write after Hijack: %v\n", err)
		}
		// The client sent its first line with the request head: it is
		// already buffered and must be readable.
		for i := 0; i < 2; i++ {
			line, err := rw.ReadString('\n')
			if err != nil {
				return
			}
			fmt.Fprintf(rw, "echo %s", line)
			rw.Flush()
		}
	})
	p := adapterStart(t, h, nil)
	c, err := net.Dial("tcp", p.evAddr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(20 * time.Second))
	io.WriteString(c, "GET /hijack HTTP/1.1\r\nHost: h\r\n\r\nfirst\n")
	br := bufio.NewReader(c)
	if line, err := br.ReadString('\n'); line != "echo first\n" {
		t.Fatalf("first echo: %q, %v", line, err)
	}
	io.WriteString(c, "second\n")
	if line, err := br.ReadString('\n'); line != "echo second\n" {
		t.Fatalf("second echo: %q, %v", line, err)
	}
	if rest, err := io.ReadAll(br); err != nil || len(rest) != 0 {
		t.Errorf("after the echoes: %q, %v", rest, err)
	}
}

func TestAdapterPanic(t *testing.T) {
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/late" {
			io.WriteString(w, "partial")
			w.(http.Flusher).Flush()
		}
		if r.URL.Path == "/abort" {
			panic(http.ErrAbortHandler)
		}
		panic("handler bug")
	})
	var logs bytes.Buffer
	var mu sync.Mutex
	logger := slog.New(slog.NewTextHandler(adapterLockedWriter{&mu, &logs}, nil))
	p := adapterStart(t, h, &AdapterConfig{ErrorLog: logger})

	got := p.do(t, p.ev, "GET", "/early", nil, "")
	if got.code != 500 {
		t.Errorf("panic before writing: status %d, want 500", got.code)
	}
	resp, err := p.client.Get(p.ev + "/late")
	if err != nil {
		t.Fatal(err)
	}
	b, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err == nil {
		t.Errorf("panic after flushing: body %q read without error, want the connection aborted", b)
	}
	if _, err := p.client.Get(p.ev + "/abort"); err != nil {
		t.Logf("ErrAbortHandler: %v", err)
	}
	// The server still answers.
	if got := p.do(t, p.ev, "GET", "/early", nil, ""); got.code != 500 {
		t.Errorf("after the panics: status %d", got.code)
	}
	mu.Lock()
	defer mu.Unlock()
	if n := strings.Count(logs.String(), "handler bug"); n != 3 {
		t.Errorf("%d panics logged, want 3:\n%s", n, logs.String())
	}
	if strings.Contains(logs.String(), "abort handler") {
		t.Errorf("ErrAbortHandler was logged:\n%s", logs.String())
	}
}

func TestAdapterContextCancel(t *testing.T) {
	started := make(chan struct{}, 1)
	cause := make(chan error, 1)
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		started <- struct{}{}
		select {
		case <-r.Context().Done():
			cause <- context.Cause(r.Context())
		case <-time.After(20 * time.Second):
			cause <- errors.New("context not cancelled")
		}
	})
	p := adapterStart(t, h, nil)
	c, err := net.Dial("tcp", p.evAddr)
	if err != nil {
		t.Fatal(err)
	}
	io.WriteString(c, "GET /wait HTTP/1.1\r\nHost: h\r\n\r\n")
	<-started
	// Leave with a reset: a FIN alone is a half-close after which the
	// server still owes the reply.
	c.(*net.TCPConn).SetLinger(0)
	c.Close()
	if err := <-cause; err == nil || err.Error() == "context not cancelled" {
		t.Fatalf("cause %v, want the connection's end", err)
	}
}

func TestAdapterQueueFull(t *testing.T) {
	release := make(chan struct{})
	started := make(chan struct{}, 1)
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/block" {
			started <- struct{}{}
			<-release
		}
		io.WriteString(w, "done")
	})
	p := adapterStart(t, h, &AdapterConfig{Workers: 1, QueueSize: -1})
	blocked := make(chan string, 1)
	go func() {
		resp, err := p.client.Get(p.ev + "/block")
		if err != nil {
			blocked <- err.Error()
			return
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		blocked <- string(b)
	}()
	<-started
	// The only worker is busy and there is no queue.
	if got := p.do(t, p.ev, "GET", "/refused", nil, ""); got.code != 503 {
		t.Errorf("with the worker busy: status %d, want 503", got.code)
	}
	close(release)
	if got := <-blocked; got != "done" {
		t.Errorf("blocked request: %q", got)
	}
	if got := p.do(t, p.ev, "GET", "/after", nil, ""); got.code != 200 {
		t.Errorf("after the worker is free: status %d", got.code)
	}
}

// adapterCurl runs curl with args and returns its stdout.
func adapterCurl(t *testing.T, curl string, args ...string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, curl, append([]string{"-sS"}, args...)...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("curl %v: %v\n%s", args, err, stderr.String())
	}
	return string(out)
}

func TestAdapterCurl(t *testing.T) {
	curl := basetest.RequirePeer(t, "curl")
	dir, _ := adapterFiles(t)
	mux := http.NewServeMux()
	mux.Handle("/files/", http.StripPrefix("/files", http.FileServer(http.Dir(dir))))
	mux.HandleFunc("/api", adapterJSON)
	mux.HandleFunc("/digest", func(w http.ResponseWriter, r *http.Request) {
		h := sha256.New()
		n, err := io.Copy(h, r.Body)
		if err != nil {
			http.Error(w, err.Error(), 400)
			return
		}
		fmt.Fprintf(w, "%d %x", n, h.Sum(nil))
	})
	p := adapterStart(t, mux, nil)
	path, body := randomFile(t, 1<<20)
	runs := [][]string{
		{"-i", "/files/a.txt"},
		{"-i", "-r", "2-7", "/files/a.txt"},
		{"-I", "/files/big.bin"},
		{"-i", "/files/sub"},
		{"-i", "-H", "Content-Type: application/json", "--data-binary", `{"name":"curl","items":[4,5]}`, "/api"},
		{"-H", "Transfer-Encoding: chunked", "--data-binary", "@" + path, "/digest"},
	}
	for _, args := range runs {
		last := len(args) - 1
		withURL := func(base string) []string {
			a := append([]string(nil), args...)
			a[last] = base + a[last]
			return a
		}
		got := adapterCurl(t, curl, withURL(p.ev)...)
		want := adapterCurl(t, curl, withURL(p.std)...)
		if adapterNoDate(got) != adapterNoDate(want) {
			t.Errorf("curl %v:\n%q\nnet/http:\n%q", args, adapterShorten(got), adapterShorten(want))
		}
	}
	if got, want := adapterCurl(t, curl, "-H", "Transfer-Encoding: chunked", "--data-binary", "@"+path, p.ev+"/digest"),
		fmt.Sprintf("%d %x", len(body), sha256.Sum256(body)); got != want {
		t.Errorf("chunked upload: %q, want %q", got, want)
	}
}

// adapterNoDate normalises what curl printed: the header lines of a
// response head are sorted, case-folded and rid of Date (the servers order
// them differently); the body is kept as is.
func adapterNoDate(s string) string {
	head, body, found := strings.Cut(s, "\r\n\r\n")
	if !found || !strings.HasPrefix(head, "HTTP/") {
		return s
	}
	lines := strings.Split(head, "\r\n")
	out := []string{lines[0]}
	for _, l := range lines[1:] {
		if l = strings.ToLower(l); !strings.HasPrefix(l, "date:") {
			out = append(out, l)
		}
	}
	sort.Strings(out[1:])
	return strings.Join(out, "\n") + "\n\n" + body
}

func TestAdapterTLS(t *testing.T) {
	cert := adapterCert(t)
	a := NewHandlerAdapter(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.TLS == nil {
			http.Error(w, "no TLS state", 500)
			return
		}
		fmt.Fprintf(w, "%s %s", tls.VersionName(r.TLS.Version), r.TLS.ServerName)
	}), nil)
	ts := startServer(t, nil, func(s *Server) {
		s.SetBevCallback(func(base *core.Base, fd int) (*bufferevent.BufferEvent, error) {
			return ssl.NewServer(base, fd, &tls.Config{Certificates: []tls.Certificate{cert}}, bufferevent.CloseOnFree)
		})
		s.SetGenCallbackWith(a.Serve, RouteOptions{StreamBody: true})
	})
	tr := &http.Transport{TLSClientConfig: &tls.Config{InsecureSkipVerify: true, ServerName: "adapter.test"}}
	defer tr.CloseIdleConnections()
	resp, err := (&http.Client{Transport: tr, Timeout: 20 * time.Second}).Get("https://" + ts.addr + "/tls")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || string(b) != "TLS 1.3 adapter.test" {
		t.Errorf("got %d %q", resp.StatusCode, b)
	}
}

// adapterCert makes a self-signed certificate for a TLS test.
func adapterCert(t *testing.T) tls.Certificate {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		Subject:      pkix.Name{CommonName: "adapter.test"},
		DNSNames:     []string{"adapter.test"},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}
}
