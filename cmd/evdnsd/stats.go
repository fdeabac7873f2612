package main

import (
	"log/slog"
	"sync/atomic"
)

// stats counts the queries of all loops.
type stats struct {
	queries      atomic.Int64
	local        atomic.Int64
	forwarded    atomic.Int64
	dnssec       atomic.Int64 // forwarded with DO or CD (cached apart)
	servfail     atomic.Int64
	refused      atomic.Int64
	anyMinimal   atomic.Int64
	rrlTruncated atomic.Int64
	rrlDropped   atomic.Int64
}

// logStats logs the query counters, the cache's and each loop's view of
// the upstreams (asked on the loops).
func (d *daemon) logStats() {
	attrs := []any{
		"queries", d.stats.queries.Load(),
		"local", d.stats.local.Load(),
		"forwarded", d.stats.forwarded.Load(),
		"forwarded_dnssec", d.stats.dnssec.Load(),
		"servfail", d.stats.servfail.Load(),
		"refused", d.stats.refused.Load(),
		"any_minimal", d.stats.anyMinimal.Load(),
		"rrl_truncated", d.stats.rrlTruncated.Load(),
		"rrl_dropped", d.stats.rrlDropped.Load(),
	}
	if d.cache != nil {
		cs := d.cache.Stats()
		attrs = append(attrs, "cache_entries", d.cache.Len(), "cache_hits", cs.Hits,
			"cache_misses", cs.Misses, "cache_evictions", cs.Evictions)
	}
	d.log.Info("stats", attrs...)
	type upstream struct {
		up       bool
		timeouts int
	}
	states := make([][]upstream, len(d.workers))
	err := d.onEachLoop(func(w *worker) error {
		var s []upstream
		for _, ns := range w.upstreamStates() {
			s = append(s, upstream{ns.Up, ns.Timeouts})
		}
		states[w.index()] = s
		return nil
	})
	if err != nil {
		d.log.Error("stats", "err", err)
		return
	}
	for i, addr := range d.upstreams {
		loopsUp, timeouts := 0, 0
		for _, s := range states {
			if i < len(s) {
				if s[i].up {
					loopsUp++
				}
				timeouts += s[i].timeouts
			}
		}
		d.log.Info("upstream", slog.String("addr", addr), slog.Int("loops_up", loopsUp),
			slog.Int("loops", len(d.workers)), slog.Int("consecutive_timeouts", timeouts))
	}
}
