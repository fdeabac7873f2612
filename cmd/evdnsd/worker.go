package main

import (
	"github.com/goevent/goevent/core"
	"github.com/goevent/goevent/evdns"
)

// A worker is one event loop's share of the server: its resolver and its
// server ports. Its fields belong to its loop
// goroutine once startResolver has run there.
type worker struct {
	d     *daemon    // immutable
	base  *core.Base // immutable
	res   *evdns.Resolver
	ports []*evdns.ServerPort
}

// index returns the worker's position among the daemon's.
func (w *worker) index() int {
	for i, o := range w.d.workers {
		if o == w {
			return i
		}
	}
	return -1
}

// startResolver makes the loop's resolver. It has no cache: the worker
// consults and fills the daemon's shared cache itself (see forward).
// Loop goroutine.
func (w *worker) startResolver() error {
	cfg := w.d.cfg
	rc := &evdns.Config{
		Nameservers: w.d.upstreams,
		Timeout:     cfg.timeout,
		Attempts:    cfg.attempts,
		NoCache:     true,
	}
	res, err := evdns.NewResolver(w.base, rc)
	if err != nil {
		return err
	}
	w.res = res
	return nil
}

// serve starts a server port on the loop's UDP socket and TCP listener
// for one address. Loop goroutine.
func (w *worker) serve(s socketPair) error {
	p, err := evdns.NewServerPort(w.base, s.udp, w)
	if err != nil {
		return err
	}
	p.SetMaxTCPClients(w.d.cfg.maxTCP)
	if err := p.ServeTCP(s.tcp); err != nil {
		p.Close()
		return err
	}
	w.ports = append(w.ports, p)
	return nil
}

// stop closes the ports, then shuts the resolver down (queries still
// waiting for upstreams end without an answer). Loop goroutine.
func (w *worker) stop() {
	for _, p := range w.ports {
		p.Close()
	}
	w.ports = nil
	if w.res != nil {
		w.res.Shutdown()
	}
}

// setNameservers replaces the resolver's upstreams; queries on the wire
// finish their current attempt. Loop goroutine.
func (w *worker) setNameservers(addrs []string) error {
	if w.res == nil {
		return nil
	}
	w.res.ClearNameservers()
	for _, a := range addrs {
		if err := w.res.AddNameserver(a); err != nil {
			return err
		}
	}
	return nil
}

// upstreamStates reports the resolver's view of the upstreams. Loop
// goroutine.
func (w *worker) upstreamStates() []evdns.NameserverState {
	if w.res == nil {
		return nil
	}
	return w.res.Nameservers()
}
