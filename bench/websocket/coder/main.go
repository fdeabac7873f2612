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
	"errors"
	"flag"
	"fmt"
	"net"
	"net/http"
	"os"

	"github.com/coder/websocket"

	"github.com/goevent/goevent/bench/websocket/internal/serve"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:8080", "listen address host:port")
	cpuprofile := flag.String("cpuprofile", "", "write a CPU profile to this file")
	flag.Parse()
	if err := run(*addr, *cpuprofile); err != nil {
		fmt.Fprintln(os.Stderr, "coder:", err)
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
	srv := &http.Server{Handler: http.HandlerFunc(echo)}
	if err := serve.Describe(os.Stdout, ""); err != nil {
		return err
	}
	serve.OnStop(func() { srv.Close() })
	if err := srv.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return stopProfile()
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
