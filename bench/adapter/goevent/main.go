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
	"flag"
	"fmt"
	"os"

	"github.com/goevent/goevent/bench/adapter/internal/api"
	"github.com/goevent/goevent/bench/adapter/internal/serve"
	"github.com/goevent/goevent/core"
	"github.com/goevent/goevent/evhttp"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:8080", "listen address host:port")
	cpuprofile := flag.String("cpuprofile", "", "write a CPU profile to this file")
	flag.Parse()
	if err := run(*addr, *cpuprofile); err != nil {
		fmt.Fprintln(os.Stderr, "goevent:", err)
		os.Exit(1)
	}
}

func run(addr, cpuprofile string) error {
	stopProfile, err := serve.StartProfile(cpuprofile)
	if err != nil {
		return err
	}
	base, err := core.NewBase()
	if err != nil {
		return err
	}
	defer base.Close()
	a := evhttp.NewHandlerAdapter(api.Handler(), nil)
	srv := evhttp.New(base, nil)
	srv.SetGenCallbackWith(a.Serve, evhttp.RouteOptions{StreamBody: true})
	if _, err := srv.Bind(addr); err != nil {
		return err
	}
	cfg := a.Config()
	if err := serve.Describe(os.Stdout, fmt.Sprintf("workers=%d queue=%d", cfg.Workers, cfg.QueueSize)); err != nil {
		return err
	}
	serve.OnStop(func() { base.LoopBreak() })
	if err := base.Dispatch(); err != nil {
		return err
	}
	return stopProfile()
}
