package fuzz

import (
	"errors"
	"testing"
	"time"

	"github.com/goevent/goevent/core"
	"github.com/goevent/goevent/evhttp"
	"github.com/goevent/goevent/internal/basetest"
)

// poolMaxBody is the response body limit of FuzzPoolResponse's client.
const poolMaxBody = 1 << 16

// clientErrors are the errors a request may end with when its upstream
// answers anything and then closes: a timeout or an unknown error is a bug.
var clientErrors = []error{evhttp.ErrEOF, evhttp.ErrBadResponse, evhttp.ErrResponseTooLarge, evhttp.ErrConnectionClosed}

var poolMethods = []string{"GET", "HEAD", "POST", "DELETE"}

// FuzzPoolResponse answers a request made through an evhttp Pool with
// arbitrary bytes from a loopback upstream that then closes. The request
// must end exactly once, in its complete callback with a final status and
// a body within the limit (none to HEAD), or in its error callback with one
// of the client's errors, long before the client's timeouts; the Pool must
// then hold no connection and leave no event on the Base.
func FuzzPoolResponse(f *testing.F) {
	for _, s := range []string{
		"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello",
		"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5;x=1\r\nhello\r\n0\r\nT: 1\r\n\r\n",
		"HTTP/1.0 200 OK\r\n\r\nuntil close",
		"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early\r\nLink: <a>\r\n\r\nHTTP/1.1 204 No Content\r\n\r\n",
		"HTTP/1.1 200 OK\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
		"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nshort",
		"HTTP/1.1 301 Moved\r\nLocation: /x\r\nContent-Length: 0\r\n\r\nHTTP/1.1 200 OK\r\n\r\n",
		"HTTP/1.1 200 OK\r\nX: a\r\n b\r\nContent-Length: 0\r\n\r\n",
		"HTTP/1.1 101 Switching Protocols\r\nUpgrade: x\r\n\r\nraw",
		"HTTP/1.1 200 OK\r\nContent-Length: 70000\r\n\r\n",
		"HTTP/1.1 200 OK\nContent-Length: 1\n\nx",
		"",
	} {
		f.Add([]byte(s), uint8(0))
	}
	f.Add([]byte("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello"), uint8(1))
	up := startHTTPUpstream(f)
	base := basetest.New(f)
	f.Fuzz(func(t *testing.T, answer []byte, m uint8) {
		poolExchange(t, base, up, answer, poolMethods[int(m)%len(poolMethods)])
	})
}

// poolOutcome is how one request through a Pool ended.
type poolOutcome struct {
	status int   // 0 if the request failed
	body   int   // bytes of response body
	err    error // nil if the request completed
}

// poolExchange makes one method request through a new Pool to up, which
// answers with answer and closes, checks FuzzPoolResponse's properties and
// returns the outcome.
func poolExchange(t *testing.T, base *core.Base, up *httpUpstream, answer []byte, method string) poolOutcome {
	t.Helper()
	up.serve(answer)
	before, _ := base.NumEvents()
	pool := evhttp.NewPool(base, &evhttp.PoolConfig{
		Configure: func(c *evhttp.Connection) {
			c.SetTimeout(5*time.Second, 5*time.Second, 5*time.Second)
			c.SetMaxBodySize(poolMaxBody)
		},
	})
	req := evhttp.NewClientRequest(method, "/fuzz")
	req.Header().Set("Host", "upstream.test")
	if method == "POST" {
		req.Body().AddString("body")
	}
	var out poolOutcome
	ends := 0
	req.OnComplete(func(r *evhttp.ClientRequest) {
		ends++
		out.status, out.body = r.StatusCode(), r.ResponseBody().Len()
		base.LoopBreak()
	})
	req.OnError(func(r *evhttp.ClientRequest, err error) {
		ends++
		out.err = err
		base.LoopBreak()
	})
	if err := pool.MakeRequest("127.0.0.1", up.port(), req); err != nil {
		t.Fatalf("MakeRequest: %v", err)
	}
	// Under the client's timeouts: the upstream's close must end it.
	basetest.Run(t, base, 4*time.Second)
	// Let callbacks still due run: none may end the request again.
	if err := base.Loop(core.LoopNonblock); err != nil {
		t.Fatal(err)
	}
	if ends != 1 {
		t.Fatalf("request ended %d times", ends)
	}
	if err := up.requestError(); err != nil {
		t.Fatalf("net/http could not read the client's %s request: %v", method, err)
	}
	if out.err != nil {
		if !isOneOf(out.err, clientErrors) {
			t.Fatalf("request failed with %v, not one of the client's errors", out.err)
		}
	} else {
		switch {
		case out.status < 200 || out.status > 999:
			t.Fatalf("completed with status %d", out.status)
		case out.body > poolMaxBody:
			t.Fatalf("completed with a body of %d bytes over the %d limit", out.body, poolMaxBody)
		case method == "HEAD" && out.body != 0:
			t.Fatalf("HEAD completed with a body of %d bytes", out.body)
		}
	}
	pool.Close()
	for range 4 {
		if err := base.Loop(core.LoopNonblock); err != nil {
			t.Fatal(err)
		}
	}
	if total, idle := pool.Conns("127.0.0.1", up.port()); total != 0 || idle != 0 {
		t.Fatalf("closed pool holds %d connections (%d idle)", total, idle)
	}
	if after, _ := base.NumEvents(); after != before {
		t.Fatalf("%d events on the Base before the request, %d after closing the pool", before, after)
	}
	return out
}

// TestPoolResponseOutcomes pins what FuzzPoolResponse's harness sees for
// a few answers, so that a harness that never reaches the client fails.
func TestPoolResponseOutcomes(t *testing.T) {
	up := startHTTPUpstream(t)
	base := basetest.New(t)
	tests := []struct {
		name, method, answer string
		status, body         int
		err                  error
	}{
		{"length", "GET", "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello", 200, 5, nil},
		{"chunked trailer", "GET", "HTTP/1.1 201 Created\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\nT: 1\r\n\r\n", 201, 3, nil},
		{"until close", "GET", "HTTP/1.0 200 OK\r\n\r\nuntil close", 200, 11, nil},
		{"interim skipped", "GET", "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 204 No Content\r\n\r\n", 204, 0, nil},
		{"HEAD ignores length", "HEAD", "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n", 200, 0, nil},
		{"POST", "POST", "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok", 200, 2, nil},
		{"short body", "GET", "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nshort", 0, 0, evhttp.ErrEOF},
		{"nothing", "GET", "", 0, 0, evhttp.ErrEOF},
		{"CL and TE", "GET", "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", 0, 0, evhttp.ErrBadResponse},
		{"too large", "GET", "HTTP/1.1 200 OK\r\nContent-Length: 70000\r\n\r\n", 0, 0, evhttp.ErrResponseTooLarge},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := poolExchange(t, base, up, []byte(tt.answer), tt.method)
			if got.status != tt.status || got.body != tt.body || !errors.Is(got.err, tt.err) || (tt.err == nil) != (got.err == nil) {
				t.Fatalf("got status %d, body %d, error %v; want %d, %d, %v", got.status, got.body, got.err, tt.status, tt.body, tt.err)
			}
		})
	}
}

func isOneOf(err error, targets []error) bool {
	for _, e := range targets {
		if errors.Is(err, e) {
			return true
		}
	}
	return false
}
