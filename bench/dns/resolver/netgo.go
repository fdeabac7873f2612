package main

import (
	"context"
	"net"
	"sync"
	"sync/atomic"
	"time"

	"github.com/goevent/goevent/bench/dns/internal/proc"
	"github.com/goevent/goevent/bench/dns/internal/zone"
)

func runNetGo(o options) (result, error) {
	var d net.Dialer
	res := &net.Resolver{
		PreferGo: true,
		// Every query goes to the benchmark's server, whatever address
		// the resolver took from resolv.conf.
		Dial: func(ctx context.Context, network, _ string) (net.Conn, error) {
			return d.DialContext(ctx, network, o.server)
		},
	}
	var (
		r                result
		err              error
		stop             atomic.Bool
		next, ok, failed atomic.Int64
		errOnce          sync.Once
		wg               sync.WaitGroup
	)
	if r.base, err = snapshot(); err != nil {
		return result{}, err
	}
	ctx := context.Background()
	t0, err := proc.CPUTicks()
	if err != nil {
		return result{}, err
	}
	began := time.Now()
	wg.Add(o.inflight)
	for range o.inflight {
		go func() {
			defer wg.Done()
			for !stop.Load() {
				i := int((next.Add(1) - 1) % int64(o.names))
				addrs, err := res.LookupNetIP(ctx, "ip4", zone.Name(i))
				if stop.Load() {
					return
				}
				if err == nil {
					err = check(i, addrs)
				}
				if err != nil {
					failed.Add(1)
					errOnce.Do(func() { r.firstErr = err })
					continue
				}
				ok.Add(1)
			}
		}()
	}
	time.Sleep(o.dur)
	r.elapsed = time.Since(began)
	t1, err := proc.CPUTicks()
	if err != nil {
		return result{}, err
	}
	r.lookups, r.failed, r.ticks = ok.Load(), failed.Load(), t1-t0
	// Memory with the lookups still in flight, then let them finish.
	loaded, err := snapshot()
	stop.Store(true)
	wg.Wait()
	r.loaded = loaded
	return r, err
}
