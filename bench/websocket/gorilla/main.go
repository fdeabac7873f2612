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
	"net/http"

	"github.com/gorilla/websocket"

	"github.com/goevent/goevent/bench/internal/serve"
)

func main() {
	serve.Main("gorilla", func(addr, cpuprofile string) error {
		return serve.HTTP(addr, cpuprofile, http.HandlerFunc(echo))
	})
}

// echo upgrades the request with a zero websocket.Upgrader and sends every
// message back until the connection ends.
func echo(w http.ResponseWriter, r *http.Request) {
	var up websocket.Upgrader
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
}
