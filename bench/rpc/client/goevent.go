package main

import (
	"net"
	"strconv"
	"time"

	"github.com/goevent/goevent/bench/rpc/internal/echo"
	"github.com/goevent/goevent/core"
	"github.com/goevent/goevent/evhttp"
	"github.com/goevent/goevent/evrpc"
)

// evrpcRun keeps l.c calls outstanding through an evrpc.Pool on one loop:
// l.c connections carrying one call each, or with l.pipe > 1 the fewest
// connections that carry l.c calls at l.pipe each.
type evrpcRun struct {
	l        load
	base     *core.Base
	pool     *evrpc.Pool
	deadline time.Time
	next     uint32 // number of the next request
	inFlight int
	res      result
}

// evrpcSlot is one outstanding call: it makes the next one from its
// callback, reusing its request, reply and callback.
type evrpcSlot struct {
	r     *evrpcRun
	req   echo.EchoReq
	reply echo.EchoRep
	done  func(error)
}

func runGoevent(l load) (result, error) {
	host, portStr, err := net.SplitHostPort(l.addr)
	if err != nil {
		return result{}, err
	}
	port, err := strconv.Atoi(portStr)
	if err != nil {
		return result{}, err
	}
	base, err := core.NewBase()
	if err != nil {
		return result{}, err
	}
	defer base.Close()
	cfg := &evrpc.PoolConfig{Timeout: 10 * time.Second}
	conns := l.c
	if l.pipe > 1 {
		cfg.Pipeline = l.pipe
		conns = (l.c + l.pipe - 1) / l.pipe
	}
	r := &evrpcRun{l: l, base: base, pool: evrpc.NewPool(base, cfg)}
	for range conns {
		r.pool.AddConnection(evhttp.NewConnection(base, nil, host, port))
	}
	start := time.Now()
	r.deadline = start.Add(l.dur)
	for range l.c {
		s := &evrpcSlot{r: r}
		s.done = s.onDone
		s.send()
	}
	if r.inFlight > 0 {
		if err := base.Dispatch(); err != nil {
			return result{}, err
		}
	}
	r.res.elapsed = time.Since(start)
	r.pool.Close()
	return r.res, nil
}

// more reports whether another call is to be made.
func (r *evrpcRun) more() bool {
	if r.l.n > 0 {
		return int(r.next) < r.l.n
	}
	return time.Now().Before(r.deadline)
}

func (s *evrpcSlot) send() {
	r := s.r
	if !r.more() {
		if r.inFlight == 0 {
			r.base.LoopBreak()
		}
		return
	}
	s.req = echo.Request(r.next)
	r.next++
	if _, err := echo.MakeEchoRequest(r.pool, &s.req, &s.reply, s.done); err != nil {
		r.fail(err)
		if r.inFlight == 0 {
			r.base.LoopBreak()
		}
		return
	}
	r.inFlight++
}

func (s *evrpcSlot) onDone(err error) {
	r := s.r
	r.inFlight--
	switch {
	case err != nil:
		r.fail(err)
	case echo.Check(&s.req, &s.reply) != nil:
		r.res.calls++
		r.res.bad++
		if r.res.firstErr == nil {
			r.res.firstErr = echo.Check(&s.req, &s.reply)
		}
	default:
		r.res.calls++
	}
	s.send()
}

func (r *evrpcRun) fail(err error) {
	r.res.errors++
	if r.res.firstErr == nil {
		r.res.firstErr = err
	}
}
