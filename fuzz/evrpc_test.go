package fuzz

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"net"
	"net/http"
	"reflect"
	"testing"
	"time"

	"github.com/goevent/goevent/core"
	"github.com/goevent/goevent/evhttp"
	"github.com/goevent/goevent/evrpc"
	"github.com/goevent/goevent/evrpc/evtag"
	"github.com/goevent/goevent/internal/basetest"
)

// rpcMsg is the request and reply type of the RPCs FuzzRPCRequest calls.
type rpcMsg struct {
	Name   string    `evtag:"1"`
	Values []uint32  `evtag:"2,array"`
	Inner  *rpcInner `evtag:"3,optional"`
}

type rpcInner struct {
	Note string `evtag:"1"`
	When int64  `evtag:"2"`
}

// startRPCServer serves two echo RPCs on loopback, its loop on its own
// goroutine until the test ends: Echo answers at once, Slow on the next
// loop pass. It returns the server's address.
func startRPCServer(t testing.TB) string {
	t.Helper()
	base := basetest.New(t)
	srv := evhttp.New(base, &evhttp.Config{MaxBodySize: 1 << 16})
	bs, err := srv.Bind("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	rpc := evrpc.NewBase(srv)
	echo := func(r *evrpc.Request[rpcMsg, rpcMsg]) {
		*r.Reply = *r.Req
		_ = r.Done()
	}
	if err := evrpc.Register(rpc, "Echo", echo); err != nil {
		t.Fatal(err)
	}
	if err := evrpc.Register(rpc, "Slow", func(r *evrpc.Request[rpcMsg, rpcMsg]) {
		_ = base.Post(func() { echo(r) })
	}); err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = base.Loop(core.LoopNoExitOnEmpty)
	}()
	t.Cleanup(func() {
		<-srv.Shutdown(0)
		base.LoopBreak()
		<-done
	})
	return bs.Addr().(*net.TCPAddr).String()
}

// FuzzRPCRequest sends arbitrary bytes, as one client's requests, to an
// evrpc server over loopback and half-closes. The server must close the
// connection, and its first response must be an error (4xx or 5xx) or a
// 200 to a POST of an RPC's path whose body, decoded as the RPC's reply,
// equals the request's body decoded (the RPCs echo), when net/http can
// read that first request.
func FuzzRPCRequest(f *testing.F) {
	body := func(m rpcMsg) string {
		b, err := evtag.Marshal(&m)
		if err != nil {
			f.Fatal(err)
		}
		return string(b)
	}
	m1 := body(rpcMsg{Name: "a", Values: []uint32{1, 2, 300000}, Inner: &rpcInner{Note: "n", When: -5}})
	m2 := body(rpcMsg{Name: "b"})
	post := func(path, b string) string {
		return "POST " + path + " HTTP/1.1\r\nHost: x\r\nContent-Length: " + itoa(len(b)) + "\r\n\r\n" + b
	}
	for _, s := range []string{
		post("/.rpc.Echo", m1),
		post("/.rpc.Slow", m1) + post("/.rpc.Echo", m2),
		"POST /.rpc.Echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n" + itoa16(len(m2)) + "\r\n" + m2 + "\r\n0\r\nT: 1\r\n\r\n",
		post("/.rpc.Echo", "Some Nonsense"),
		post("/.rpc.Nope", m2),
		"GET /.rpc.Echo HTTP/1.1\r\nHost: x\r\n\r\n",
		"HEAD /.rpc.Echo HTTP/1.0\r\n\r\n",
		post("/.rpc.Echo", m1[:len(m1)/2]),
		"POST /.rpc.Echo HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: " + itoa(len(m2)) + "\r\n\r\n" + m2,
	} {
		f.Add([]byte(s))
	}
	addr := startRPCServer(f)
	f.Fuzz(func(t *testing.T, in []byte) {
		out := streamExchange(t, addr, in, 5*time.Second)
		if len(out) == 0 {
			return
		}
		// The first response answers the first request: to read it,
		// net/http needs to know whether that was a HEAD.
		var head *http.Request
		if bytes.HasPrefix(bytes.TrimLeft(in, "\r\n"), []byte("HEAD ")) {
			head = &http.Request{Method: "HEAD"}
		}
		br := bufio.NewReader(bytes.NewReader(out))
		resp, err := http.ReadResponse(br, head)
		interim := false
		for err == nil && resp.StatusCode == http.StatusContinue {
			interim = true
			resp, err = http.ReadResponse(br, head)
		}
		if interim && (errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF)) {
			// The body the 100 Continue asked for never came (the
			// half-close cut it short): the server closes without a
			// final response, as for any request cut short.
			return
		}
		if err != nil {
			t.Fatalf("first response unreadable: %v (% q)", err, out)
		}
		got, err := io.ReadAll(resp.Body)
		if err != nil {
			t.Fatalf("first response body: %v", err)
		}
		if resp.StatusCode != http.StatusOK {
			if resp.StatusCode < 400 || resp.StatusCode > 599 {
				t.Fatalf("status %d", resp.StatusCode)
			}
			return
		}
		req, err := http.ReadRequest(bufio.NewReader(bytes.NewReader(in)))
		if err != nil {
			return // evhttp is the judge of what net/http rejects
		}
		sent, err := io.ReadAll(req.Body)
		if err != nil {
			return
		}
		if req.Method != "POST" || (req.URL.Path != "/.rpc.Echo" && req.URL.Path != "/.rpc.Slow") {
			t.Fatalf("200 to %s %s", req.Method, req.URL)
		}
		var want, echoed rpcMsg
		if err := evtag.Unmarshal(sent, &want); err != nil {
			t.Fatalf("200 to a body that does not decode (%v): % x", err, sent)
		}
		if err := evtag.Unmarshal(got, &echoed); err != nil {
			t.Fatalf("reply does not decode: %v", err)
		}
		if !reflect.DeepEqual(want, echoed) {
			t.Fatalf("echo %+v of %+v", echoed, want)
		}
	})
}

// TestRPCRequestAnswers pins what FuzzRPCRequest's harness sees: a slow
// RPC pipelined before a fast one is answered first, each with its echo,
// and a body that does not decode gets 503.
func TestRPCRequestAnswers(t *testing.T) {
	addr := startRPCServer(t)
	m1 := rpcMsg{Name: "a", Values: []uint32{1, 2}, Inner: &rpcInner{Note: "n", When: -5}}
	m2 := rpcMsg{Name: "b"}
	var in bytes.Buffer
	for _, r := range []struct {
		path string
		m    *rpcMsg
	}{{"/.rpc.Slow", &m1}, {"/.rpc.Echo", &m2}, {"/.rpc.Echo", nil}} {
		b := []byte("Some Nonsense")
		if r.m != nil {
			var err error
			if b, err = evtag.Marshal(r.m); err != nil {
				t.Fatal(err)
			}
		}
		in.WriteString("POST " + r.path + " HTTP/1.1\r\nHost: x\r\nContent-Length: " + itoa(len(b)) + "\r\n\r\n")
		in.Write(b)
	}
	br := bufio.NewReader(bytes.NewReader(streamExchange(t, addr, in.Bytes(), 5*time.Second)))
	for i, want := range []*rpcMsg{&m1, &m2, nil} {
		resp, err := http.ReadResponse(br, nil)
		if err != nil {
			t.Fatalf("response %d: %v", i, err)
		}
		b, _ := io.ReadAll(resp.Body)
		if want == nil {
			if resp.StatusCode != http.StatusServiceUnavailable {
				t.Fatalf("response %d: status %d, want 503", i, resp.StatusCode)
			}
			continue
		}
		var got rpcMsg
		if resp.StatusCode != http.StatusOK || evtag.Unmarshal(b, &got) != nil || !reflect.DeepEqual(got, *want) {
			t.Fatalf("response %d: status %d, body %+v; want 200, %+v", i, resp.StatusCode, got, *want)
		}
	}
}
