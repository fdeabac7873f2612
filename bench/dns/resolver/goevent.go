package main

import (
	"fmt"
	"net/netip"
	"os"
	"time"

	"github.com/goevent/goevent/bench/dns/internal/proc"
	"github.com/goevent/goevent/bench/dns/internal/zone"
	"github.com/goevent/goevent/core"
	"github.com/goevent/goevent/evdns"
)

// evRun is one goevent run; all of it lives on the loop goroutine.
type evRun struct {
	o       options
	base    *core.Base
	res     *evdns.Resolver
	slots   []evSlot
	next    int // the next name to ask for
	stopped bool
	ticks0  int64
	began   time.Time
	r       result
}

// evSlot is one lookup in flight at a time, back to back.
type evSlot struct {
	run  *evRun
	name int
	done func([]netip.Addr, time.Duration, error)
}

func runGoevent(o options) (result, error) {
	base, err := core.NewBase()
	if err != nil {
		return result{}, err
	}
	defer base.Close()
	res, err := evdns.NewResolver(base, &evdns.Config{
		Nameservers: []string{o.server},
		NoCache:     true,
		MaxInflight: o.maxInflight,
	})
	if err != nil {
		return result{}, err
	}
	run := &evRun{o: o, base: base, res: res, slots: make([]evSlot, o.inflight)}
	for i := range run.slots {
		s := &run.slots[i]
		s.run = run
		s.done = s.resolved
	}
	if run.r.base, err = snapshot(); err != nil {
		return result{}, err
	}
	if err := base.Post(run.start); err != nil {
		return result{}, err
	}
	if err := base.Loop(core.LoopNoExitOnEmpty); err != nil {
		return result{}, err
	}
	return run.r, nil
}

func (run *evRun) start() {
	t, err := proc.CPUTicks()
	if err != nil {
		run.fail(err)
	}
	run.ticks0, run.began = t, time.Now()
	time.AfterFunc(run.o.dur, func() {
		if err := run.base.Post(run.stop); err != nil {
			fmt.Fprintln(os.Stderr, "resolver:", err)
		}
	})
	for i := range run.slots {
		run.slots[i].ask()
	}
}

func (s *evSlot) ask() {
	run := s.run
	s.name = run.next
	run.next = (run.next + 1) % run.o.names
	run.res.ResolveIPv4(zone.Name(s.name), s.done)
}

func (s *evSlot) resolved(addrs []netip.Addr, _ time.Duration, err error) {
	run := s.run
	if run.stopped {
		return // failed by Shutdown at the end
	}
	if err == nil {
		err = check(s.name, addrs)
	}
	if err != nil {
		run.fail(err)
	} else {
		run.r.lookups++
	}
	s.ask()
}

func (run *evRun) fail(err error) {
	run.r.failed++
	if run.r.firstErr == nil {
		run.r.firstErr = err
	}
}

// stop closes the window: the figures, then memory with every slot's
// lookup still in flight, then Shutdown.
func (run *evRun) stop() {
	run.r.elapsed = time.Since(run.began)
	t, err := proc.CPUTicks()
	if err != nil {
		run.fail(err)
	}
	run.r.ticks = t - run.ticks0
	if run.r.loaded, err = snapshot(); err != nil {
		run.fail(err)
	}
	run.stopped = true
	run.res.Shutdown()
	if err := run.base.LoopBreak(); err != nil {
		run.fail(err)
	}
}
