// Command coder is a peer in the websocket benchmark: coder/websocket
// v1.8.15 on net/http's http.Server. Every path upgrades with
// websocket.Accept and default options (no compression); each
// connection's goroutine reads a message with Read and writes it back with
// Write. The read limit is raised from its default 32 KiB to 1 MiB so the
// check's larger messages pass; the benchmark's messages are within the
// default. run.sh pins the process to one CPU (GOMAXPROCS 1).
//
// SIGTERM or SIGINT closes the server and ends the process, writing the CPU
// profile first when -cpuprofile is set.
package main

import (
	"context"
	"net/http"

	"github.com/coder/websocket"

	"github.com/goevent/goevent/bench/internal/serve"
)

func main() {
	serve.Main("coder", func(addr, cpuprofile string) error {
		return serve.HTTP(addr, cpuprofile, http.HandlerFunc(echo))
	})
}

// echo upgrades the request and sends every message back until the
// connection ends.
func echo(w http.ResponseWriter, r *http.Request) {
	c, err := websocket.Accept(w, r, nil)
	if err != nil {
		return // Accept answered the request with an error status
	}
	defer c.CloseNow()
	c.SetReadLimit(1 << 20)
	ctx := context.Background()
	for {
		op, msg, err := c.Read(ctx)
		if err != nil {
			return // the close handshake, or the connection failed
		}
		if err := c.Write(ctx, op, msg); err != nil {
			return
		}
	}
}
