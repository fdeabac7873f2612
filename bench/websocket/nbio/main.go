// Command nbio is a peer in the websocket benchmark: nbio v1.6.8's
// websocket (nbhttp/websocket) on an nbhttp.Engine with one poller and one
// listener. Every path upgrades with a websocket.Upgrader from
// NewUpgrader (defaults: no compression); its OnMessage handler writes each
// message back with WriteMessage. nbio runs the handlers on its default
// executor, a goroutine pool, and releases each payload after its handler
// (ReleaseWebsocketPayload, as its DefaultEngine does). run.sh pins the
// process to one CPU (GOMAXPROCS 1).
//
// SIGTERM or SIGINT stops the engine and ends the process, writing the CPU
// profile first when -cpuprofile is set.
package main

import (
	"net/http"
	"os"

	"github.com/lesismal/nbio/logging"
	"github.com/lesismal/nbio/nbhttp"
	"github.com/lesismal/nbio/nbhttp/websocket"

	"github.com/goevent/goevent/bench/internal/serve"
)

func main() {
	serve.Main("nbio", run)
}

func run(addr, cpuprofile string) error {
	stopProfile, err := serve.StartProfile(cpuprofile)
	if err != nil {
		return err
	}
	logging.SetLevel(logging.LevelError)
	up := websocket.NewUpgrader()
	up.OnMessage(func(c *websocket.Conn, op websocket.MessageType, msg []byte) {
		if err := c.WriteMessage(op, msg); err != nil {
			c.Close()
		}
	})
	engine := nbhttp.NewEngine(nbhttp.Config{
		Network:   "tcp4",
		Addrs:     []string{addr},
		NPoller:   1,
		NListener: 1,
		Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			// An error was answered with an error status by Upgrade.
			_, _ = up.Upgrade(w, r, nil)
		}),
		ReleaseWebsocketPayload: true,
	})
	if err := engine.Start(); err != nil {
		return err
	}
	if err := serve.Describe(os.Stdout, ""); err != nil {
		return err
	}
	done := make(chan struct{})
	serve.OnStop(func() {
		engine.Stop()
		close(done)
	})
	<-done
	return stopProfile()
}
