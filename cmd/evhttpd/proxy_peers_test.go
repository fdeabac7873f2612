package main

import (
	"bufio"
	"bytes"
	"crypto/tls"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/goevent/goevent/core"
	"github.com/goevent/goevent/evbuffer"
	"github.com/goevent/goevent/evhttp"
	"github.com/goevent/goevent/internal/basetest"
)

// nginxPeer is an nginx started by a test on a loopback port.
type nginxPeer struct {
	url  string // http://127.0.0.1:port
	root string // document root
}

// startNginx runs nginx (basetest.StartNginx) with gzip under /app/gz/
// (so some responses come chunked).
func startNginx(t *testing.T) *nginxPeer {
	t.Helper()
	ng := basetest.StartNginx(t, basetest.NginxConfig{GzipPrefix: "/app/gz/"})
	return &nginxPeer{url: "http://" + ng.Addr, root: ng.Root}
}

func TestProxyNginx(t *testing.T) {
	ng := startNginx(t)
	big := bytes.Repeat([]byte("0123456789abcdef"), 512<<10) // 8 MiB
	text := strings.Repeat("compressible text\n", 2000)
	writeTree(t, ng.root, map[string]string{"app/small.txt": "hello nginx\n", "app/big.bin": string(big), "app/gz/t.txt": text})
	d, _ := serveSite(t, "-proxy", "/app/="+ng.url)
	if resp, body := get(t, "GET", d.url("/app/small.txt")); resp.StatusCode != 200 || body != "hello nginx\n" ||
		!strings.HasPrefix(resp.Header.Get("Server"), "nginx") {
		t.Errorf("small: %d %q Server %q", resp.StatusCode, body, resp.Header.Get("Server"))
	}
	resp, body := get(t, "GET", d.url("/app/big.bin"))
	if resp.StatusCode != 200 || body != string(big) || resp.ContentLength != int64(len(big)) {
		t.Errorf("big: %d, %d bytes, length %d", resp.StatusCode, len(body), resp.ContentLength)
	}
	etag := resp.Header.Get("ETag")
	if resp, body := get(t, "HEAD", d.url("/app/big.bin")); resp.StatusCode != 200 || body != "" || resp.ContentLength != int64(len(big)) {
		t.Errorf("HEAD: %d %q length %d", resp.StatusCode, body, resp.ContentLength)
	}
	if resp, body := get(t, "GET", d.url("/app/big.bin"), "Range", "bytes=16-31"); resp.StatusCode != 206 || body != "0123456789abcdef" ||
		resp.Header.Get("Content-Range") != fmt.Sprintf("bytes 16-31/%d", len(big)) {
		t.Errorf("range: %d %q %q", resp.StatusCode, body, resp.Header.Get("Content-Range"))
	}
	if resp, _ := get(t, "GET", d.url("/app/big.bin"), "If-None-Match", etag); etag == "" || resp.StatusCode != 304 {
		t.Errorf("If-None-Match %q: %d", etag, resp.StatusCode)
	}
	if resp, _ := get(t, "GET", d.url("/app/missing")); resp.StatusCode != 404 {
		t.Errorf("missing: %d", resp.StatusCode)
	}
	// gzip from nginx: chunked, passed through compressed.
	resp, body = get(t, "GET", d.url("/app/gz/t.txt"), "Accept-Encoding", "gzip")
	if resp.StatusCode != 200 || resp.Header.Get("Content-Encoding") != "gzip" || len(body) >= len(text) {
		t.Errorf("gzip: %d %q %d bytes", resp.StatusCode, resp.Header.Get("Content-Encoding"), len(body))
	}
	// nginx refuses an 8 MiB body (413, over its 1 MiB client_max_body_size)
	// while it is coming: the early answer still reaches the client.
	tr := &http.Transport{}
	defer tr.CloseIdleConnections()
	pr, err := (&http.Client{Transport: tr, Timeout: 30 * time.Second}).Post(d.url("/app/small.txt"), "text/plain", bytes.NewReader(big))
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, pr.Body)
	pr.Body.Close()
	if pr.StatusCode != 413 {
		t.Errorf("POST to nginx: %d", pr.StatusCode)
	}
	// Many requests over a few client connections: all answered.
	var wg sync.WaitGroup
	var bad atomic.Int64
	for range 4 {
		wg.Go(func() {
			c := &http.Client{Transport: &http.Transport{}, Timeout: 30 * time.Second}
			defer c.Transport.(*http.Transport).CloseIdleConnections()
			for range 50 {
				resp, err := c.Get(d.url("/app/small.txt"))
				if err != nil {
					bad.Add(1)
					continue
				}
				b, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				if string(b) != "hello nginx\n" {
					bad.Add(1)
				}
			}
		})
	}
	wg.Wait()
	if n := bad.Load(); n > 0 {
		t.Errorf("%d of 200 concurrent requests failed", n)
	}
}

// countingUpstream is an echo upstream that counts the connections made
// to it.
func countingUpstream(t *testing.T, ln net.Listener) (*httptest.Server, *atomic.Int64) {
	t.Helper()
	var conns atomic.Int64
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, "%s %s %s", r.Method, r.RequestURI, r.Header.Get("X-Forwarded-Proto"))
	}))
	if ln != nil {
		srv.Listener.Close()
		srv.Listener = ln
	}
	srv.Config.ConnState = func(_ net.Conn, st http.ConnState) {
		if st == http.StateNew {
			conns.Add(1)
		}
	}
	return srv, &conns
}

// TestProxyUpstreamKinds proxies to a TCP, an HTTPS and a unix-socket
// upstream, each kept alive between requests.
func TestProxyUpstreamKinds(t *testing.T) {
	plain, plainConns := countingUpstream(t, nil)
	plain.Start()
	t.Cleanup(plain.Close)

	sock := filepath.Join(t.TempDir(), "up.sock")
	uln, err := net.Listen("unix", sock)
	if err != nil {
		t.Fatal(err)
	}
	unixUp, unixConns := countingUpstream(t, uln)
	unixUp.Start()
	t.Cleanup(unixUp.Close)

	ca, _, _, pki := writePKI(t, t.TempDir())
	secure, secureConns := countingUpstream(t, nil)
	secure.TLS = &tls.Config{Certificates: []tls.Certificate{pki.Server}}
	secure.StartTLS()
	t.Cleanup(secure.Close)
	_, securePort, _ := net.SplitHostPort(secure.Listener.Addr().String())

	d := startDaemonCmd(t, func(cmd *exec.Cmd) {
		cmd.Env = append(os.Environ(), "SSL_CERT_FILE="+ca) // the test CA as the system's roots
	}, "-listen", "127.0.0.1:0", "-root", t.TempDir(), "-loops", "1",
		"-proxy", "/plain="+plain.URL, "-proxy", "/unix=unix:"+sock, "-proxy", "/secure=https://localhost:"+securePort)
	for _, tt := range []struct {
		prefix string
		conns  *atomic.Int64
	}{
		{"/plain", plainConns},
		{"/unix", unixConns},
		{"/secure", secureConns},
	} {
		tr := &http.Transport{}
		c := &http.Client{Transport: tr, Timeout: 30 * time.Second}
		for i := range 3 {
			target := fmt.Sprintf("%s/%d?x=%d", tt.prefix, i, i)
			resp, err := c.Get(d.url(target))
			if err != nil {
				t.Fatalf("%s: %v", target, err)
			}
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if want := "GET " + target + " http"; resp.StatusCode != 200 || string(b) != want {
				t.Errorf("%s: %d %q, want %q", target, resp.StatusCode, b, want)
			}
		}
		tr.CloseIdleConnections()
		if n := tt.conns.Load(); n != 1 {
			t.Errorf("%s: %d upstream connections for 3 requests in a row, want 1 (keep-alive)", tt.prefix, n)
		}
	}
}

// TestProxyWebSocket runs an evhttp WebSocket echo server in the test
// and talks to it through evhttpd with evhttp's WebSocket client.
func TestProxyWebSocket(t *testing.T) {
	ls, err := core.NewLoops(1)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ls.Close() })
	srv := evhttp.NewOnLoops(ls, nil)
	srv.SetCallback("/ws/echo", func(r *evhttp.Request) {
		ws, err := evhttp.Upgrade(r, nil)
		if err != nil {
			return
		}
		ws.OnMessage(func(ws *evhttp.WSConn, op evhttp.Opcode, msg *evbuffer.Buffer) { ws.SendMessage(op, msg) })
	})
	bs, err := srv.Bind("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { <-srv.Shutdown(0) })
	d, _ := serveSite(t, "-proxy", "/ws/=http://"+bs.Addr().String())

	big := bytes.Repeat([]byte("websocket payload "), 60000) // about 1 MiB
	type result struct {
		text   string
		binary []byte
		code   int
		err    error
	}
	done := make(chan result, 1)
	base := ls.Base(0)
	base.Post(func() {
		var res result
		err := evhttp.DialWebSocket(base, "ws://"+d.addr()+"/ws/echo", nil, func(ws *evhttp.WSConn, err error) {
			if err != nil {
				done <- result{err: err}
				return
			}
			ws.OnMessage(func(ws *evhttp.WSConn, op evhttp.Opcode, msg *evbuffer.Buffer) {
				b := make([]byte, msg.Len())
				msg.Remove(b)
				if op == evhttp.OpText {
					res.text = string(b)
					ws.SendBinary(big)
					return
				}
				res.binary = b
				ws.Close(evhttp.CloseNormal, "bye")
			})
			ws.OnClose(func(ws *evhttp.WSConn, code int, reason string) {
				res.code = code
				done <- res
			})
			ws.SendText("hello through the proxy")
		})
		if err != nil {
			done <- result{err: err}
		}
	})
	select {
	case res := <-done:
		if res.err != nil {
			t.Fatal(res.err)
		}
		if res.text != "hello through the proxy" || !bytes.Equal(res.binary, big) || res.code != evhttp.CloseNormal {
			t.Errorf("echo: %q, %d binary bytes (want %d), close %d", res.text, len(res.binary), len(big), res.code)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("no WebSocket echo through the proxy after 30s")
	}
	// A plain GET to the WebSocket endpoint gets the upstream's refusal.
	if resp, _ := get(t, "GET", d.url("/ws/echo")); resp.StatusCode != 426 {
		t.Errorf("GET without Upgrade: %d, want the upstream's 426", resp.StatusCode)
	}
}

func TestProxyCurl(t *testing.T) {
	curl := basetest.RequirePeer(t, "curl")
	a := echoUpstream(t, "a")
	d, _ := serveSite(t, "-proxy", "/api/="+a.URL)
	run := func(args ...string) echoReply {
		t.Helper()
		out, err := exec.Command(curl, append([]string{"-sS", "--fail"}, args...)...).Output()
		if err != nil {
			t.Fatalf("curl %v: %v", args, err)
		}
		var e echoReply
		if err := json.Unmarshal(out, &e); err != nil {
			t.Fatalf("curl %v: %q: %v", args, out, err)
		}
		return e
	}
	if e := run(d.url("/api/x?y=1")); e.Method != "GET" || e.Target != "/api/x?y=1" || e.Header.Get("X-Forwarded-For") != "127.0.0.1" {
		t.Errorf("GET: %+v", e)
	}
	if e := run("-d", "field=value", d.url("/api/form")); e.Method != "POST" || e.BodyLen != int64(len("field=value")) ||
		e.Header.Get("Content-Type") != "application/x-www-form-urlencoded" {
		t.Errorf("POST: %+v", e)
	}
	body := filepath.Join(t.TempDir(), "upload")
	os.WriteFile(body, bytes.Repeat([]byte("u"), 200000), 0o644)
	if e := run("-T", body, "-H", "Transfer-Encoding: chunked", d.url("/api/upload")); e.Method != "PUT" || e.BodyLen != 200000 || !e.Chunked {
		t.Errorf("chunked PUT: %+v", e)
	}
	out, err := exec.Command(curl, "-sS", "-I", d.url("/api/head")).Output()
	if err != nil || !strings.HasPrefix(string(out), "HTTP/1.1 200 OK\r\n") || !strings.Contains(string(out), "X-Upstream: a\r\n") {
		t.Errorf("HEAD: %q %v", out, err)
	}
	// Keep-alive on the client side: three requests, one connection.
	out, err = exec.Command(curl, "-sS", "-w", "%{num_connects}\n", d.url("/api/1"), d.url("/api/2"), d.url("/api/3")).Output()
	if err != nil || strings.Count(string(out), "\n1\n") != 1 || strings.Count(string(out), "\n0\n") != 2 {
		t.Errorf("keep-alive: %q %v", out, err)
	}
}

func TestProxyPythonHTTPClient(t *testing.T) {
	python := basetest.RequirePeer(t, "python3")
	a := echoUpstream(t, "a")
	d, _ := serveSite(t, "-proxy", "/api/="+a.URL)
	host, port, _ := net.SplitHostPort(d.addr())
	out, err := exec.Command(python, "testdata/proxyclient.py", host, port).Output()
	if err != nil {
		t.Fatalf("proxyclient.py: %v\n%s", err, out)
	}
	got := map[string]struct {
		Name   string
		Status int
		Echo   echoReply
	}{}
	sc := bufio.NewScanner(bytes.NewReader(out))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var r struct {
			Name   string
			Status int
			Body   string
		}
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			t.Fatalf("%v: %s", err, sc.Text())
		}
		var e echoReply
		if err := json.Unmarshal([]byte(r.Body), &e); err != nil {
			t.Fatalf("%s: %v: %q", r.Name, err, r.Body)
		}
		got[r.Name] = struct {
			Name   string
			Status int
			Echo   echoReply
		}{r.Name, r.Status, e}
	}
	check := func(name, method, target string, bodyLen int64, chunked bool) {
		t.Helper()
		r, ok := got[name]
		switch {
		case !ok:
			t.Errorf("%s: no reply", name)
		case r.Status != 200 || r.Echo.Method != method || r.Echo.Target != target || r.Echo.BodyLen != bodyLen || r.Echo.Chunked != chunked:
			t.Errorf("%s: %d %+v", name, r.Status, r.Echo)
		case r.Echo.Header.Get("X-Forwarded-Host") != d.addr():
			t.Errorf("%s: X-Forwarded-Host %q, want %q", name, r.Echo.Header.Get("X-Forwarded-Host"), d.addr())
		}
	}
	check("get", "GET", "/api/get?q=1", 0, false)
	check("post", "POST", "/api/post", 11, false)
	check("chunked", "POST", "/api/chunked", 30, true)
	check("put", "PUT", "/api/put", 100000, false)
}

// TestProxyShutdownUnderLoad sends SIGTERM while clients hammer the
// proxy: every reply whose head arrived must arrive whole.
func TestProxyShutdownUnderLoad(t *testing.T) {
	body := strings.Repeat("0123456789abcdef", 16<<10) // 256 KiB
	up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, body)
	}))
	t.Cleanup(up.Close)
	d := startDaemon(t, "-listen", "127.0.0.1:0", "-root", t.TempDir(), "-grace", "20s", "-proxy", "/p="+up.URL)
	shutdownUnderLoad(t, d, "/p/f", body)
}

// TestProxyBehindTLS serves HTTPS in front of a plain upstream: the
// upstream hears X-Forwarded-Proto https.
func TestProxyBehindTLS(t *testing.T) {
	up, _ := countingUpstream(t, nil)
	up.Start()
	t.Cleanup(up.Close)
	_, cert, key, pki := writePKI(t, t.TempDir())
	d := startDaemon(t, "-listen", "127.0.0.1:0", "-root", t.TempDir(), "-tls-cert", cert, "-tls-key", key, "-proxy", "/p="+up.URL)
	cfg := pki.ClientConfig()
	cfg.ServerName = "localhost"
	tr := &http.Transport{TLSClientConfig: cfg}
	defer tr.CloseIdleConnections()
	resp, err := (&http.Client{Transport: tr, Timeout: 30 * time.Second}).Get("https://" + d.addr() + "/p/x")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || string(b) != "GET /p/x https" {
		t.Errorf("%d %q, want 200 \"GET /p/x https\"", resp.StatusCode, b)
	}
}
