// Command goproxy is Go's httputil.ReverseProxy in the static-file
// benchmark's proxy test: every request goes to -backend, over a
// Transport that keeps up to -idle idle keep-alive connections to it (Go's
// default of 2 per host would make it dial for most requests under wrk's
// 64 connections). One goroutine per client connection; run.sh pins the
// process to one CPU and GOMAXPROCS follows the affinity mask.
package main

import (
	"flag"
	"fmt"
	"net/http"
	"net/http/httputil"
	"net/url"
	"os"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:8080", "listen address host:port")
	backend := flag.String("backend", "http://127.0.0.1:8081", "upstream URL")
	idle := flag.Int("idle", 64, "idle connections kept to the backend")
	flag.Parse()
	u, err := url.Parse(*backend)
	if err != nil {
		fatal(err)
	}
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.MaxIdleConns = *idle
	tr.MaxIdleConnsPerHost = *idle
	rp := &httputil.ReverseProxy{
		Rewrite: func(r *httputil.ProxyRequest) {
			r.SetURL(u)
			r.Out.Host = r.In.Host
			r.SetXForwarded()
		},
		Transport: tr,
	}
	fatal((&http.Server{Addr: *addr, Handler: rp}).ListenAndServe())
}

func fatal(err error) {
	fmt.Fprintln(os.Stderr, "goproxy:", err)
	os.Exit(1)
}
