package evhttp

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"fmt"
	"io"
	"os/exec"
	"strings"
	"testing"

	"github.com/goevent/goevent/evbuffer"
	"github.com/goevent/goevent/internal/basetest"
	"github.com/klauspost/compress/zstd"
)

var compressText = strings.Repeat("the quick brown fox jumps over the lazy dog\n", 200)

func compressServer(t *testing.T, cfg *Config) *testServer {
	return startServer(t, cfg, func(s *Server) {
		s.SetCallback("/text", func(r *Request) {
			r.OutputHeaders().Set("Content-Type", "text/plain; charset=utf-8")
			r.OutputHeaders().Set("ETag", `"v1"`)
			r.OutputBuffer().AddString(compressText)
			r.SendReply(StatusOK, "", nil)
		})
		s.SetCallback("/small", func(r *Request) {
			r.OutputHeaders().Set("Content-Type", "text/plain")
			r.OutputBuffer().AddString("tiny")
			r.SendReply(StatusOK, "", nil)
		})
		s.SetCallback("/png", func(r *Request) {
			r.OutputHeaders().Set("Content-Type", "image/png")
			r.OutputBuffer().AddString(compressText)
			r.SendReply(StatusOK, "", nil)
		})
		s.SetCallback("/stream", func(r *Request) {
			r.OutputHeaders().Set("Content-Type", "application/json")
			r.SendReplyStart(StatusOK, "")
			for i := 0; i < 20; i++ {
				var b evbuffer.Buffer
				fmt.Fprintf(&b, "{\"line\": %d, \"text\": %q}\n", i, compressText[:200])
				r.SendReplyChunk(&b, nil)
			}
			r.SendReplyEnd()
		})
		s.SetCallbackWith("/off", func(r *Request) {
			r.OutputHeaders().Set("Content-Type", "text/plain")
			r.OutputBuffer().AddString(compressText)
			r.SendReply(StatusOK, "", nil)
		}, RouteOptions{Compress: CompressOff})
		s.SetCallbackWith("/on", func(r *Request) {
			r.OutputHeaders().Set("Content-Type", "text/plain")
			r.OutputBuffer().AddString(compressText)
			r.SendReply(StatusOK, "", nil)
		}, RouteOptions{Compress: CompressOn})
	})
}

func gunzip(t *testing.T, b string) string {
	t.Helper()
	zr, err := gzip.NewReader(strings.NewReader(b))
	if err != nil {
		t.Fatalf("gzip: %v", err)
	}
	out, err := io.ReadAll(zr)
	if err != nil {
		t.Fatalf("gzip: %v", err)
	}
	return string(out)
}

func TestCompressedReplies(t *testing.T) {
	ts := compressServer(t, &Config{Compress: &CompressConfig{Zstd: true}})
	c := ts.dial(t)
	br := bufio.NewReader(c)
	get := func(path, ae string) *rawResponse {
		t.Helper()
		h := ""
		if ae != "" {
			h = "Accept-Encoding: " + ae + "\r\n"
		}
		fmt.Fprintf(c, "GET %s HTTP/1.1\r\nHost: x\r\n%s\r\n", path, h)
		return readResponse(t, br, false)
	}
	r := get("/text", "gzip, deflate")
	if r.header("Content-Encoding") != "gzip" || r.header("Vary") != "Accept-Encoding" || r.header("ETag") != `W/"v1"` {
		t.Fatalf("gzip headers: %v", r.headers)
	}
	if len(r.body) >= len(compressText)/4 || gunzip(t, r.body) != compressText {
		t.Fatalf("gzip body: %d bytes", len(r.body))
	}
	r = get("/text", "gzip;q=0.5, zstd")
	if r.header("Content-Encoding") != "zstd" {
		t.Fatalf("zstd preferred: %v", r.headers)
	}
	zr, _ := zstd.NewReader(nil)
	defer zr.Close()
	if out, err := zr.DecodeAll([]byte(r.body), nil); err != nil || string(out) != compressText {
		t.Fatalf("zstd body: %v", err)
	}
	for _, tc := range []struct{ path, ae string }{
		{"/text", ""}, {"/text", "identity"}, {"/text", "gzip;q=0"}, {"/small", "gzip"}, {"/png", "gzip"}, {"/off", "gzip"},
	} {
		r := get(tc.path, tc.ae)
		if r.header("Content-Encoding") != "" {
			t.Errorf("%s with %q compressed: %v", tc.path, tc.ae, r.headers)
		}
		if tc.path == "/text" && r.header("Vary") != "Accept-Encoding" {
			t.Errorf("%s with %q: no Vary", tc.path, tc.ae)
		}
	}
	r = get("/stream", "gzip")
	if r.header("Content-Encoding") != "gzip" || r.header("Transfer-Encoding") != "chunked" {
		t.Fatalf("stream: %v", r.headers)
	}
	if got := gunzip(t, r.body); strings.Count(got, "\n") != 20 {
		t.Fatalf("stream body: %q", got)
	}
	// HEAD is never compressed.
	fmt.Fprintf(c, "HEAD /text HTTP/1.1\r\nHost: x\r\nAccept-Encoding: gzip\r\n\r\n")
	if r := readResponse(t, br, true); r.header("Content-Encoding") != "" {
		t.Fatalf("HEAD compressed: %v", r.headers)
	}
}

func TestCompressPerRoute(t *testing.T) {
	ts := compressServer(t, nil) // off by default
	c := ts.dial(t)
	br := bufio.NewReader(c)
	for path, want := range map[string]string{"/text": "", "/on": "gzip"} {
		fmt.Fprintf(c, "GET %s HTTP/1.1\r\nHost: x\r\nAccept-Encoding: gzip\r\n\r\n", path)
		if r := readResponse(t, br, false); r.header("Content-Encoding") != want {
			t.Errorf("%s: Content-Encoding %q, want %q", path, r.header("Content-Encoding"), want)
		}
	}
}

func TestCompressCurlAndPython(t *testing.T) {
	ts := compressServer(t, &Config{Compress: &CompressConfig{}})
	curl := basetest.RequirePeer(t, "curl")
	out, err := exec.Command(curl, "-sS", "--max-time", "10", "--compressed", "-D", "/dev/stderr",
		"http://"+ts.addr+"/text", "http://"+ts.addr+"/stream").Output()
	if err != nil {
		t.Fatalf("curl: %v", err)
	}
	if !bytes.HasPrefix(out, []byte(compressText)) || bytes.Count(out, []byte("\"line\"")) != 20 {
		t.Fatalf("curl --compressed decoded %d bytes", len(out))
	}
	py := basetest.RequirePeer(t, "python3")
	script := `
import gzip, http.client, sys
c = http.client.HTTPConnection(sys.argv[1], timeout=10)
c.request("GET", "/text", headers={"Accept-Encoding": "gzip"})
r = c.getresponse()
body = r.read()
assert r.getheader("Content-Encoding") == "gzip", r.getheaders()
sys.stdout.write(gzip.decompress(body).decode())
`
	out, err = exec.Command(py, "-c", script, ts.addr).CombinedOutput()
	if err != nil || string(out) != compressText {
		t.Fatalf("python: %v %.200q", err, out)
	}
}
