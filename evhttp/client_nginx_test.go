package evhttp

import (
	"bytes"
	"compress/gzip"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/goevent/goevent/internal/basetest"
)

// cliNginx is an nginx started by a test on a loopback port.
type cliNginx struct {
	port int
	root string // document root
}

// cliStartNginx runs nginx (basetest.StartNginx) with gzip under /gz/ (so
// responses of unknown length come chunked) and keepalive_requests
// keepAlive.
func cliStartNginx(t *testing.T, keepAlive int) *cliNginx {
	t.Helper()
	ng := basetest.StartNginx(t, basetest.NginxConfig{KeepaliveRequests: keepAlive, GzipPrefix: "/gz/"})
	return &cliNginx{port: ng.Port, root: ng.Root}
}

func TestClientNginxStatic(t *testing.T) {
	ng := cliStartNginx(t, 100)
	big := bytes.Repeat([]byte("0123456789abcdef"), 64<<10) // 1 MiB
	os.WriteFile(filepath.Join(ng.root, "small.txt"), []byte("hello nginx\n"), 0o644)
	os.WriteFile(filepath.Join(ng.root, "big.bin"), big, 0o644)
	base := basetest.New(t)
	c := cliConn(t, base, "127.0.0.1:"+strconv.Itoa(ng.port))
	closes := 0
	c.SetCloseCallback(func(*Connection) { closes++ })
	res := cliRun(t, base, c,
		NewClientRequest("GET", "/small.txt"),
		NewClientRequest("GET", "/big.bin"),
		NewClientRequest("HEAD", "/big.bin"),
		NewClientRequest("GET", "/missing"))
	if r := res[0]; r.err != nil || r.code != 200 || r.body != "hello nginx\n" {
		t.Errorf("small: %d %q %v", r.code, r.body, r.err)
	}
	if r := res[1]; r.err != nil || r.code != 200 || r.body != string(big) {
		t.Errorf("big: %d %d bytes %v", r.code, len(r.body), r.err)
	}
	if r := res[2]; r.err != nil || r.code != 200 || r.body != "" || r.header.Get("Content-Length") != strconv.Itoa(len(big)) {
		t.Errorf("HEAD: %d %q %v", r.code, r.header.Get("Content-Length"), r.err)
	}
	if r := res[3]; r.err != nil || r.code != 404 {
		t.Errorf("missing: %d %v", r.code, r.err)
	}
	if closes != 0 || !c.Connected() {
		t.Errorf("keep-alive: %d closes, connected %v", closes, c.Connected())
	}
	// 304 for a conditional GET: no body, connection kept.
	etag := res[1].header.Get("ETag")
	r := NewClientRequest("GET", "/big.bin")
	r.Header().Set("If-None-Match", etag)
	if res := cliRun(t, base, c, r)[0]; res.err != nil || res.code != 304 || res.body != "" || closes != 0 {
		t.Errorf("conditional: %d %q %v (ETag %q)", res.code, res.body, res.err, etag)
	}
	// A body limit below the file size fails the request and closes.
	c.SetMaxBodySize(1000)
	if res := cliRun(t, base, c, NewClientRequest("GET", "/big.bin"))[0]; !errors.Is(res.err, ErrResponseTooLarge) || c.Connected() {
		t.Errorf("limit: %v connected %v", res.err, c.Connected())
	}
}

func TestClientNginxChunked(t *testing.T) {
	ng := cliStartNginx(t, 100)
	text := strings.Repeat("The quick brown fox jumps over the lazy dog.\n", 20000)
	os.WriteFile(filepath.Join(ng.root, "gz", "text.txt"), []byte(text), 0o644)
	base := basetest.New(t)
	c := cliConn(t, base, "127.0.0.1:"+strconv.Itoa(ng.port))
	var reqs []*ClientRequest
	for i := 0; i < 3; i++ {
		r := NewClientRequest("GET", "/gz/text.txt")
		r.Header().Set("Accept-Encoding", "gzip")
		reqs = append(reqs, r)
	}
	for i, res := range cliRun(t, base, c, reqs...) {
		if res.err != nil || res.code != 200 {
			t.Fatalf("%d: %d %v", i, res.code, res.err)
		}
		if te := res.header.Get("Transfer-Encoding"); te != "chunked" {
			t.Errorf("%d: Transfer-Encoding %q, want chunked (the test needs nginx's gzip)", i, te)
		}
		zr, err := gzip.NewReader(strings.NewReader(res.body))
		if err != nil {
			t.Fatalf("%d: %v", i, err)
		}
		got, err := io.ReadAll(zr)
		if err != nil || string(got) != text {
			t.Fatalf("%d: gunzipped %d bytes, %v", i, len(got), err)
		}
	}
	if !c.Connected() {
		t.Error("connection closed after chunked responses")
	}
}

// TestClientNginxKeepAliveLimit: nginx closes a connection after
// keepalive_requests requests (saying Connection: close on the last
// response). The client must go on with a fresh connection, pipelined
// requests included: those nginx never answered are sent again.
func TestClientNginxKeepAliveLimit(t *testing.T) {
	ng := cliStartNginx(t, 3)
	os.WriteFile(filepath.Join(ng.root, "a.txt"), []byte("a"), 0o644)
	base := basetest.New(t)
	for _, pipelined := range []bool{false, true} {
		c := cliConn(t, base, "127.0.0.1:"+strconv.Itoa(ng.port))
		c.SetPipelining(pipelined)
		closes := 0
		c.SetCloseCallback(func(*Connection) { closes++ })
		const n = 10
		var reqs []*ClientRequest
		for i := 0; i < n; i++ {
			reqs = append(reqs, NewClientRequest("GET", "/a.txt"))
		}
		for i, res := range cliRun(t, base, c, reqs...) {
			if res.err != nil || res.body != "a" {
				t.Fatalf("pipelined %v: request %d: %q %v", pipelined, i, res.body, res.err)
			}
		}
		// 10 requests at 3 per connection: 4 connections, 3 of them
		// closed by nginx.
		if closes != 3 {
			t.Errorf("pipelined %v: %d connection closes, want 3", pipelined, closes)
		}
		c.Close()
	}
	// POSTs with bodies: nginx said "Connection: close" on the third
	// response, so it processed none of the pipelined requests after it,
	// and those are sent again, bodies included, POST or not.
	for _, pipelined := range []bool{false, true} {
		c := cliConn(t, base, "127.0.0.1:"+strconv.Itoa(ng.port))
		c.SetPipelining(pipelined)
		var reqs []*ClientRequest
		for i := 0; i < 5; i++ {
			r := NewClientRequest("POST", "/a.txt")
			r.Body().AddString(strings.Repeat("x", 1000))
			reqs = append(reqs, r)
		}
		for i, res := range cliRun(t, base, c, reqs...) {
			// nginx answers POST to a static file with 405.
			if res.err != nil || res.code != 405 {
				t.Fatalf("pipelined %v: POST %d: %d %v", pipelined, i, res.code, res.err)
			}
		}
		c.Close()
	}
}
