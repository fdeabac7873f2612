// Command goevent is goevent's server in the RPC benchmark: evrpc on an
// evhttp.Server on one core.Base (one event loop; run.sh pins it to one
// CPU and GOMAXPROCS follows the affinity mask), with the default Config,
// serving the Echo RPC of package echo. It uses only the public API.
package main

import (
	"flag"
	"fmt"
	"os"

	"github.com/goevent/goevent/bench/rpc/internal/echo"
	"github.com/goevent/goevent/core"
	"github.com/goevent/goevent/evhttp"
	"github.com/goevent/goevent/evrpc"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:8080", "listen address host:port")
	flag.Parse()
	if err := serve(*addr); err != nil {
		fmt.Fprintln(os.Stderr, "goevent:", err)
		os.Exit(1)
	}
}

func serve(addr string) error {
	base, err := core.NewBase()
	if err != nil {
		return err
	}
	srv := evhttp.New(base, nil)
	if _, err := srv.Bind(addr); err != nil {
		return err
	}
	err = echo.RegisterEcho(evrpc.NewBase(srv), func(r *evrpc.Request[echo.EchoReq, echo.EchoRep]) {
		echo.Answer(r.Req, r.Reply)
		r.Done()
	})
	if err != nil {
		return err
	}
	return base.Dispatch()
}
