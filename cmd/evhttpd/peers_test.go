package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"net"
	"os/exec"
	"strings"
	"testing"

	"github.com/goevent/goevent/internal/basetest"
)

// TestPythonHTTPClient drives evhttpd with Python's http.client over one
// keep-alive connection (testdata/httpclient.py).
func TestPythonHTTPClient(t *testing.T) {
	python := basetest.RequirePeer(t, "python3")
	d, _ := serveSite(t)
	host, port, _ := net.SplitHostPort(d.addr())
	out, err := exec.Command(python, "testdata/httpclient.py", host, port).Output()
	if err != nil {
		t.Fatalf("httpclient.py: %v\n%s", err, out)
	}
	type reply struct {
		Name    string
		Status  int
		Length  int
		Body    string
		Headers map[string]string
	}
	got := map[string]reply{}
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		var r reply
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			t.Fatalf("%v: %s", err, sc.Text())
		}
		got[r.Name] = r
	}
	check := func(name string, status int, body string, hdr ...string) {
		t.Helper()
		r, ok := got[name]
		if !ok {
			t.Errorf("%s: no reply", name)
			return
		}
		if r.Status != status || (body != "\x00" && r.Body != body) {
			t.Errorf("%s: %d %q, want %d %q", name, r.Status, r.Body, status, body)
		}
		for i := 0; i+1 < len(hdr); i += 2 {
			if v := r.Headers[hdr[i]]; v != hdr[i+1] {
				t.Errorf("%s: %s %q, want %q", name, hdr[i], v, hdr[i+1])
			}
		}
	}
	check("get", 200, "0123456789", "content-length", "10", "accept-ranges", "bytes")
	check("head", 200, "", "content-length", "10")
	check("range", 206, "345", "content-range", "bytes 3-5/10")
	check("unsatisfiable", 416, "\x00", "content-range", "bytes */10")
	check("not-modified", 304, "")
	check("precondition", 412, "\x00")
	check("if-range", 206, "01", "content-range", "bytes 0-1/10")
	check("post", 405, "\x00", "allow", "GET, HEAD")
	check("missing", 404, "\x00")
	if m := got["multi"]; m.Status != 206 || !strings.HasPrefix(m.Headers["content-type"], "multipart/byteranges; boundary=") ||
		!strings.Contains(m.Body, "Content-Range: bytes 0-0/10\r\n\r\n0\r\n") ||
		!strings.Contains(m.Body, "Content-Range: bytes 9-9/10\r\n\r\n9\r\n") {
		t.Errorf("multi: %d %q %q", m.Status, m.Headers["content-type"], m.Body)
	}
}

// TestCurl checks the common shapes with curl.
func TestCurl(t *testing.T) {
	curl := basetest.RequirePeer(t, "curl")
	d, _ := serveSite(t)
	run := func(args ...string) string {
		t.Helper()
		out, err := exec.Command(curl, append([]string{"-sS"}, args...)...).Output()
		if err != nil {
			t.Fatalf("curl %v: %v", args, err)
		}
		return string(out)
	}
	if got := run(d.url("/hello.txt")); got != siteFiles["hello.txt"] {
		t.Errorf("GET: %q", got)
	}
	head := run("-I", d.url("/hello.txt"))
	if !strings.HasPrefix(head, "HTTP/1.1 200 OK\r\n") || !strings.Contains(head, "Content-Length: 13\r\n") {
		t.Errorf("HEAD:\n%s", head)
	}
	if got := run("-r", "0-4", d.url("/hello.txt")); got != "hello" {
		t.Errorf("range: %q", got)
	}
	if got := run("-o", "/dev/null", "-w", "%{http_code}", "-H", "If-None-Match: *", d.url("/hello.txt")); got != "304" {
		t.Errorf("If-None-Match: %s", got)
	}
	if got := run("-L", d.url("/sub")); got != siteFiles["sub/index.html"] {
		t.Errorf("redirect followed: %q", got)
	}
	// Several requests on one connection.
	got := run(d.url("/hello.txt"), d.url("/digits.txt"), d.url("/hello.txt"))
	if got != siteFiles["hello.txt"]+"0123456789"+siteFiles["hello.txt"] {
		t.Errorf("keep-alive: %q", got)
	}
}
