// Command fasthttp is the fasthttp peer of the HTTP benchmark: a
// fasthttp.Server whose handler answers every path with 200,
// Content-Type: text/plain and "Hello, World!" (fasthttp adds
// Content-Length, Date and Server, and keeps the connection alive). run.sh
// pins the process to one CPU; GOMAXPROCS follows the affinity mask.
package main

import (
	"flag"
	"fmt"
	"os"

	"github.com/valyala/fasthttp"

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
	srv := &fasthttp.Server{
		Name: "fasthttp",
		Handler: func(ctx *fasthttp.RequestCtx) {
			ctx.SetContentType("text/plain")
			ctx.SetBody(body)
		},
	}
	fatal(srv.ListenAndServe(*addr))
}

func fatal(err error) {
	fmt.Fprintln(os.Stderr, "fasthttp:", err)
	os.Exit(1)
}
