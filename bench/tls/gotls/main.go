// Command gotls is the peer server of the TLS benchmark: crypto/tls on
// net.Conn, a goroutine per connection, as net/http runs TLS. run.sh pins
// it to one CPU (GOMAXPROCS follows the affinity mask).
//
// -mode handshake: each connection makes its handshake, gets the byte
// tlsconf.Ack and is closed once the client closes. -mode bulk: once the
// handshake is done the server writes tlsconf.Chunk bytes at a time until
// the client goes away.
package main

import (
	"crypto/tls"
	"flag"
	"fmt"
	"io"
	"net"
	"os"

	"github.com/goevent/goevent/bench/tls/internal/tlsconf"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:0", "listen address host:port")
	mode := flag.String("mode", "handshake", "handshake or bulk")
	certFile := flag.String("cert", "", "certificate file")
	keyFile := flag.String("key", "", "key file")
	flag.Parse()
	cfg, err := tlsconf.Server(*certFile, *keyFile)
	if err != nil {
		fatal(err)
	}
	if *mode != "handshake" && *mode != "bulk" {
		fatal(fmt.Errorf("unknown -mode %q", *mode))
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		fatal(err)
	}
	fmt.Println(ln.Addr()) // run.sh waits for this line
	data := make([]byte, tlsconf.Chunk)
	for {
		c, err := ln.Accept()
		if err != nil {
			fatal(err)
		}
		go serve(tls.Server(c, cfg), *mode == "bulk", data)
	}
}

func serve(c *tls.Conn, bulk bool, data []byte) {
	defer c.Close()
	if err := c.Handshake(); err != nil {
		return
	}
	if bulk {
		for {
			if _, err := c.Write(data); err != nil {
				return
			}
		}
	}
	if _, err := c.Write([]byte{tlsconf.Ack}); err != nil {
		return
	}
	io.Copy(io.Discard, c) // until the client closes
}

func fatal(err error) {
	fmt.Fprintln(os.Stderr, "gotls:", err)
	os.Exit(1)
}
