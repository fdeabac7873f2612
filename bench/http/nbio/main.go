// Command nbio is the nbio peer of the HTTP benchmark: an nbhttp.Engine
// with one poller and one listener (run.sh pins the process to one CPU;
// GOMAXPROCS follows the affinity mask) and an http.Handler that answers
// every path with 200, Content-Type: text/plain, Content-Length: 13 and
// "Hello, World!"; nbhttp adds Date and keeps the connection alive.
// Handlers run on nbhttp's default executor, its goroutine pool.
package main

import (
	"flag"
	"fmt"
	"net/http"
	"os"
	"os/signal"
	"strconv"
	"syscall"

	"github.com/lesismal/nbio/logging"
	"github.com/lesismal/nbio/nbhttp"

	"github.com/goevent/goevent/bench/http/internal/memstat"
)

const hello = "Hello, World!"

func main() {
	addr := flag.String("addr", "127.0.0.1:8080", "listen address host:port")
	stats := flag.String("stats", "", "on SIGUSR1, write memory figures to this file")
	loops := flag.Int("loops", 1, "pollers (event loops)")
	flag.Parse()
	if err := memstat.RaiseNoFile(); err != nil {
		fatal(err)
	}
	memstat.ReportOnSignal(*stats)
	logging.SetLevel(logging.LevelError)

	body := []byte(hello)
	length := strconv.Itoa(len(body))
	engine := nbhttp.NewEngine(nbhttp.Config{
		Network:   "tcp4",
		Addrs:     []string{*addr},
		NPoller:   *loops,
		NListener: 1,
		Handler: http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
			h := w.Header()
			h["Content-Type"] = []string{"text/plain"}
			h["Content-Length"] = []string{length}
			_, _ = w.Write(body)
		}),
	})
	if err := engine.Start(); err != nil {
		fatal(err)
	}
	stop := make(chan os.Signal, 1)
	signal.Notify(stop, syscall.SIGTERM, syscall.SIGINT)
	<-stop
	engine.Stop()
}

func fatal(err error) {
	fmt.Fprintln(os.Stderr, "nbio:", err)
	os.Exit(1)
}
