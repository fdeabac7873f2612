// Command gnet is the gnet v2 peer of the bufferevent benchmark: an
// OnTraffic echo on one event loop (WithMulticore(false),
// WithNumEventLoop(1); GOMAXPROCS=1 and pinned to one CPU by run.sh).
// OnTraffic takes everything buffered with Next(-1) and writes it back.
package main

import (
	"flag"
	"fmt"
	"os"

	"github.com/panjf2000/gnet/v2"
	"github.com/panjf2000/gnet/v2/pkg/logging"

	"github.com/goevent/goevent/bench/bufferevent/internal/srvstat"
)

type echo struct {
	gnet.BuiltinEventEngine
	addr string
}

func (e *echo) OnBoot(gnet.Engine) gnet.Action {
	fmt.Println(e.addr) // listening: run.sh waits for this line
	return gnet.None
}

func (e *echo) OnTraffic(c gnet.Conn) gnet.Action {
	buf, _ := c.Next(-1)
	_, _ = c.Write(buf)
	return gnet.None
}

func main() {
	addr := flag.String("addr", "127.0.0.1:0", "listen address (a port must be given)")
	stats := flag.String("stats", "", "on SIGUSR1, write memory figures to this file")
	flag.Parse()
	srvstat.RaiseNoFile()
	srvstat.Serve(*stats)

	err := gnet.Run(&echo{addr: *addr}, "tcp4://"+*addr,
		gnet.WithMulticore(false), gnet.WithNumEventLoop(1),
		gnet.WithTCPNoDelay(gnet.TCPNoDelay), gnet.WithTCPKeepAlive(0),
		gnet.WithLogLevel(logging.WarnLevel)) // no banner on stdout
	if err != nil {
		fmt.Fprintln(os.Stderr, "gnet:", err)
		os.Exit(1)
	}
}
