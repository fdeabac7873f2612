// Command gnet is the gnet v2 peer of the HTTP benchmark, on one event loop
// (WithMulticore(false), WithNumEventLoop(1); run.sh pins the process to one
// CPU and GOMAXPROCS follows the affinity mask).
//
// It does not parse HTTP. It counts requests by their ends (each
// "\r\n\r\n" in the bytes received), answers each with the same fixed
// reply (200, Content-Type: text/plain, Content-Length: 13, Date,
// "Hello, World!") and keeps whatever follows the last end for the next
// read. It reads no request line, header or body, so it is the floor an
// HTTP server cannot go below, not an HTTP server: any bytes ending in a
// blank line get a 200.
package main

import (
	"bytes"
	"flag"
	"fmt"
	"net/http"
	"os"
	"sync/atomic"
	"time"

	"github.com/panjf2000/gnet/v2"
	"github.com/panjf2000/gnet/v2/pkg/logging"

	"github.com/goevent/goevent/bench/http/internal/memstat"
)

var requestEnd = []byte("\r\n\r\n")

type responder struct {
	gnet.BuiltinEventEngine
	reply   atomic.Pointer[[]byte] // the fixed reply with the current Date
	scratch []byte                 // replies for one read; used on the loop only
}

// OnTick runs on gnet's ticker goroutine once a second and renews the
// reply's Date.
func (s *responder) OnTick() (time.Duration, gnet.Action) {
	s.setReply(time.Now())
	return time.Second, gnet.None
}

func (s *responder) setReply(now time.Time) {
	b := []byte("HTTP/1.1 200 OK\r\nServer: gnet\r\nContent-Type: text/plain\r\nContent-Length: 13\r\nDate: " +
		now.UTC().Format(http.TimeFormat) + "\r\n\r\nHello, World!")
	s.reply.Store(&b)
}

// OnTraffic answers every complete request in the connection's buffer.
func (s *responder) OnTraffic(c gnet.Conn) gnet.Action {
	in, _ := c.Peek(-1)
	n, used := 0, 0
	for {
		i := bytes.Index(in[used:], requestEnd)
		if i < 0 {
			break
		}
		used += i + len(requestEnd)
		n++
	}
	if n == 0 {
		return gnet.None
	}
	_, _ = c.Discard(used)
	reply := *s.reply.Load()
	s.scratch = s.scratch[:0]
	for range n {
		s.scratch = append(s.scratch, reply...)
	}
	if _, err := c.Write(s.scratch); err != nil {
		return gnet.Close
	}
	return gnet.None
}

func main() {
	addr := flag.String("addr", "127.0.0.1:8080", "listen address host:port")
	stats := flag.String("stats", "", "on SIGUSR1, write memory figures to this file")
	loops := flag.Int("loops", 1, "event loops (more than 1: gnet's multicore mode)")
	flag.Parse()
	if err := memstat.RaiseNoFile(); err != nil {
		fatal(err)
	}
	memstat.ReportOnSignal(*stats)

	s := &responder{}
	s.setReply(time.Now())
	err := gnet.Run(s, "tcp4://"+*addr,
		gnet.WithMulticore(*loops > 1), gnet.WithNumEventLoop(*loops), gnet.WithTicker(true),
		gnet.WithTCPNoDelay(gnet.TCPNoDelay), gnet.WithTCPKeepAlive(0),
		gnet.WithLogLevel(logging.WarnLevel))
	if err != nil {
		fatal(err)
	}
}

func fatal(err error) {
	fmt.Fprintln(os.Stderr, "gnet:", err)
	os.Exit(1)
}
