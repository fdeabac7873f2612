// Command goevent is goevent's evhttp client in the HTTP client benchmark:
// one core.Base (one event loop; run.sh pins it to one CPU and GOMAXPROCS
// follows the affinity mask) drives -conns keep-alive connections to the
// server, each sending GET / back to back for -dur. Every reply is checked
// (status 200, body "Hello, World!").
//
// By default each of the -conns request slots has its own
// evhttp.Connection; with -pool the slots share one evhttp.Pool whose
// MaxConnsPerHost is -conns. Requests are made with NewClientRequest, one
// per request, as the API asks; nothing is benchmark-only.
package main

import (
	"flag"
	"fmt"
	"net"
	"os"
	"strconv"
	"time"

	"github.com/goevent/goevent/bench/httpclient/internal/clientrun"
	"github.com/goevent/goevent/core"
	"github.com/goevent/goevent/evhttp"
)

const timeout = 10 * time.Second

func main() {
	usePool := flag.Bool("pool", false, "share one evhttp.Pool instead of a Connection per slot")
	f := clientrun.ParseFlags()
	host, portStr, err := net.SplitHostPort(f.Addr)
	if err != nil {
		fatal(err)
	}
	port, err := strconv.Atoi(portStr)
	if err != nil {
		fatal(err)
	}
	base, err := core.NewBase()
	if err != nil {
		fatal(err)
	}
	b := &bench{base: base, f: f, host: host, port: port, slots: make([]slot, f.Conns)}
	if *usePool {
		b.pool = evhttp.NewPool(base, &evhttp.PoolConfig{
			MaxConnsPerHost: f.Conns,
			MaxIdlePerHost:  f.Conns,
			Configure:       func(c *evhttp.Connection) { c.SetTimeout(timeout, timeout, timeout) },
		})
	}
	for i := range b.slots {
		s := &b.slots[i]
		s.b = b
		s.onComplete, s.onError = s.complete, s.fail
		if b.pool == nil {
			s.conn = evhttp.NewConnection(base, nil, host, port)
			s.conn.SetTimeout(timeout, timeout, timeout)
		}
	}
	if err := base.Post(b.warm); err != nil {
		fatal(err)
	}
	if err := base.Loop(core.LoopNoExitOnEmpty); err != nil {
		fatal(err)
	}
	clientrun.Finish("goevent", b.res)
}

// bench is the whole run; all of it lives on the loop goroutine.
type bench struct {
	base      *core.Base
	f         clientrun.Flags
	host      string
	port      int
	pool      *evhttp.Pool
	slots     []slot
	measuring bool // the window is open: count completions
	stopped   bool // the window has closed: issue nothing more
	waiting   int  // slots whose current request has not finished
	ticks0    int64
	began     time.Time
	res       clientrun.Result
}

// slot is one request at a time, back to back.
type slot struct {
	b          *bench
	conn       *evhttp.Connection // nil with a Pool
	buf        [64]byte
	onComplete func(*evhttp.ClientRequest)
	onError    func(*evhttp.ClientRequest, error)
}

// warm sends one request per slot to open the connections; the window
// opens when all have answered.
func (b *bench) warm() {
	b.waiting = len(b.slots)
	for i := range b.slots {
		b.slots[i].issue()
	}
}

func (s *slot) issue() {
	req := evhttp.NewClientRequest("GET", "/")
	req.OnComplete(s.onComplete)
	req.OnError(s.onError)
	var err error
	if s.conn != nil {
		err = s.conn.MakeRequest(req)
	} else {
		err = s.b.pool.MakeRequest(s.b.host, s.b.port, req)
	}
	if err != nil {
		// MakeRequest refused it: no callback will run.
		s.b.failed(err)
		s.finished()
	}
}

func (s *slot) complete(r *evhttp.ClientRequest) {
	body := r.ResponseBody()
	n := body.Len()
	var err error
	if n > len(s.buf) {
		err = fmt.Errorf("goevent: %w: %d-byte body", clientrun.ErrReply, n)
	} else if _, err = body.Read(s.buf[:n]); err == nil {
		err = clientrun.Check(r.StatusCode(), s.buf[:n])
	}
	if err != nil {
		s.b.failed(err)
	} else if s.b.measuring {
		s.b.res.Requests++
	}
	s.finished()
}

func (s *slot) fail(_ *evhttp.ClientRequest, err error) {
	s.b.failed(err)
	s.finished()
}

func (b *bench) failed(err error) {
	b.res.Failed++
	if b.res.FirstErr == nil {
		b.res.FirstErr = err
	}
}

// finished moves the slot on: the next request while the window is open,
// else wait for the other slots.
func (s *slot) finished() {
	b := s.b
	if b.measuring && !b.stopped {
		s.issue()
		return
	}
	b.waiting--
	if b.waiting > 0 {
		return
	}
	if !b.measuring {
		b.open()
		return
	}
	b.close()
}

// open starts the measured window with every slot issuing.
func (b *bench) open() {
	t, err := clientrun.CPUTicks()
	if err != nil {
		b.failed(err)
	}
	b.ticks0, b.began, b.measuring = t, time.Now(), true
	time.AfterFunc(b.f.Dur, func() {
		if err := b.base.Post(func() { b.stopped = true }); err != nil {
			fmt.Fprintln(os.Stderr, "goevent:", err)
		}
	})
	b.waiting = len(b.slots)
	for i := range b.slots {
		b.slots[i].issue()
	}
}

// close ends the run once every slot's last request finished.
func (b *bench) close() {
	b.res.Elapsed = time.Since(b.began)
	t, err := clientrun.CPUTicks()
	if err != nil {
		b.failed(err)
	}
	b.res.Ticks = t - b.ticks0
	for i := range b.slots {
		if c := b.slots[i].conn; c != nil {
			c.Close()
		}
	}
	if b.pool != nil {
		b.pool.Close()
	}
	if err := b.base.LoopBreak(); err != nil {
		b.failed(err)
	}
}

func fatal(err error) {
	fmt.Fprintln(os.Stderr, "goevent:", err)
	os.Exit(1)
}
