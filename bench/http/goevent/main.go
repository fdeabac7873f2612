// Command goevent is goevent's server in the HTTP benchmark: evhttp.New on
// one core.Base (one event loop; run.sh pins it to one CPU and GOMAXPROCS
// follows the affinity mask) with the default Config, so every limit,
// timeout and parser check is on. A general callback answers every path
// with 200, Content-Type: text/plain and "Hello, World!"; the server adds
// Content-Length, Date and keep-alive as it does for any reply. It uses
// only the public API.
//
// With -loops N (N > 1) the server runs on N loops (core.NewLoops and
// evhttp.NewOnLoops: one SO_REUSEPORT listener per loop), for the scaling
// test of run.sh.
//
// With -stats, SIGUSR1 makes it write its memory figures (VmRSS, the Go
// heap) to that file after runtime.GC and debug.FreeOSMemory.
package main

import (
	"flag"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/goevent/goevent/bench/http/internal/memstat"
	"github.com/goevent/goevent/core"
	"github.com/goevent/goevent/evhttp"
)

const hello = "Hello, World!"

func main() {
	addr := flag.String("addr", "127.0.0.1:8080", "listen address host:port")
	stats := flag.String("stats", "", "on SIGUSR1, write memory figures to this file")
	loops := flag.Int("loops", 1, "event loops (more than 1: core.NewLoops and evhttp.NewOnLoops)")
	flag.Parse()
	if err := memstat.RaiseNoFile(); err != nil {
		fatal(err)
	}
	memstat.ReportOnSignal(*stats)

	var err error
	if *loops > 1 {
		err = serveOnLoops(*addr, *loops)
	} else {
		err = serveOnBase(*addr)
	}
	if err != nil {
		fatal(err)
	}
}

// serveOnBase runs the server on one Base in this goroutine.
func serveOnBase(addr string) error {
	base, err := core.NewBase()
	if err != nil {
		return err
	}
	srv := evhttp.New(base, nil)
	srv.SetGenCallback(serve)
	if _, err := srv.Bind(addr); err != nil {
		return err
	}
	return base.Dispatch()
}

// serveOnLoops runs the server on n loops until SIGTERM or SIGINT.
func serveOnLoops(addr string, n int) error {
	ls, err := core.NewLoops(n)
	if err != nil {
		return err
	}
	defer ls.Close()
	srv := evhttp.NewOnLoops(ls, nil)
	srv.SetGenCallback(serve)
	if _, err := srv.Bind(addr); err != nil {
		return err
	}
	stop := make(chan os.Signal, 1)
	signal.Notify(stop, syscall.SIGTERM, syscall.SIGINT)
	<-stop
	return nil
}

// serve answers every request the same way.
func serve(r *evhttp.Request) {
	r.OutputHeaders().Set("Content-Type", "text/plain")
	if err := r.OutputBuffer().AddString(hello); err != nil {
		fmt.Fprintln(os.Stderr, "goevent:", err)
	}
	if err := r.SendReply(evhttp.StatusOK, "", nil); err != nil {
		fmt.Fprintln(os.Stderr, "goevent:", err)
	}
}

func fatal(err error) {
	fmt.Fprintln(os.Stderr, "goevent:", err)
	os.Exit(1)
}
