// Command goevent is goevent's server in the TLS benchmark: ssl.NewServer
// on each connection core.Listen accepts, all on one loop (run.sh pins the
// process to one CPU; GOMAXPROCS follows the affinity mask). It uses only
// the public API.
//
// -mode handshake: each connection makes its handshake, gets the byte
// tlsconf.Ack and is freed once the client closes. -mode bulk: once the
// handshake is done the server adds two tlsconf.Chunk-byte references to
// one buffer to Output, and two more each time Output is empty, until the
// client goes away. (A write low watermark of one chunk, topping up before
// Output empties, measured about half the MB/s on a loaded machine.)
package main

import (
	"crypto/tls"
	"flag"
	"fmt"
	"net/netip"
	"os"

	"github.com/goevent/goevent/bench/tls/internal/tlsconf"
	"github.com/goevent/goevent/bufferevent"
	"github.com/goevent/goevent/core"
	"github.com/goevent/goevent/ssl"
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
	base, err := core.NewBase()
	if err != nil {
		fatal(err)
	}
	s := &server{base: base, cfg: cfg, bulk: *mode == "bulk", data: make([]byte, tlsconf.Chunk)}
	ln, err := core.Listen(base, "tcp", *addr, s.accept)
	if err != nil {
		fatal(err)
	}
	fmt.Println(ln.Addr()) // run.sh waits for this line
	if err := base.Dispatch(); err != nil {
		fatal(err)
	}
}

type server struct {
	base *core.Base
	cfg  *tls.Config
	bulk bool
	data []byte
}

func (s *server) accept(fd int, _ netip.AddrPort) {
	bev, err := ssl.NewServer(s.base, fd, s.cfg, bufferevent.CloseOnFree)
	if err != nil {
		// Whether fd is closed depends on where NewServer failed: a server
		// that cannot take a connection is broken, so stop (run.sh notices).
		fatal(err)
	}
	var write func(*bufferevent.BufferEvent)
	if s.bulk {
		write = s.fill // runs when Output is empty (write low watermark 0)
	}
	bev.SetCallbacks(drain, write, s.event)
	if err := bev.Enable(bufferevent.Read | bufferevent.Write); err != nil {
		bev.Free()
		fmt.Fprintln(os.Stderr, "goevent:", err)
	}
}

// event answers a finished handshake and frees the connection when it ends.
func (s *server) event(bev *bufferevent.BufferEvent, what bufferevent.What, _ error) {
	if what&bufferevent.Connected != 0 {
		if s.bulk {
			s.fill(bev)
			return
		}
		if _, err := bev.Write([]byte{tlsconf.Ack}); err != nil {
			bev.Free()
		}
		return
	}
	bev.Free() // EOF, Error or Timeout
}

// fill queues two chunks.
func (s *server) fill(bev *bufferevent.BufferEvent) {
	for bev.Output().Len() < 2*tlsconf.Chunk {
		if err := bev.Output().AddReference(s.data, nil); err != nil {
			bev.Free()
			return
		}
	}
}

// drain discards what the client sends.
func drain(bev *bufferevent.BufferEvent) {
	bev.Input().Drain(bev.Input().Len())
}

func fatal(err error) {
	fmt.Fprintln(os.Stderr, "goevent:", err)
	os.Exit(1)
}
