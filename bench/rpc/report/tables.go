package main

import (
	"fmt"
	"io"
	"math"
	"strings"

	"github.com/goevent/goevent/bench/internal/stats"
)

// row is a subject (or test) in table order; ours come first.
type row struct{ name, title string }

var servers = []row{
	{"goevent", "goevent evrpc (one loop), one call per connection"},
	{"goevent-pipe", "goevent evrpc (one loop), client pipelining 16 per connection"},
	{"netrpc", "Go net/rpc (gob, one client connection)"},
	{"libevent", "libevent 2.1 evrpc (C)"},
}

// tests in table order, with the calls outstanding.
var tests = []row{
	{"c1", "1 call outstanding"},
	{"c64", "64 calls outstanding"},
}

// crossPairs are the cross-checks, client-to-server.
var crossPairs = []row{
	{"goevent-to-libevent", "goevent client → libevent C server"},
	{"goevent-pipe-to-libevent", "goevent pipelining client → libevent C server"},
	{"libevent-to-goevent", "libevent C client → goevent server"},
}

// ours are our subjects, each compared with every other subject.
var ours = []string{"goevent", "goevent-pipe"}

func oneDecimal(x float64) string { return fmt.Sprintf("%.1f", x) }

// printTables writes the main table of each test and the cross-checks.
func printTables(w io.Writer, res results, dur int) {
	for _, t := range tests {
		m := res.main[t.name]
		if len(m) == 0 {
			continue
		}
		fmt.Fprintf(w, "### %s (%s), each server with its own client, %d s per run\n\n", t.name, t.title, dur)
		var present []string // ours that ran in this test
		for _, o := range ours {
			if m[o] != nil {
				present = append(present, o)
			}
		}
		head, rule := "| subject | calls/s | server CPU µs/call |", "|---|---:|---:|"
		for _, o := range present {
			head += fmt.Sprintf(" calls/s %s/this | CPU %s/this |", o, o)
			rule += "---:|---:|"
		}
		fmt.Fprintln(w, head+" runs | failed calls |")
		fmt.Fprintln(w, rule+"---:|---:|")
		for _, s := range servers {
			r := m[s.name]
			if r == nil {
				continue
			}
			line := fmt.Sprintf("| %s | %s | %s |", s.title, stats.Cell(r.rate, stats.Group), stats.Cell(r.cpuPer, oneDecimal))
			for _, o := range present {
				rateRatio, cpuRatio := "", ""
				if s.name != o {
					rateRatio = stats.Ratio(stats.Median(m[o].rate), stats.Median(r.rate))
					cpuRatio = stats.Ratio(stats.Median(m[o].cpuPer), stats.Median(r.cpuPer))
				}
				line += fmt.Sprintf(" %s | %s |", rateRatio, cpuRatio)
			}
			fmt.Fprintf(w, "%s %d | %s |\n", line, len(r.rate), failedCell(r))
		}
		fmt.Fprintln(w)
		if m["goevent-pipe"] == nil && m["goevent"] != nil {
			fmt.Fprintln(w, "goevent-pipe does not run with one call outstanding: there is nothing to pipeline, so its client is the goevent client.")
			fmt.Fprintln(w)
		}
	}
	fmt.Fprintln(w, "calls/s ratios above 1 and CPU ratios below 1 favour goevent (or goevent-pipe). Failed calls: errors + wrong answers, over all runs.")
	fmt.Fprintln(w)
	if len(res.cross) == 0 {
		return
	}
	fmt.Fprintln(w, "### Cross-check: each client against the other system's server (one run each, checked first)")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "| test | client → server | calls/s | server CPU µs/call | failed calls |")
	fmt.Fprintln(w, "|---|---|---:|---:|---:|")
	for _, t := range tests {
		for _, p := range crossPairs {
			r := res.cross[t.name][p.name]
			if r == nil {
				continue
			}
			fmt.Fprintf(w, "| %s | %s | %s | %s | %s |\n", t.name, p.title,
				stats.Group(stats.Median(r.rate)), cpuCell(r), failedCell(r))
		}
	}
	fmt.Fprintln(w)
}

func cpuCell(r *runs) string {
	if m := stats.Median(r.cpuPer); !math.IsNaN(m) {
		return oneDecimal(m)
	}
	return "–"
}

func failedCell(r *runs) string {
	var parts []string
	if r.errors > 0 {
		parts = append(parts, fmt.Sprintf("%s errors", stats.Group(r.errors)))
	}
	if r.bad > 0 {
		parts = append(parts, fmt.Sprintf("%s wrong", stats.Group(r.bad)))
	}
	if len(parts) == 0 {
		return "0"
	}
	return "**" + strings.Join(parts, ", ") + "**"
}
