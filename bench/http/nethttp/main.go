// Command nethttp is Go's net/http server in the HTTP benchmark: an
// http.Server with one handler for every path, answering 200,
// Content-Type: text/plain, Content-Length: 13 and "Hello, World!"
// (net/http adds Date and keeps the connection alive). One goroutine per
// connection; run.sh pins the process to one CPU, and GOMAXPROCS follows
// the affinity mask.
package main

import (
	"flag"
	"fmt"
	"net/http"
	"os"
	"strconv"

	"github.com/goevent/goevent/bench/http/internal/memstat"
)

const hello = "Hello, World!"

func main() {
	addr := flag.String("addr", "127.0.0.1:8080", "listen address host:port")
	stats := flag.String("stats", "", "on SIGUSR1, write memory figures to this file")
	flag.Parse()
	if err := memstat.RaiseNoFile(); err != nil {
		fatal(err)
	}
	memstat.ReportOnSignal(*stats)

	body := []byte(hello)
	length := strconv.Itoa(len(body))
	srv := &http.Server{
		Addr: *addr,
		Handler: http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
			h := w.Header()
			h["Content-Type"] = []string{"text/plain"}
			h["Content-Length"] = []string{length}
			_, _ = w.Write(body)
		}),
	}
	fatal(srv.ListenAndServe())
}

func fatal(err error) {
	fmt.Fprintln(os.Stderr, "nethttp:", err)
	os.Exit(1)
}
