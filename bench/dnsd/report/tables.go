package main

import (
	"fmt"
	"io"
	"strconv"

	"github.com/goevent/goevent/bench/internal/stats"
)

// printTable prints the forwarders' figures, ours first.
func printTable(w io.Writer, res results) {
	fmt.Fprintln(w, "### Cached answers: queries/s and forwarder CPU per query")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "dnsperf on one core is the limit for the fastest forwarders, so queries/s alone cannot rank them; "+
		"CPU µs per query can. goevent ÷ this: ratio of medians, below 1 means evdnsd spends less (the target: at or "+
		"below unbound).")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "| forwarder | queries/s | CPU µs/query | goevent ÷ this | lost queries per run | upstream queries per run (max) | rounds |")
	fmt.Fprintln(w, "|---|---:|---:|---:|---:|---:|---:|")
	base := res[ours]
	for _, s := range servers {
		r := res[s.name]
		if r == nil {
			continue
		}
		ratio := ""
		if s.name != ours && base != nil {
			ratio = stats.Ratio(stats.Median(base.cpuPerQuery), stats.Median(r.cpuPerQuery))
		}
		fmt.Fprintf(w, "| %s | %s | %s | %s | %s | %s | %d |\n", s.title,
			stats.Cell(r.qps, stats.Group), stats.Cell(r.cpuPerQuery, micro), ratio,
			stats.Cell(r.lost, stats.Group), stats.Group(r.upstreamMax), len(r.qps))
	}
	fmt.Fprintln(w)
}

// printChecks prints what should be zero: replies other than NOERROR, and
// the warm-ups' lost queries and replies other than NOERROR.
func printChecks(w io.Writer, res results) {
	for _, s := range servers {
		r := res[s.name]
		if r == nil {
			continue
		}
		fmt.Fprintf(w, "- %s: %s replies other than NOERROR in the measured runs; in %d warm-up passes %s queries lost "+
			"and %s replies other than NOERROR.\n",
			s.title, stats.Group(r.notNoerror), r.warmups, stats.Group(r.warmupLost), stats.Group(r.warmupNotNoerror))
	}
	fmt.Fprintln(w)
}

// micro formats microseconds: two decimals below 10, one above.
func micro(x float64) string {
	if x < 10 {
		return strconv.FormatFloat(x, 'f', 2, 64)
	}
	return strconv.FormatFloat(x, 'f', 1, 64)
}
