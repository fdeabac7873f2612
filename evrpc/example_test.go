package evrpc_test

import (
	"fmt"
	"net"

	"github.com/goevent/goevent/core"
	"github.com/goevent/goevent/evhttp"
	"github.com/goevent/goevent/evrpc"
)

// Ping and Pong would normally come from evrpcgen and a .rpc file:
//
//	struct ping { string text = 1; }
//	struct pong { string text = 1; int count = 2; }
type Ping struct {
	Text string `evtag:"1"`
}

type Pong struct {
	Text  string `evtag:"1"`
	Count uint32 `evtag:"2"`
}

func Example() {
	base, _ := core.NewBase()
	defer base.Close()

	// The server: an evhttp.Server with an RPC on /.rpc.Ping.
	srv := evhttp.New(base, nil)
	bs, _ := srv.Bind("127.0.0.1:0")
	rpc := evrpc.NewBase(srv)
	evrpc.Register(rpc, "Ping", func(r *evrpc.Request[Ping, Pong]) {
		r.Reply.Text = "pong: " + r.Req.Text
		r.Reply.Count = uint32(len(r.Req.Text))
		r.Done()
	})

	// The client: a Pool with one connection to the server.
	pool := evrpc.NewPool(base, &evrpc.PoolConfig{Timeout: 0})
	pool.AddConnection(evhttp.NewConnection(base, nil, "127.0.0.1", bs.Addr().(*net.TCPAddr).Port))
	var reply Pong
	evrpc.MakeRequest(pool, "Ping", &Ping{Text: "hello"}, &reply, func(err error) {
		fmt.Println(reply.Text, reply.Count, err)
		pool.Close()
		srv.Shutdown(0)
		base.LoopBreak()
	})
	base.Dispatch()
	// Output: pong: hello 5 <nil>
}
