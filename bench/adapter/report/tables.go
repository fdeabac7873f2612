package main

import (
	"bytes"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/goevent/goevent/bench/internal/stats"
)

// printMain prints one table per test: throughput, CPU per request, the
// latency percentiles, and goevent's ratios.
func printMain(out *bytes.Buffer, res results) {
	for _, t := range tests() {
		if res[t.name] == nil {
			continue
		}
		fmt.Fprintf(out, "### %s\n\n", t.what)
		fmt.Fprintln(out, "| server | req/s | CPU µs/req | goevent ÷ this (CPU) | p50 µs | p99 µs | rounds |")
		fmt.Fprintln(out, "|---|---:|---:|---:|---:|---:|---:|")
		for _, s := range servers() {
			r := res.get(t.name, s.name)
			if r == nil {
				continue
			}
			cells := []string{
				s.title,
				stats.Cell(r.rps, stats.Group),
				stats.Cell(r.cpuPerReq, micro),
				res.ratio(t.name, s.name),
				stats.Cell(r.p50, stats.Group),
				stats.Cell(r.p99, stats.Group),
				strconv.Itoa(len(r.rps)),
			}
			fmt.Fprintln(out, "| "+strings.Join(cells, " | ")+" |")
		}
		fmt.Fprintln(out)
	}
	fmt.Fprintln(out, "goevent ÷ this: ratio of the medians of server CPU µs per request; below 1 means goevent spends less.")
	fmt.Fprintln(out)
}

// ratio is goevent's median CPU per request over server's, or "–".
func (res results) ratio(test, server string) string {
	a, b := res.get(test, ours), res.get(test, server)
	if a == nil || b == nil {
		return "–"
	}
	return stats.Ratio(stats.Median(a.cpuPerReq), stats.Median(b.cpuPerReq))
}

// printErrors says which rows had socket errors or non-2xx replies, or a
// wrk run that took much longer than dur (a stalled machine; 0: unknown).
func printErrors(out *bytes.Buffer, res results, dur time.Duration) {
	var bad []string
	for _, t := range tests() {
		for _, s := range servers() {
			r := res.get(t.name, s.name)
			if r == nil {
				continue
			}
			if r.socketErrors > 0 || r.non2xx > 0 {
				bad = append(bad, fmt.Sprintf("%s %s: %s socket errors, %s non-2xx replies",
					t.name, s.name, stats.Group(r.socketErrors), stats.Group(r.non2xx)))
			}
			if n := stretched(r.elapsed, dur); n > 0 {
				bad = append(bad, fmt.Sprintf("%s %s: %d runs took over 1.5 × %v", t.name, s.name, n, dur))
			}
		}
	}
	if len(bad) == 0 {
		fmt.Fprintln(out, "wrk counted no socket errors and no non-2xx replies, and every run took about its duration.")
		return
	}
	fmt.Fprintln(out, "**These rows are suspect:** "+strings.Join(bad, "; ")+".")
}

// stretched counts the runs that took over 1.5 × dur and 1 s more.
func stretched(elapsed []time.Duration, dur time.Duration) int {
	n := 0
	for _, e := range elapsed {
		if dur > 0 && e > dur*3/2+time.Second {
			n++
		}
	}
	return n
}

// wrkDuration parses wrk's -d value: a Go duration, or seconds alone;
// 0 when it is neither.
func wrkDuration(s string) time.Duration {
	if d, err := time.ParseDuration(s); err == nil {
		return d
	}
	if n, err := strconv.Atoi(s); err == nil {
		return time.Duration(n) * time.Second
	}
	return 0
}

// micro formats CPU microseconds.
func micro(x float64) string { return strconv.FormatFloat(x, 'f', 2, 64) }
