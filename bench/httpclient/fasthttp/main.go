// Command fasthttp is fasthttp's HostClient in the HTTP client benchmark:
// -conns goroutines share one fasthttp.HostClient allowed -conns
// keep-alive connections to the server, and each goroutine sends GET / back
// to back for -dur with its own Request and Response (reused, as fasthttp
// intends), checking every reply (status 200, body "Hello, World!").
// run.sh pins it to one CPU, and GOMAXPROCS follows the affinity mask.
package main

import (
	"fmt"

	"github.com/valyala/fasthttp"

	"github.com/goevent/goevent/bench/httpclient/internal/clientrun"
)

func main() {
	f := clientrun.ParseFlags()
	hc := &fasthttp.HostClient{Addr: f.Addr, MaxConns: f.Conns}
	reqs := make([]fasthttp.Request, f.Conns)
	resps := make([]fasthttp.Response, f.Conns)
	for i := range reqs {
		reqs[i].SetRequestURI("http://" + f.Addr + "/")
	}
	r := clientrun.RunWorkers(f, func(w int) error {
		resp := &resps[w]
		if err := hc.Do(&reqs[w], resp); err != nil {
			return fmt.Errorf("fasthttp: %w", err)
		}
		return clientrun.Check(resp.StatusCode(), resp.Body())
	})
	hc.CloseIdleConnections()
	clientrun.Finish("fasthttp", r)
}
