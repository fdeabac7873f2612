package evrpc_test

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/goevent/goevent/evhttp"
	"github.com/goevent/goevent/evrpc"
	"github.com/goevent/goevent/evrpc/evtag"
)

// rawReply is a response read by rawExchange.
type rawReply struct {
	code   int
	header http.Header
	body   []byte
	closed bool // the server said Connection: close, and closed
}

// rawExchange sends req as raw bytes to addr and reads one response.
func rawExchange(t testing.TB, addr, req string) rawReply {
	t.Helper()
	c, err := net.DialTimeout("tcp", addr, waitLimit)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(waitLimit))
	if _, err := io.WriteString(c, req); err != nil {
		t.Fatal(err)
	}
	br := bufio.NewReader(c)
	resp, err := http.ReadResponse(br, nil)
	if err != nil {
		t.Fatalf("reading response: %v", err)
	}
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("reading body: %v", err)
	}
	r := rawReply{code: resp.StatusCode, header: resp.Header, body: body}
	if resp.Close { // "Connection: close": check that it does
		_, err = br.ReadByte()
		r.closed = err == io.EOF
	}
	return r
}

// post is a POST of body to path as libevent's C client sends it: HTTP/1.1
// without a Host field.
func post(path string, body []byte) string {
	return fmt.Sprintf("POST %s HTTP/1.1\r\nContent-Length: %d\r\n\r\n%s", path, len(body), body)
}

// withHost adds a Host field to a request made by post.
func withHost(req string) string {
	return strings.Replace(req, "\r\n", "\r\nHost: localhost\r\n", 1)
}

func marshal(t testing.TB, v any) []byte {
	t.Helper()
	b, err := evtag.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestServerWire checks the server's replies byte for byte where libevent
// fixes them: a well-formed call answered 200 with an evtag body, every
// failure answered 503 with the connection closed.
func TestServerWire(t *testing.T) {
	e := newEnv(t)
	e.registerMessage()
	// needy replies with a required nested struct missing: an incomplete
	// reply, which libevent answers 503.
	type needy struct {
		K *Kill `evtag:"1"`
	}
	doneErr := make(chan error, 1)
	if err := evrpc.Register(e.rpc, "Incomplete", func(r *evrpc.Request[Msg, needy]) { doneErr <- r.Done() }); err != nil {
		t.Fatal(err)
	}
	if err := e.srv.SetCallback("/plain", func(r *evhttp.Request) { r.SendReply(200, "", nil) }); err != nil {
		t.Fatal(err)
	}

	msg := marshal(t, Msg{FromName: "x", ToName: "y"})
	if got, want := fmt.Sprintf("% x", msg), "01 01 78 02 01 79"; got != want {
		t.Fatalf("msg encodes as %s, want %s", got, want)
	}
	r := rawExchange(t, e.addr(), post("/.rpc.Message", msg))
	if r.code != 200 || r.header.Get("Content-Type") != "application/octet-stream" || r.closed {
		t.Fatalf("Message: %d %v closed=%v", r.code, r.header, r.closed)
	}
	var k Kill
	if err := evtag.Unmarshal(r.body, &k); err != nil {
		t.Fatalf("reply % x: %v", r.body, err)
	}
	if want := dagger(&Msg{FromName: "x"}); fmt.Sprint(k) != fmt.Sprint(want) {
		t.Fatalf("reply %+v, want %+v", k, want)
	}

	withAttack := marshal(t, Msg{FromName: "x", ToName: "y", Attack: &Kill{Weapon: "dagger", Action: "stab", HowOften: []uint32{3, 0x123}}})
	for _, tc := range []struct {
		name string
		req  string
		code int
	}{
		{"GET", "GET /.rpc.Message HTTP/1.1\r\n\r\n", 503},
		{"empty body", post("/.rpc.Message", nil), 503},
		{"nonsense", post("/.rpc.Message", []byte("Some Nonsense")), 503},
		{"truncated", post("/.rpc.Message", msg[:len(msg)-1]), 503},
		{"unknown tag", post("/.rpc.Message", append(append([]byte{}, msg...), 0x09, 0x01, 0x00)), 503},
		{"repeated field", post("/.rpc.Message", append(append([]byte{}, msg...), msg[:3]...)), 503},
		{"missing field", post("/.rpc.Message", msg[:3]), 503},
		{"bad nested", post("/.rpc.Message", append(append([]byte{}, msg...), 0x03, 0x02, 0x09, 0x00)), 503},
		{"incomplete reply", post("/.rpc.Incomplete", msg), 503},
		{"unknown RPC", withHost(post("/.rpc.Nope", msg)), 404},
		{"unknown RPC without Host", post("/.rpc.Nope", msg), 400},
		{"non-minimal encodings", post("/.rpc.Message", []byte{0x81, 0x00, 0x11, 0x00, 0x78, 0x02, 0x01, 0x79}), 200},
		{"nested attack", post("/.rpc.Message", withAttack), 200},
		{"HTTP/1.0", strings.Replace(post("/.rpc.Message", msg), "HTTP/1.1", "HTTP/1.0", 1), 200},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := rawExchange(t, e.addr(), tc.req)
			if r.code != tc.code {
				t.Fatalf("status %d, want %d (body %q)", r.code, tc.code, r.body)
			}
			if tc.code == 503 {
				if !r.closed || r.header.Get("Content-Type") != "text/html" {
					t.Errorf("503 without close: closed=%v header %v", r.closed, r.header)
				}
				if !strings.Contains(string(r.body), "<H1>Service Unavailable</H1>") {
					t.Errorf("503 page %q", r.body)
				}
			}
		})
	}
	if err := <-doneErr; !errors.Is(err, evtag.ErrMissing) {
		t.Errorf("Done with an incomplete reply: %v, want evtag.ErrMissing", err)
	}
	// Host-less HTTP/1.1 is accepted on RPC paths only.
	if r := rawExchange(t, e.addr(), "GET /plain HTTP/1.1\r\n\r\n"); r.code != 400 {
		t.Errorf("Host-less request to /plain: %d, want 400", r.code)
	}
}

func TestRegister(t *testing.T) {
	e := newEnv(t)
	h := func(r *evrpc.Request[Msg, Kill]) { r.Done() }
	if err := evrpc.Register(e.rpc, "A", h); err != nil {
		t.Fatal(err)
	}
	if err := evrpc.Register(e.rpc, "A", h); !errors.Is(err, evrpc.ErrExists) {
		t.Errorf("second Register: %v, want ErrExists", err)
	}
	for _, name := range []string{"", "a/b", "a b", "a?", "ä"} {
		if err := evrpc.Register(e.rpc, name, h); !errors.Is(err, evrpc.ErrName) {
			t.Errorf("Register(%q): %v, want ErrName", name, err)
		}
	}
	if err := evrpc.Register(e.rpc, "B", func(*evrpc.Request[int, Kill]) {}); !errors.Is(err, evrpc.ErrType) {
		t.Errorf("Register with an int request: %v, want ErrType", err)
	}
	if err := evrpc.Register(e.rpc, "B", func(*evrpc.Request[Msg, *Kill]) {}); !errors.Is(err, evrpc.ErrType) {
		t.Errorf("Register with a pointer reply: %v, want ErrType", err)
	}
	msg := marshal(t, Msg{FromName: "x", ToName: "y"})
	if r := rawExchange(t, e.addr(), post("/.rpc.A", msg)); r.code != 200 {
		t.Fatalf("A: %d", r.code)
	}
	if err := e.rpc.Unregister("A"); err != nil {
		t.Fatal(err)
	}
	if err := e.rpc.Unregister("A"); !errors.Is(err, evrpc.ErrNotRegistered) {
		t.Errorf("second Unregister: %v, want ErrNotRegistered", err)
	}
	if r := rawExchange(t, e.addr(), withHost(post("/.rpc.A", msg))); r.code != 404 {
		t.Errorf("A after Unregister: %d, want 404", r.code)
	}
	if err := evrpc.Register(e.rpc, "C", h); err != nil {
		t.Fatal(err)
	}
	if err := e.rpc.Close(); err != nil {
		t.Fatal(err)
	}
	if r := rawExchange(t, e.addr(), withHost(post("/.rpc.C", msg))); r.code != 404 {
		t.Errorf("C after Close: %d, want 404", r.code)
	}
}

// TestReplyLater answers from another goroutine after the handler
// returned, as a handler waiting on slow work does.
func TestReplyLater(t *testing.T) {
	e := newEnv(t)
	if err := RegisterMessage(e.rpc, func(r *evrpc.Request[Msg, Kill]) {
		req := *r.Req
		go func() {
			reply := dagger(&req) // the slow work, off the loop
			r.Base().Post(func() {
				*r.Reply = reply
				if err := r.Done(); err != nil {
					t.Errorf("Done: %v", err)
				}
				if err := r.Done(); !errors.Is(err, evrpc.ErrDone) {
					t.Errorf("second Done: %v, want ErrDone", err)
				}
			})
		}()
	}); err != nil {
		t.Fatal(err)
	}
	req := Msg{FromName: "later", ToName: "you"}
	var reply Kill
	if err := call(e, "Message", &req, &reply); err != nil {
		t.Fatal(err)
	}
	if want := dagger(&req); fmt.Sprint(reply) != fmt.Sprint(want) {
		t.Fatalf("reply %+v, want %+v", reply, want)
	}
}

// TestClientGoneBeforeReply: a request whose client closed the connection
// is cancelled and cannot be answered any more.
func TestClientGoneBeforeReply(t *testing.T) {
	e := newEnv(t)
	handled := make(chan struct{})
	cancelled := make(chan *evrpc.Request[Msg, Kill], 1)
	if err := RegisterMessage(e.rpc, func(r *evrpc.Request[Msg, Kill]) {
		r.OnCancel(func(error) { cancelled <- r })
		close(handled)
	}); err != nil {
		t.Fatal(err)
	}
	c, err := net.DialTimeout("tcp", e.addr(), waitLimit)
	if err != nil {
		t.Fatal(err)
	}
	io.WriteString(c, post("/.rpc.Message", marshal(t, Msg{FromName: "a", ToName: "b"})))
	select {
	case <-handled:
	case <-time.After(waitLimit):
		t.Fatal("handler not called")
	}
	// A reset, not a FIN: the server answers a client that only
	// half-closed.
	c.(*net.TCPConn).SetLinger(0)
	c.Close()
	var r *evrpc.Request[Msg, Kill]
	select {
	case r = <-cancelled:
	case <-time.After(waitLimit):
		t.Fatal("OnCancel not called")
	}
	var doneErr error
	e.do(func() { doneErr = r.Done() })
	if !errors.Is(doneErr, evrpc.ErrDone) {
		t.Fatalf("Done after the client left: %v, want ErrDone", doneErr)
	}
}
