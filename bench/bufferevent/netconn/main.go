// Command netconn is the plain-Go peer of the bufferevent benchmark: a
// net.Listener and one goroutine per connection on the runtime's poller
// (GOMAXPROCS=1 and pinned to one CPU by run.sh).
//
//	-mode echo:     each goroutine reads into its own 16 KiB buffer and
//	                writes back what it read. (Not io.Copy(c, c): on Linux
//	                that splices through a pipe held for the life of the
//	                connection, two more fds each, and 10k idle connections
//	                would need 30k fds of the 20k limit.)
//	-mode sendfile: io.Copy(tcpConn, file), which Go turns into
//	                sendfile(2), then Close.
package main

import (
	"flag"
	"fmt"
	"io"
	"net"
	"os"

	"github.com/goevent/goevent/bench/bufferevent/internal/srvstat"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:0", "listen address")
	mode := flag.String("mode", "echo", "echo or sendfile")
	file := flag.String("file", "", "file to send in -mode sendfile")
	stats := flag.String("stats", "", "on SIGUSR1, write memory figures to this file")
	flag.Parse()
	srvstat.RaiseNoFile()
	srvstat.Serve(*stats)

	handle := echo
	switch *mode {
	case "echo":
	case "sendfile":
		handle = func(c net.Conn) { sendFile(c, *file) }
	default:
		fatal(fmt.Errorf("unknown -mode %q", *mode))
	}
	ln, err := net.Listen("tcp4", *addr)
	if err != nil {
		fatal(err)
	}
	fmt.Println(ln.Addr())
	for {
		c, err := ln.Accept()
		if err != nil {
			fatal(err)
		}
		go handle(c)
	}
}

func echo(c net.Conn) {
	defer c.Close()
	buf := make([]byte, 16<<10)
	for {
		n, err := c.Read(buf)
		if n > 0 {
			if _, werr := c.Write(buf[:n]); werr != nil {
				return
			}
		}
		if err != nil {
			return
		}
	}
}

func sendFile(c net.Conn, path string) {
	defer c.Close()
	f, err := os.Open(path)
	if err != nil {
		fmt.Fprintln(os.Stderr, "netconn:", err)
		return
	}
	defer f.Close()
	_, _ = io.Copy(c, f) // *net.TCPConn.ReadFrom(*os.File): sendfile(2)
}

func fatal(err error) {
	fmt.Fprintln(os.Stderr, "netconn:", err)
	os.Exit(1)
}
