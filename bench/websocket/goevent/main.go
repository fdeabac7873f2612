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
	"flag"
	"fmt"
	"os"

	"github.com/goevent/goevent/bench/websocket/internal/serve"
	"github.com/goevent/goevent/core"
	"github.com/goevent/goevent/evbuffer"
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
	srv := evhttp.New(base, nil)
	srv.SetGenCallback(upgrade)
	if _, err := srv.Bind(addr); err != nil {
		return err
	}
	if err := serve.Describe(os.Stdout, ""); err != nil {
		return err
	}
	serve.OnStop(func() { base.LoopBreak() })
	if err := base.Dispatch(); err != nil {
		return err
	}
	return stopProfile()
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
