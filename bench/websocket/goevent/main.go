// Command goevent is goevent's echo server in the websocket benchmark: an
// evhttp.Server on one core.Base whose every path answers the opening
// handshake with evhttp.Upgrade (default WSConfig) and echoes each message
// back with SendMessage, which moves the received bytes into the output
// without copying. Everything runs on the loop goroutine; run.sh pins the
// process to one CPU (GOMAXPROCS 1).
//
// SIGTERM or SIGINT stops the loop and ends the process, writing the CPU
// profile first when -cpuprofile is set.
package main

import (
	"github.com/goevent/goevent/bench/internal/serve"
	"github.com/goevent/goevent/core"
	"github.com/goevent/goevent/evbuffer"
	"github.com/goevent/goevent/evhttp"
)

func main() {
	serve.Main("goevent", func(addr, cpuprofile string) error {
		return serve.Loop(cpuprofile, func(base *core.Base) (string, error) {
			srv := evhttp.New(base, nil)
			srv.SetGenCallback(upgrade)
			_, err := srv.Bind(addr)
			return "", err
		})
	})
}

// upgrade answers the opening handshake and makes the connection echo.
func upgrade(r *evhttp.Request) {
	ws, err := evhttp.Upgrade(r, nil)
	if err != nil {
		return // Upgrade answered the request with an error status
	}
	ws.OnMessage(echo)
}

// echo sends each message back as it came.
func echo(ws *evhttp.WSConn, op evhttp.Opcode, msg *evbuffer.Buffer) {
	if err := ws.SendMessage(op, msg); err != nil {
		ws.Close(evhttp.CloseInternalError, "")
	}
}
