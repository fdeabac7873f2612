// Command netrpc is the net/rpc server of the RPC benchmark: Go's net/rpc
// with its default gob codec over TCP, serving echo.Service, the idiomatic
// Go RPC peer. run.sh pins it to one CPU; GOMAXPROCS follows the affinity
// mask.
package main

import (
	"flag"
	"fmt"
	"net"
	"net/rpc"
	"os"

	"github.com/goevent/goevent/bench/rpc/internal/echo"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:8080", "listen address host:port")
	flag.Parse()
	srv := rpc.NewServer()
	if err := srv.Register(echo.Service{}); err != nil {
		fmt.Fprintln(os.Stderr, "netrpc:", err)
		os.Exit(1)
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		fmt.Fprintln(os.Stderr, "netrpc:", err)
		os.Exit(1)
	}
	srv.Accept(ln)
}
