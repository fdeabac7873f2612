package evhttp_test

import (
	"fmt"
	"net/netip"
	"time"

	"github.com/goevent/goevent/core"
	"github.com/goevent/goevent/evbuffer"
	"github.com/goevent/goevent/evhttp"
)

// A client and the server it asks, both on one loop: the client posts a
// body, prints the answer, and stops the loop.
func ExampleConnection() {
	base, err := core.NewBase()
	if err != nil {
		panic(err)
	}
	defer base.Close()
	srv := evhttp.New(base, nil)
	srv.SetCallback("/echo", func(r *evhttp.Request) {
		r.OutputHeaders().Set("Content-Type", "text/plain")
		r.SendReply(evhttp.StatusOK, "", r.InputBuffer())
	})
	bs, err := srv.Bind("127.0.0.1:0")
	if err != nil {
		panic(err)
	}
	addr := netip.MustParseAddrPort(bs.Addr().String())

	conn := evhttp.NewConnection(base, nil, addr.Addr().String(), int(addr.Port()))
	conn.SetTimeout(5*time.Second, 5*time.Second, 5*time.Second)
	req := evhttp.NewClientRequest("POST", "/echo")
	req.Header().Set("Content-Type", "text/plain")
	req.Body().AddString("Hello, goevent!")
	stop := func() {
		conn.Close()
		done := srv.Shutdown(0)
		go func() { <-done; base.LoopBreak() }()
	}
	req.OnComplete(func(r *evhttp.ClientRequest) {
		body := make([]byte, r.ResponseBody().Len())
		r.ResponseBody().Read(body)
		fmt.Println(r.StatusCode(), r.ResponseHeader().Get("Content-Type"), string(body))
		stop()
	})
	req.OnError(func(r *evhttp.ClientRequest, err error) {
		fmt.Println("error:", err)
		stop()
	})
	if err := conn.MakeRequest(req); err != nil {
		panic(err)
	}
	base.Loop(core.LoopNoExitOnEmpty)
	// Output: 200 text/plain Hello, goevent!
}

// A response body taken as it arrives, with OnChunk, from a Pool that
// keeps connections per host:port.
func ExamplePool() {
	base, err := core.NewBase()
	if err != nil {
		panic(err)
	}
	defer base.Close()
	srv := evhttp.New(base, nil)
	srv.SetCallback("/count", func(r *evhttp.Request) {
		r.SendReplyStart(evhttp.StatusOK, "")
		for i := 1; i <= 3; i++ {
			var b evbuffer.Buffer
			fmt.Fprintf(&b, "%d ", i)
			r.SendReplyChunk(&b, nil)
		}
		r.SendReplyEnd()
	})
	bs, err := srv.Bind("127.0.0.1:0")
	if err != nil {
		panic(err)
	}
	addr := netip.MustParseAddrPort(bs.Addr().String())

	pool := evhttp.NewPool(base, &evhttp.PoolConfig{MaxConnsPerHost: 4})
	req := evhttp.NewClientRequest("GET", "/count")
	var got []byte
	req.OnChunk(func(r *evhttp.ClientRequest, b *evbuffer.Buffer) {
		p := make([]byte, b.Len())
		b.Read(p)
		got = append(got, p...)
	})
	finish := func() {
		total, idle := pool.Conns(addr.Addr().String(), int(addr.Port()))
		fmt.Printf("%s| %d connection, %d idle\n", got, total, idle)
		pool.Close()
		done := srv.Shutdown(0)
		go func() { <-done; base.LoopBreak() }()
	}
	req.OnComplete(func(*evhttp.ClientRequest) { finish() })
	req.OnError(func(_ *evhttp.ClientRequest, err error) { fmt.Println("error:", err); finish() })
	if err := pool.MakeRequest(addr.Addr().String(), int(addr.Port()), req); err != nil {
		panic(err)
	}
	base.Loop(core.LoopNoExitOnEmpty)
	// Output: 1 2 3 | 1 connection, 1 idle
}
