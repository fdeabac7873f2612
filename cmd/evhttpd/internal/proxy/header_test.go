package proxy

import (
	"slices"
	"strings"
	"testing"

	"github.com/goevent/goevent/evhttp"
)

func header(kv ...string) *evhttp.Header {
	h := &evhttp.Header{}
	for i := 0; i+1 < len(kv); i += 2 {
		h.Add(kv[i], kv[i+1])
	}
	return h
}

func TestRequestHeader(t *testing.T) {
	tests := []struct {
		name    string
		in      *evhttp.Header
		fw      Forwarded
		upgrade string
		want    string // fields in order, "Name: value\r\n"
	}{
		{
			name: "hop-by-hop removed",
			in: header("Host", "site.test", "Connection", "keep-alive, X-Hop", "X-Hop", "1", "Keep-Alive", "timeout=5",
				"TE", "trailers", "Trailer", "X-T", "Transfer-Encoding", "chunked", "Upgrade", "h2c",
				"Proxy-Authorization", "Basic x", "Proxy-Connection", "keep-alive", "Accept", "*/*",
				"Content-Length", "3", "Expect", "100-continue"),
			fw:   Forwarded{For: "127.0.0.1", Proto: "http", Host: "site.test"},
			want: "Host: site.test\r\nAccept: */*\r\nX-Forwarded-For: 127.0.0.1\r\nX-Forwarded-Proto: http\r\nX-Forwarded-Host: site.test\r\n",
		},
		{
			name: "X-Forwarded-For appended",
			in:   header("Host", "h", "X-Forwarded-For", "10.0.0.1", "X-Forwarded-For", "10.0.0.2, 10.0.0.3", "X-Forwarded-Proto", "https", "X-Forwarded-Host", "spoof"),
			fw:   Forwarded{For: "::1", Proto: "http", Host: "h"},
			want: "Host: h\r\nX-Forwarded-For: 10.0.0.1, 10.0.0.2, 10.0.0.3, ::1\r\nX-Forwarded-Proto: http\r\nX-Forwarded-Host: h\r\n",
		},
		{
			name: "unix client, no Host",
			in:   header("Accept", "a"),
			fw:   Forwarded{Proto: "https"},
			want: "Accept: a\r\nX-Forwarded-Proto: https\r\n",
		},
		{
			name:    "upgrade kept",
			in:      header("Host", "h", "Connection", "Upgrade", "Upgrade", "websocket", "Sec-WebSocket-Key", "k"),
			fw:      Forwarded{For: "127.0.0.1", Proto: "http", Host: "h"},
			upgrade: "websocket",
			want:    "Host: h\r\nSec-WebSocket-Key: k\r\nX-Forwarded-For: 127.0.0.1\r\nX-Forwarded-Proto: http\r\nX-Forwarded-Host: h\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n",
		},
		{
			name: "listed names are case-insensitive",
			in:   header("connection", " x-A ,, X-b", "X-a", "1", "x-B", "2", "X-C", "3"),
			fw:   Forwarded{Proto: "http"},
			want: "X-C: 3\r\nX-Forwarded-Proto: http\r\n",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got evhttp.Header
			requestHeader(&got, tt.in, tt.fw, tt.upgrade)
			if s := got.String(); s != tt.want {
				t.Errorf("got\n%s\nwant\n%s", s, tt.want)
			}
		})
	}
}

func TestResponseHeader(t *testing.T) {
	in := header("Content-Type", "text/plain", "Content-Length", "5", "Connection", "close, X-Up", "X-Up", "1",
		"Keep-Alive", "timeout=5", "Proxy-Authenticate", "Basic", "Transfer-Encoding", "chunked", "Set-Cookie", "a=1", "Set-Cookie", "b=2")
	var got evhttp.Header
	responseHeader(&got, in, false)
	if want := "Content-Type: text/plain\r\nContent-Length: 5\r\nSet-Cookie: a=1\r\nSet-Cookie: b=2\r\n"; got.String() != want {
		t.Errorf("got\n%s\nwant\n%s", got.String(), want)
	}
	var sw evhttp.Header
	responseHeader(&sw, header("Upgrade", "websocket", "Connection", "upgrade", "Sec-WebSocket-Accept", "x"), true)
	if want := "Sec-WebSocket-Accept: x\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n"; sw.String() != want {
		t.Errorf("101: got\n%s\nwant\n%s", sw.String(), want)
	}
}

func TestUpgradeOf(t *testing.T) {
	tests := []struct {
		h    *evhttp.Header
		want string
	}{
		{header("Connection", "Upgrade", "Upgrade", "websocket"), "websocket"},
		{header("Connection", "keep-alive, upgrade", "Upgrade", " WebSocket "), "WebSocket"},
		{header("Upgrade", "websocket"), ""},
		{header("Connection", "upgraded", "Upgrade", "websocket"), ""},
		{header("Connection", "upgrade"), ""},
	}
	for _, tt := range tests {
		if got := upgradeOf(tt.h); got != tt.want {
			t.Errorf("upgradeOf(%q) = %q, want %q", strings.TrimSpace(tt.h.String()), got, tt.want)
		}
	}
}

// FuzzRequestHeader feeds arbitrary Connection, Upgrade and
// X-Forwarded-For values to requestHeader and responseHeader: no
// hop-by-hop field may come out (but the upgrade pair), and the client's
// address always ends X-Forwarded-For.
func FuzzRequestHeader(f *testing.F) {
	f.Add("keep-alive, X-A", "websocket", "10.0.0.1", "X-A")
	f.Add("upgrade", "h2c", "", "proxy-x")
	f.Add(",,,", "", " , ", "Connection")
	f.Fuzz(func(t *testing.T, conn, upgrade, xff, extra string) {
		in := header("Connection", conn, "Upgrade", upgrade, "X-Forwarded-For", xff, extra, "v", "X-Keep", "1")
		var out evhttp.Header
		up := upgradeOf(in)
		requestHeader(&out, in, Forwarded{For: "127.0.0.1", Proto: "http"}, up)
		listed := connectionTokens(in)
		out.Range(func(name, value string) bool {
			n := strings.ToLower(name)
			if up != "" && (n == "connection" || n == "upgrade") {
				return true
			}
			if isHopByHop(name, listed) {
				t.Fatalf("hop-by-hop %q passed: %q", name, out.String())
			}
			return true
		})
		if !strings.HasSuffix(out.Get("X-Forwarded-For"), "127.0.0.1") {
			t.Fatalf("X-Forwarded-For %q", out.Get("X-Forwarded-For"))
		}
		var resp evhttp.Header
		responseHeader(&resp, in, false)
		resp.Range(func(name, _ string) bool {
			if isHopByHop(name, listed) {
				t.Fatalf("hop-by-hop %q in a response: %q", name, resp.String())
			}
			return true
		})
	})
}

func TestBodyLength(t *testing.T) {
	tests := []struct {
		h    *evhttp.Header
		n    int64
		body bool
	}{
		{header(), 0, false},
		{header("Content-Length", "0"), 0, false},
		{header("Content-Length", "12"), 12, true},
		{header("Transfer-Encoding", "chunked"), -1, true},
		{header("Content-Length", "x"), 0, false}, // the server refuses it before
	}
	for _, tt := range tests {
		n, body := bodyLength(tt.h)
		if n != tt.n || body != tt.body {
			t.Errorf("bodyLength(%q) = %d, %v; want %d, %v", tt.h.String(), n, body, tt.n, tt.body)
		}
	}
}

func TestIsHopByHop(t *testing.T) {
	listed := []string{"X-Secret", "keep-ALIVE"}
	tests := []struct {
		name string
		want bool
	}{
		{"Connection", true},
		{"CONNECTION", true},
		{"keep-alive", true},
		{"Te", true},
		{"trailer", true},
		{"Transfer-encoding", true},
		{"UPGRADE", true},
		{"Proxy-Authorization", true},
		{"proxy-x", true},
		{"Proxy", false},
		{"x-secret", true}, // listed by Connection
		{"X-Secret-2", false},
		{"Content-Type", false},
		{"Content-Length", false},
		{"", false},
	}
	for _, tt := range tests {
		if got := isHopByHop(tt.name, listed); got != tt.want {
			t.Errorf("isHopByHop(%q) = %v, want %v", tt.name, got, tt.want)
		}
	}
	if n := testing.AllocsPerRun(100, func() { isHopByHop("Content-Type", listed) }); n != 0 {
		t.Errorf("isHopByHop allocates %v times per call, want 0", n)
	}
	if toks := connectionTokens(header("Content-Type", "text/plain")); toks != nil {
		t.Errorf("connectionTokens without Connection = %q, want nil", toks)
	}
	if toks := connectionTokens(header("Connection", " Keep-Alive ,, X-A", "Connection", "close")); !slices.Equal(toks, []string{"Keep-Alive", "X-A", "close"}) {
		t.Errorf("connectionTokens = %q", toks)
	}
}
