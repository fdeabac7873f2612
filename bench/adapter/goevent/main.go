// Command goevent is goevent's server in the adapter benchmark: the
// benchmark's http.Handler (package api) served by evhttp.HandlerAdapter
// on one evhttp.Server on one core.Base, with the default Config and the
// default AdapterConfig. run.sh pins the process to one CPU, so GOMAXPROCS
// is 1 and the adapter's worker pool is DefaultAdapterWorkersPerCPU × 1
// goroutines; the line it prints at start says so.
//
// SIGTERM or SIGINT stops the loop and ends the process, writing the CPU
// profile first when -cpuprofile is set.
package main

import (
	"fmt"

	"github.com/goevent/goevent/bench/adapter/internal/api"
	"github.com/goevent/goevent/bench/internal/serve"
	"github.com/goevent/goevent/core"
	"github.com/goevent/goevent/evhttp"
)

func main() {
	serve.Main("goevent", func(addr, cpuprofile string) error {
		return serve.Loop(cpuprofile, func(base *core.Base) (string, error) {
			a := evhttp.NewHandlerAdapter(api.Handler(), nil)
			srv := evhttp.New(base, nil)
			srv.SetGenCallbackWith(a.Serve, evhttp.RouteOptions{StreamBody: true})
			if _, err := srv.Bind(addr); err != nil {
				return "", err
			}
			cfg := a.Config()
			return fmt.Sprintf("workers=%d queue=%d", cfg.Workers, cfg.QueueSize), nil
		})
	})
}
