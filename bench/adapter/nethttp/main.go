// Command nethttp is the peer in the adapter benchmark: the same
// http.Handler (package api) served by net/http's own http.Server, one
// goroutine per connection. run.sh pins the process to one CPU, so
// GOMAXPROCS is 1; the line it prints at start says so.
//
// SIGTERM or SIGINT closes the server and ends the process, writing the CPU
// profile first when -cpuprofile is set.
package main

import (
	"errors"
	"flag"
	"fmt"
	"net"
	"net/http"
	"os"

	"github.com/goevent/goevent/bench/adapter/internal/api"
	"github.com/goevent/goevent/bench/adapter/internal/serve"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:8080", "listen address host:port")
	cpuprofile := flag.String("cpuprofile", "", "write a CPU profile to this file")
	flag.Parse()
	if err := run(*addr, *cpuprofile); err != nil {
		fmt.Fprintln(os.Stderr, "nethttp:", err)
		os.Exit(1)
	}
}

func run(addr, cpuprofile string) error {
	stopProfile, err := serve.StartProfile(cpuprofile)
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	srv := &http.Server{Handler: api.Handler()}
	if err := serve.Describe(os.Stdout, ""); err != nil {
		return err
	}
	serve.OnStop(func() { srv.Close() })
	if err := srv.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return stopProfile()
}
