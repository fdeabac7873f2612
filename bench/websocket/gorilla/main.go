// Command gorilla is a peer in the websocket benchmark: gorilla/websocket
// v1.5.3 on net/http's http.Server. Every path upgrades with a zero
// websocket.Upgrader (its default 4 KiB buffers, no compression); each
// connection's goroutine reads a message with ReadMessage and writes it
// back with WriteMessage, as gorilla's own echo example does. run.sh pins
// the process to one CPU (GOMAXPROCS 1).
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

	"github.com/gorilla/websocket"

	"github.com/goevent/goevent/bench/websocket/internal/serve"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:8080", "listen address host:port")
	cpuprofile := flag.String("cpuprofile", "", "write a CPU profile to this file")
	flag.Parse()
	if err := run(*addr, *cpuprofile); err != nil {
		fmt.Fprintln(os.Stderr, "gorilla:", err)
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
	var up websocket.Upgrader
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, err := up.Upgrade(w, r, nil)
		if err != nil {
			return // Upgrade answered the request with an error status
		}
		defer c.Close()
		for {
			op, msg, err := c.ReadMessage()
			if err != nil {
				return // the close handshake, or the connection failed
			}
			if err := c.WriteMessage(op, msg); err != nil {
				return
			}
		}
	})}
	if err := serve.Describe(os.Stdout, ""); err != nil {
		return err
	}
	serve.OnStop(func() { srv.Close() })
	if err := srv.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return stopProfile()
}
