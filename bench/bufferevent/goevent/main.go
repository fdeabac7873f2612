// Command goevent is the goevent side of the bufferevent benchmark: one
// core.Base (one event loop, run with GOMAXPROCS=1 and pinned to one CPU by
// run.sh), core.Listen accepting without a goroutine, and a
// bufferevent.NewSocket per connection.
//
//	-mode echo:     the read callback moves Input to Output with AddBuffer
//	                (segments move, nothing is copied); EOF or Error frees.
//	-mode sendfile: each connection gets -file appended to its Output with
//	                evbuffer.AddFile (sent with sendfile(2)); when Output has
//	                drained, the write callback frees the connection, which
//	                closes it, so the client reads to EOF.
//
// -max raises the per-event read and write limits (SetMaxSingleRead,
// SetMaxSingleWrite) above libevent's default of 16 KiB; run.sh runs that
// variant as goevent-1m in the stream and sendfile tests.
package main

import (
	"flag"
	"fmt"
	"net/netip"
	"os"

	"golang.org/x/sys/unix"

	"github.com/goevent/goevent/bench/bufferevent/internal/srvstat"
	"github.com/goevent/goevent/bufferevent"
	"github.com/goevent/goevent/core"
	"github.com/goevent/goevent/sendfile"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:0", "listen address")
	mode := flag.String("mode", "echo", "echo or sendfile")
	file := flag.String("file", "", "file to send in -mode sendfile")
	stats := flag.String("stats", "", "on SIGUSR1, write memory figures to this file")
	maxSingle := flag.Int("max", 0, "SetMaxSingleRead and SetMaxSingleWrite (0: the default, 16 KiB as in libevent)")
	flag.Parse()
	srvstat.RaiseNoFile()
	srvstat.Serve(*stats)

	b, err := core.NewBase()
	if err != nil {
		fatal(err)
	}
	var f *sendfile.File
	if *mode == "sendfile" {
		if f, err = sendfile.Open(*file); err != nil {
			fatal(err)
		}
	} else if *mode != "echo" {
		fatal(fmt.Errorf("unknown -mode %q", *mode))
	}

	ln, err := core.Listen(b, "tcp4", *addr, func(fd int, _ netip.AddrPort) {
		bev, err := bufferevent.NewSocket(b, fd, bufferevent.CloseOnFree)
		if err != nil {
			unix.Close(fd)
			return
		}
		if *maxSingle > 0 {
			bev.SetMaxSingleRead(*maxSingle)
			bev.SetMaxSingleWrite(*maxSingle)
		}
		if f != nil {
			bev.SetHandler(sender{})
			if err := bev.Output().AddFile(f, 0, f.Size()); err != nil {
				bev.Free()
			}
			return
		}
		bev.SetHandler(echoer{})
		_ = bev.Enable(bufferevent.Read)
	}, core.WithBacklog(4096))
	if err != nil {
		fatal(err)
	}
	fmt.Println(ln.Addr())
	if err := b.Dispatch(); err != nil {
		fatal(err)
	}
}

func fatal(err error) {
	fmt.Fprintln(os.Stderr, "goevent:", err)
	os.Exit(1)
}

// echoer is the echo connections' bufferevent.Handler: a stateless value,
// so a connection costs no closure (as a server's per-connection type
// would be in a real program).
type echoer struct{}

func (echoer) OnRead(bev *bufferevent.BufferEvent) { _ = bev.Output().AddBuffer(bev.Input()) }
func (echoer) OnWrite(*bufferevent.BufferEvent)    {}
func (echoer) OnEvent(bev *bufferevent.BufferEvent, what bufferevent.What, _ error) {
	if what&(bufferevent.EOF|bufferevent.Error) != 0 {
		bev.Free()
	}
}

// sender frees a sendfile connection once its Output has drained.
type sender struct{ echoer }

func (sender) OnRead(*bufferevent.BufferEvent)      {}
func (sender) OnWrite(bev *bufferevent.BufferEvent) { bev.Free() }
