package main

import (
	"compress/gzip"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/goevent/goevent/internal/basetest"
)

// siteFiles is the tree most tests serve.
var siteFiles = map[string]string{
	"index.html":        "<h1>home</h1>\n",
	"hello.txt":         "hello, world\n",
	"digits.txt":        "0123456789",
	"data.zzqx":         "opaque",
	"app.js":            "console.log('plain');\n",
	"sub/index.html":    "<p>sub</p>\n",
	"noindex/a.txt":     "a",
	"noindex/<b>&.txt":  "tricky",
	"noindex/dir/x.txt": "x",
}

// eachCacheMode runs test as a subtest without the open-file cache and
// with it, passing the daemon flags of each mode.
func eachCacheMode(t *testing.T, test func(t *testing.T, args []string)) {
	t.Run("open", func(t *testing.T) { test(t, nil) })
	t.Run("cached", func(t *testing.T) { test(t, []string{"-open-file-cache", "1h"}) })
}

func serveSite(t *testing.T, args ...string) (*daemonProc, string) {
	t.Helper()
	root := t.TempDir()
	writeTree(t, root, siteFiles)
	return startDaemon(t, append([]string{"-listen", "127.0.0.1:0", "-root", root, "-loops", "2"}, args...)...), root
}

func TestGetAndHead(t *testing.T) { eachCacheMode(t, testGetAndHead) }

func testGetAndHead(t *testing.T, args []string) {
	d, root := serveSite(t, args...)
	fi, err := os.Stat(filepath.Join(root, "hello.txt"))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		path, ctype, body string
	}{
		{"/hello.txt", "text/plain; charset=utf-8", siteFiles["hello.txt"]},
		{"/", "text/html; charset=utf-8", siteFiles["index.html"]},
		{"/index.html", "text/html; charset=utf-8", siteFiles["index.html"]},
		{"/data.zzqx", "application/octet-stream", "opaque"},
		{"/app.js", mime.TypeByExtension(".js"), siteFiles["app.js"]},
	}
	for _, tt := range tests {
		resp, body := get(t, "GET", d.url(tt.path))
		if resp.StatusCode != 200 || body != tt.body {
			t.Errorf("GET %s: %d %q, want 200 %q", tt.path, resp.StatusCode, body, tt.body)
		}
		if got := resp.Header.Get("Content-Type"); got != tt.ctype {
			t.Errorf("GET %s: Content-Type %q, want %q", tt.path, got, tt.ctype)
		}
		if resp.ContentLength != int64(len(tt.body)) {
			t.Errorf("GET %s: Content-Length %d, want %d", tt.path, resp.ContentLength, len(tt.body))
		}
		head, hbody := get(t, "HEAD", d.url(tt.path))
		if head.StatusCode != 200 || hbody != "" || head.ContentLength != int64(len(tt.body)) {
			t.Errorf("HEAD %s: %d, body %q, length %d", tt.path, head.StatusCode, hbody, head.ContentLength)
		}
		if head.Header.Get("ETag") != resp.Header.Get("ETag") {
			t.Errorf("HEAD %s: ETag %q differs from GET's %q", tt.path, head.Header.Get("ETag"), resp.Header.Get("ETag"))
		}
	}
	resp, _ := get(t, "GET", d.url("/hello.txt"))
	lm, err := http.ParseTime(resp.Header.Get("Last-Modified"))
	if err != nil || !lm.Equal(fi.ModTime().UTC().Truncate(time.Second)) {
		t.Errorf("Last-Modified %q, want %v", resp.Header.Get("Last-Modified"), fi.ModTime().UTC())
	}
	if et := resp.Header.Get("ETag"); !strings.HasPrefix(et, `"`) || !strings.HasSuffix(et, `"`) || len(et) < 5 {
		t.Errorf("ETag %q is not a strong quoted tag", et)
	}
	if resp.Header.Get("Accept-Ranges") != "bytes" {
		t.Errorf("Accept-Ranges %q", resp.Header.Get("Accept-Ranges"))
	}
	// A change of the file changes the tag; with the open-file cache,
	// only once the cached entry is older than -open-file-cache: until
	// then the old version is served whole, its tag and bytes together.
	os.WriteFile(filepath.Join(root, "hello.txt"), []byte("hello, world!\n"), 0o644)
	resp2, body2 := get(t, "GET", d.url("/hello.txt"))
	cached := len(args) > 0
	switch {
	case !cached && resp2.Header.Get("ETag") == resp.Header.Get("ETag"):
		t.Errorf("ETag %q unchanged after the file changed", resp.Header.Get("ETag"))
	case cached && (resp2.Header.Get("ETag") != resp.Header.Get("ETag") || body2 != siteFiles["hello.txt"]):
		t.Errorf("cached: ETag %q, body %q after the file changed; want the cached %q, %q",
			resp2.Header.Get("ETag"), body2, resp.Header.Get("ETag"), siteFiles["hello.txt"])
	}
}

func TestMethodNotAllowed(t *testing.T) {
	d, _ := serveSite(t)
	for _, m := range []string{"POST", "PUT", "DELETE", "OPTIONS", "PATCH"} {
		resp, _ := get(t, m, d.url("/hello.txt"))
		if resp.StatusCode != 405 || resp.Header.Get("Allow") != "GET, HEAD" {
			t.Errorf("%s: %d Allow %q, want 405 \"GET, HEAD\"", m, resp.StatusCode, resp.Header.Get("Allow"))
		}
	}
}

func TestConditionals(t *testing.T) { eachCacheMode(t, testConditionals) }

func testConditionals(t *testing.T, args []string) {
	d, _ := serveSite(t, args...)
	resp, _ := get(t, "GET", d.url("/hello.txt"))
	etag, lm := resp.Header.Get("ETag"), resp.Header.Get("Last-Modified")
	lmTime, _ := http.ParseTime(lm)
	before := lmTime.Add(-time.Hour).Format(http.TimeFormat)
	after := lmTime.Add(time.Hour).Format(http.TimeFormat)
	tests := []struct {
		name string
		hdr  []string
		want int
	}{
		{"none", nil, 200},
		{"if-none-match same", []string{"If-None-Match", etag}, 304},
		{"if-none-match weak same", []string{"If-None-Match", "W/" + etag}, 304},
		{"if-none-match list", []string{"If-None-Match", `"x", ` + etag}, 304},
		{"if-none-match star", []string{"If-None-Match", "*"}, 304},
		{"if-none-match other", []string{"If-None-Match", `"other"`}, 200},
		{"if-modified-since same", []string{"If-Modified-Since", lm}, 304},
		{"if-modified-since later", []string{"If-Modified-Since", after}, 304},
		{"if-modified-since earlier", []string{"If-Modified-Since", before}, 200},
		{"if-modified-since invalid", []string{"If-Modified-Since", "yesterday"}, 200},
		{"if-none-match wins over ims", []string{"If-None-Match", `"other"`, "If-Modified-Since", lm}, 200},
		{"if-match same", []string{"If-Match", etag}, 200},
		{"if-match star", []string{"If-Match", "*"}, 200},
		{"if-match other", []string{"If-Match", `"other"`}, 412},
		{"if-match weak", []string{"If-Match", "W/" + etag}, 412},
		{"if-unmodified-since same", []string{"If-Unmodified-Since", lm}, 200},
		{"if-unmodified-since earlier", []string{"If-Unmodified-Since", before}, 412},
		{"if-unmodified-since invalid", []string{"If-Unmodified-Since", "soon"}, 200},
		{"if-match wins over ius", []string{"If-Match", etag, "If-Unmodified-Since", before}, 200},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, body := get(t, "GET", d.url("/hello.txt"), tt.hdr...)
			if resp.StatusCode != tt.want {
				t.Fatalf("status %d, want %d", resp.StatusCode, tt.want)
			}
			switch tt.want {
			case 304:
				if body != "" || resp.Header.Get("ETag") != etag {
					t.Errorf("304 with body %q, ETag %q", body, resp.Header.Get("ETag"))
				}
			case 200:
				if body != siteFiles["hello.txt"] {
					t.Errorf("body %q", body)
				}
			}
		})
	}
}

func TestRanges(t *testing.T) { eachCacheMode(t, testRanges) }

func testRanges(t *testing.T, args []string) {
	d, _ := serveSite(t, args...)
	resp, _ := get(t, "GET", d.url("/digits.txt"))
	etag, lm := resp.Header.Get("ETag"), resp.Header.Get("Last-Modified")
	tests := []struct {
		name         string
		hdr          []string
		want         int
		body, crange string
	}{
		{"single", []string{"Range", "bytes=2-4"}, 206, "234", "bytes 2-4/10"},
		{"open", []string{"Range", "bytes=7-"}, 206, "789", "bytes 7-9/10"},
		{"suffix", []string{"Range", "bytes=-3"}, 206, "789", "bytes 7-9/10"},
		{"suffix longer than file", []string{"Range", "bytes=-30"}, 206, "0123456789", "bytes 0-9/10"},
		{"clamped", []string{"Range", "bytes=8-100"}, 206, "89", "bytes 8-9/10"},
		{"unsatisfiable", []string{"Range", "bytes=10-"}, 416, "", "bytes */10"},
		{"malformed ignored", []string{"Range", "bytes=5-2"}, 200, "0123456789", ""},
		{"other unit ignored", []string{"Range", "items=0-1"}, 200, "0123456789", ""},
		{"if-range etag", []string{"Range", "bytes=0-0", "If-Range", etag}, 206, "0", "bytes 0-0/10"},
		{"if-range other etag", []string{"Range", "bytes=0-0", "If-Range", `"old"`}, 200, "0123456789", ""},
		{"if-range weak", []string{"Range", "bytes=0-0", "If-Range", "W/" + etag}, 200, "0123456789", ""},
		{"if-range date", []string{"Range", "bytes=0-0", "If-Range", lm}, 206, "0", "bytes 0-0/10"},
		{"if-range old date", []string{"Range", "bytes=0-0", "If-Range", "Mon, 02 Jan 2006 15:04:05 GMT"}, 200, "0123456789", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, body := get(t, "GET", d.url("/digits.txt"), tt.hdr...)
			if resp.StatusCode != tt.want {
				t.Fatalf("status %d, want %d", resp.StatusCode, tt.want)
			}
			if tt.want != 416 && body != tt.body {
				t.Errorf("body %q, want %q", body, tt.body)
			}
			if got := resp.Header.Get("Content-Range"); got != tt.crange {
				t.Errorf("Content-Range %q, want %q", got, tt.crange)
			}
		})
	}
	t.Run("head ignores range", func(t *testing.T) {
		resp, _ := get(t, "HEAD", d.url("/digits.txt"), "Range", "bytes=0-1")
		if resp.StatusCode != 200 || resp.ContentLength != 10 {
			t.Errorf("HEAD with Range: %d, length %d", resp.StatusCode, resp.ContentLength)
		}
	})
	t.Run("multipart", func(t *testing.T) {
		resp, body := get(t, "GET", d.url("/digits.txt"), "Range", "bytes=0-1, 5-5,-2")
		if resp.StatusCode != 206 {
			t.Fatalf("status %d", resp.StatusCode)
		}
		mt, params, err := mime.ParseMediaType(resp.Header.Get("Content-Type"))
		if err != nil || mt != "multipart/byteranges" {
			t.Fatalf("Content-Type %q: %v", resp.Header.Get("Content-Type"), err)
		}
		if resp.ContentLength != int64(len(body)) {
			t.Errorf("Content-Length %d, body %d bytes", resp.ContentLength, len(body))
		}
		mr := multipart.NewReader(strings.NewReader(body), params["boundary"])
		want := []struct{ crange, body string }{{"bytes 0-1/10", "01"}, {"bytes 5-5/10", "5"}, {"bytes 8-9/10", "89"}}
		for i, w := range want {
			part, err := mr.NextPart()
			if err != nil {
				t.Fatalf("part %d: %v", i, err)
			}
			b, _ := io.ReadAll(part)
			if part.Header.Get("Content-Range") != w.crange || string(b) != w.body ||
				part.Header.Get("Content-Type") != "text/plain; charset=utf-8" {
				t.Errorf("part %d: %q %q %q, want %q %q", i, part.Header.Get("Content-Range"),
					part.Header.Get("Content-Type"), b, w.crange, w.body)
			}
		}
		if _, err := mr.NextPart(); err != io.EOF {
			t.Errorf("after the last part: %v, want EOF", err)
		}
	})
}

func TestPrecompressed(t *testing.T) { eachCacheMode(t, testPrecompressed) }

func testPrecompressed(t *testing.T, args []string) {
	d, root := serveSite(t, args...)
	gz := "\x1f\x8b fake gzip bytes"
	writeTree(t, root, map[string]string{"app.js.gz": gz})
	tests := []struct {
		accept, body, encoding string
	}{
		{"gzip", gz, "gzip"},
		{"br, gzip;q=0.5", gz, "gzip"},
		{"*", gz, "gzip"},
		{"", siteFiles["app.js"], ""},
		{"gzip;q=0", siteFiles["app.js"], ""},
		{"br", siteFiles["app.js"], ""},
		{"*, gzip;q=0", siteFiles["app.js"], ""},
	}
	for _, tt := range tests {
		resp, body := get(t, "GET", d.url("/app.js"), "Accept-Encoding", tt.accept)
		if resp.StatusCode != 200 || body != tt.body || resp.Header.Get("Content-Encoding") != tt.encoding {
			t.Errorf("Accept-Encoding %q: %d %q encoding %q, want %q %q", tt.accept, resp.StatusCode, body,
				resp.Header.Get("Content-Encoding"), tt.body, tt.encoding)
		}
		if resp.Header.Get("Vary") != "Accept-Encoding" {
			t.Errorf("Accept-Encoding %q: Vary %q", tt.accept, resp.Header.Get("Vary"))
		}
		if ct := resp.Header.Get("Content-Type"); ct != mime.TypeByExtension(".js") {
			t.Errorf("Accept-Encoding %q: Content-Type %q", tt.accept, ct)
		}
	}
	resp, _ := get(t, "GET", d.url("/hello.txt"), "Accept-Encoding", "gzip")
	if resp.Header.Get("Vary") != "" || resp.Header.Get("Content-Encoding") != "" {
		t.Errorf("file without .gz: Vary %q Content-Encoding %q", resp.Header.Get("Vary"), resp.Header.Get("Content-Encoding"))
	}
}

func TestTraversal(t *testing.T) {
	outside := t.TempDir()
	secret := "TOP-SECRET-" + t.Name()
	writeTree(t, outside, map[string]string{"secret.txt": secret})
	root := filepath.Join(outside, "www")
	writeTree(t, root, map[string]string{"a/b.txt": "b", "ok.txt": "ok"})
	if err := os.Symlink(filepath.Join(outside, "secret.txt"), filepath.Join(root, "escape.txt")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(outside, filepath.Join(root, "updir")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("ok.txt", filepath.Join(root, "inside.txt")); err != nil {
		t.Fatal(err)
	}
	d := startDaemon(t, "-listen", "127.0.0.1:0", "-root", root, "-list-dirs")
	for _, target := range []string{
		"/../secret.txt",
		"/a/../../secret.txt",
		"/%2e%2e/secret.txt",
		"/%2E%2E/secret.txt",
		"/a/%2e%2e/%2e%2e/secret.txt",
		"/..%2fsecret.txt",
		"/a%2fb.txt",
		"/a%2Fb.txt",
		"/a\\b.txt",
		"/..\\secret.txt",
		"/a%5cb.txt",
		"/%00",
		"/ok.txt%00.html",
		"/escape.txt",
		"/updir/secret.txt",
		"/updir/",
		"//" + strings.TrimPrefix(outside, "/") + "/secret.txt",
		"http://localhost/../secret.txt",
	} {
		resp := rawRequest(t, d.addr(), "GET "+target+" HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
		if resp.code != 400 && resp.code != 404 {
			t.Errorf("GET %s: status %d, want 400 or 404", target, resp.code)
		}
		if strings.Contains(resp.body, secret) {
			t.Errorf("GET %s served the file outside the root", target)
		}
	}
	for target, want := range map[string]string{"/inside.txt": "ok", "/a/./b.txt": "b", "/a/../ok.txt": "ok", "/a//b.txt": "b"} {
		resp := rawRequest(t, d.addr(), "GET "+target+" HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
		if resp.code != 200 || resp.body != want {
			t.Errorf("GET %s: %d %q, want 200 %q", target, resp.code, resp.body, want)
		}
	}
}

func TestDirectories(t *testing.T) {
	d, _ := serveSite(t)
	resp, _ := get(t, "GET", d.url("/sub?x=1"))
	if resp.StatusCode != 301 || resp.Header.Get("Location") != "/sub/?x=1" {
		t.Errorf("/sub: %d Location %q, want 301 /sub/?x=1", resp.StatusCode, resp.Header.Get("Location"))
	}
	if resp, body := get(t, "GET", d.url("/sub/")); resp.StatusCode != 200 || body != siteFiles["sub/index.html"] {
		t.Errorf("/sub/: %d %q", resp.StatusCode, body)
	}
	if resp, _ := get(t, "GET", d.url("/noindex/")); resp.StatusCode != 403 {
		t.Errorf("/noindex/ without -list-dirs: %d, want 403", resp.StatusCode)
	}
	if resp, _ := get(t, "GET", d.url("/hello.txt/")); resp.StatusCode != 404 {
		t.Errorf("/hello.txt/: %d, want 404", resp.StatusCode)
	}
	if resp, _ := get(t, "GET", d.url("/missing")); resp.StatusCode != 404 {
		t.Errorf("/missing: %d, want 404", resp.StatusCode)
	}

	l, _ := serveSite(t, "-list-dirs", "-index", "default.htm")
	resp, body := get(t, "GET", l.url("/noindex/"))
	if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") {
		t.Fatalf("listing: %d %q", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	for _, want := range []string{`href="./a.txt"`, `href="./dir/">dir/</a>`, "&lt;b&gt;&amp;.txt", `href="./%3Cb%3E&amp;.txt"`, `href="../"`} {
		if !strings.Contains(body, want) {
			t.Errorf("listing lacks %s:\n%s", want, body)
		}
	}
	if strings.Contains(body, "<b>") {
		t.Errorf("listing holds an unescaped name:\n%s", body)
	}
	// -index replaced index.html: the root is listed, not index.html served.
	if _, body := get(t, "GET", l.url("/")); !strings.Contains(body, "Index of /") {
		t.Errorf("/ with -index default.htm -list-dirs: %q", body)
	}
}

func TestStatusCounters(t *testing.T) {
	d, _ := serveSite(t, "-status", "/.status")
	get(t, "GET", d.url("/hello.txt"))
	get(t, "GET", d.url("/hello.txt"))
	get(t, "GET", d.url("/missing"))
	resp, body := get(t, "GET", d.url("/.status"))
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "application/json" {
		t.Fatalf("status: %d %q", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	var rep statusReport
	if err := jsonUnmarshal(body, &rep); err != nil {
		t.Fatalf("%v: %s", err, body)
	}
	if rep.RequestsByCode["200"] != 2 || rep.RequestsByCode["404"] != 1 || rep.Requests != 3 {
		t.Errorf("counters %+v", rep)
	}
	if want := int64(2 * len(siteFiles["hello.txt"])); rep.Bytes < want {
		t.Errorf("bytes %d, want at least %d", rep.Bytes, want)
	}
	if rep.Connections < 4 || rep.OpenConnections < 1 {
		t.Errorf("connections %d open %d", rep.Connections, rep.OpenConnections)
	}
}

// TestGzipFlag: -gzip compresses compressible files for clients that
// accept gzip (curl --compressed decodes it), leaves other types, small
// files, ranges and precompressed siblings alone.
func TestGzipFlag(t *testing.T) {
	root := t.TempDir()
	text := strings.Repeat("line of text to compress\n", 400)
	writeTree(t, root, map[string]string{"big.txt": text, "small.txt": "tiny", "pic.png": text})
	d := startDaemon(t, "-listen", "127.0.0.1:0", "-root", root, "-gzip")
	raw := rawRequest(t, d.addr(), "GET /big.txt HTTP/1.1\r\nHost: x\r\nAccept-Encoding: gzip\r\nConnection: close\r\n\r\n")
	if rawHeader(raw, "Content-Encoding") != "gzip" || rawHeader(raw, "Vary") != "Accept-Encoding" || !strings.HasPrefix(rawHeader(raw, "ETag"), "W/") {
		t.Fatalf("big.txt: %s", raw.head)
	}
	zr, err := gzip.NewReader(strings.NewReader(raw.body))
	if err != nil {
		t.Fatal(err)
	}
	if got, err := io.ReadAll(zr); err != nil || string(got) != text {
		t.Fatalf("decoded %d bytes, %v", len(got), err)
	}
	for _, req := range []string{
		"GET /small.txt HTTP/1.1\r\nHost: x\r\nAccept-Encoding: gzip\r\nConnection: close\r\n\r\n",
		"GET /pic.png HTTP/1.1\r\nHost: x\r\nAccept-Encoding: gzip\r\nConnection: close\r\n\r\n",
		"GET /big.txt HTTP/1.1\r\nHost: x\r\nAccept-Encoding: gzip\r\nRange: bytes=0-9\r\nConnection: close\r\n\r\n",
		"GET /big.txt HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
	} {
		if r := rawRequest(t, d.addr(), req); rawHeader(r, "Content-Encoding") != "" {
			t.Errorf("%q compressed: %s", req, r.head)
		}
	}
	curl := basetest.RequirePeer(t, "curl")
	out, err := exec.Command(curl, "-sS", "--max-time", "10", "--compressed", d.url("/big.txt")).Output()
	if err != nil || string(out) != text {
		t.Fatalf("curl --compressed: %v, %d bytes", err, len(out))
	}
}

// rawHeader returns the first value of the field name in r's head.
func rawHeader(r rawResponse, name string) string {
	for _, line := range strings.Split(r.head, "\r\n") {
		if k, v, ok := strings.Cut(line, ":"); ok && strings.EqualFold(strings.TrimSpace(k), name) {
			return strings.TrimSpace(v)
		}
	}
	return ""
}
