package main

import (
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/goevent/goevent/bench/internal/stats"
)

// printTables prints one table per test present in res.
func printTables(w io.Writer, res results) {
	for _, t := range tests {
		if res[t.name] == nil {
			continue
		}
		fmt.Fprintf(w, "### %s (`%s`)\n\n", t.title, t.name)
		fmt.Fprintln(w, "| server | req/s | MB/s | CPU µs/req | goevent ÷ this | MB/s goevent ÷ this | p50 µs | p99 µs | rounds |")
		fmt.Fprintln(w, "|---|---:|---:|---:|---:|---:|---:|---:|---:|")
		for _, s := range t.subjects {
			r := res.get(t.name, s.name)
			if r == nil {
				continue
			}
			fmt.Fprintln(w, "| "+strings.Join([]string{
				s.title,
				stats.Cell(r.rps, stats.Group),
				stats.Cell(r.mbps, stats.Group),
				stats.Cell(r.cpuPerReq, micro),
				res.ratio(t.name, s.name, cpuPerReq),
				res.ratio(t.name, s.name, mbps),
				stats.Cell(r.p50, stats.Group),
				stats.Cell(r.p99, stats.Group),
				strconv.Itoa(len(r.rps)),
			}, " | ")+" |")
		}
		fmt.Fprintln(w)
	}
}

// printTargets says how goevent stands against issue 11's targets: CPU
// per request at or below nginx's for the 1 KiB file and the proxy, 1 MiB
// throughput at or above nginx's.
func printTargets(w io.Writer, res results) {
	var lines []string
	for _, t := range tests {
		fig, what, lower := cpuPerReq, "CPU µs/req", true
		if t.throughput {
			fig, what, lower = mbps, "MB/s", false
		}
		o, n := res.get(t.name, ours), res.get(t.name, "nginx")
		if o == nil || n == nil || len(fig(o)) == 0 || len(fig(n)) == 0 {
			continue
		}
		a, b := stats.Median(fig(o)), stats.Median(fig(n))
		met := a <= b
		cmp := "at or below"
		if !lower {
			met, cmp = a >= b, "at or above"
		}
		verdict := "met"
		if !met {
			verdict = "not met"
		}
		lines = append(lines, fmt.Sprintf("- %s: goevent's %s %s nginx's — %s ÷ %s = %s: %s.",
			t.name, what, cmp, fmtFig(a, lower), fmtFig(b, lower), stats.Ratio(a, b), verdict))
	}
	if len(lines) == 0 {
		return
	}
	fmt.Fprintln(w, "Targets (issue 11), from the medians above:")
	fmt.Fprintln(w)
	fmt.Fprintln(w, strings.Join(lines, "\n"))
	fmt.Fprintln(w)
}

// printErrors lists every test and subject where wrk saw socket errors or
// replies other than 2xx/3xx; such a row's figures are suspect.
func printErrors(w io.Writer, res results) {
	var lines []string
	for _, t := range tests {
		for _, s := range t.subjects {
			r := res.get(t.name, s.name)
			if r != nil && (r.socketErrors > 0 || r.non2xx > 0) {
				lines = append(lines, fmt.Sprintf("- %s, %s: wrk counted %s socket errors and %s non-2xx/3xx replies over all rounds.",
					s.title, t.name, stats.Group(r.socketErrors), stats.Group(r.non2xx)))
			}
		}
	}
	if len(lines) == 0 {
		fmt.Fprintln(w, "wrk counted no socket errors and no non-2xx/3xx replies.")
		return
	}
	fmt.Fprintln(w, strings.Join(lines, "\n"))
}

func cpuPerReq(r *runs) []float64 { return r.cpuPerReq }
func mbps(r *runs) []float64      { return r.mbps }

// ratio is goevent's median over subject's for the figure fig, empty on
// goevent's own row.
func (res results) ratio(test, subject string, fig func(*runs) []float64) string {
	if subject == ours {
		return ""
	}
	o, p := res.get(test, ours), res.get(test, subject)
	if o == nil || p == nil || len(fig(o)) == 0 || len(fig(p)) == 0 {
		return "–"
	}
	return stats.Ratio(stats.Median(fig(o)), stats.Median(fig(p)))
}

// micro formats CPU microseconds: two decimals below 10, one above.
func micro(x float64) string {
	if x < 10 {
		return strconv.FormatFloat(x, 'f', 2, 64)
	}
	return strconv.FormatFloat(x, 'f', 1, 64)
}

// fmtFig formats a target figure: CPU µs (lower is better) or MB/s.
func fmtFig(x float64, cpu bool) string {
	if cpu {
		return micro(x)
	}
	return stats.Group(x)
}
