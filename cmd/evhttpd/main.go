// Command evhttpd is a static-file HTTP server and reverse proxy built on
// goevent's evhttp: one event loop per CPU, bodies sent with sendfile(2)
// (those up to 16 KiB copied into the reply), an optional open-file cache,
// HTTPS, an access log in the combined format, JSON counters, graceful
// shutdown and systemd socket activation.
//
// With no flags it serves the current directory on 127.0.0.1:8080:
//
//	go run ./cmd/evhttpd
//
// With -proxy PREFIX=URL (repeatable), requests whose cleaned path starts
// with PREFIX (the longest prefix wins) go to the upstream URL, an
// http://host[:port], https://host[:port] or unix:/path server, with the
// request-target unchanged (PREFIX stays in the upstream path). Bodies
// stream both ways with backpressure; hop-by-hop fields are removed;
// X-Forwarded-For, -Proto and -Host are added; Host is passed as the
// client sent it. An upstream that refuses, resets or sends garbage gets
// the client a 502, one that times out (-timeout) a 504; WebSocket
// upgrades are tunnelled. -max-body applies to proxied bodies too.
//
// Run "evhttpd -h" for the flags. Signals: SIGTERM and SIGINT stop
// accepting, let requests in progress finish for up to -grace, and exit
// 0; SIGHUP reopens the access log and reloads the TLS certificate.
//
// Exit status: 0 after a clean shutdown (and for -h), 2 when it cannot
// start (bad flags, a missing root, an unreadable certificate, a port in
// use), with a one-line error on stderr, 1 for a failure while running.
package main

import (
	"os"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stderr))
}
