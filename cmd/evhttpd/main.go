// Command evhttpd is a static-file HTTP server built on goevent's evhttp:
// one event loop per CPU, bodies sent with sendfile(2), HTTPS, an access
// log in the combined format, JSON counters, graceful shutdown and
// systemd socket activation.
//
// With no flags it serves the current directory on 127.0.0.1:8080:
//
//	go run ./cmd/evhttpd
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
