// Command nethttp is the peer in the adapter benchmark: the same
// http.Handler (package api) served by net/http's own http.Server, one
// goroutine per connection. run.sh pins the process to one CPU, so
// GOMAXPROCS is 1; the line it prints at start says so.
//
// SIGTERM or SIGINT closes the server and ends the process, writing the CPU
// profile first when -cpuprofile is set.
package main

import (
	"github.com/goevent/goevent/bench/adapter/internal/api"
	"github.com/goevent/goevent/bench/internal/serve"
)

func main() {
	serve.Main("nethttp", func(addr, cpuprofile string) error {
		return serve.HTTP(addr, cpuprofile, api.Handler())
	})
}
