package main

import "github.com/goevent/goevent/bench/internal/summary"

// summaryRows are the lines of summary.tsv: calls/s and server CPU per
// call of every server in each test, in table order. The cross-checks are
// one run each and stay out of it.
func summaryRows(res results) []summary.Row {
	var rows []summary.Row
	add := func(test, subject, metric, unit, better string, v []float64) {
		if r, ok := summary.FromRuns("rpc", test, subject, metric, unit, better, v); ok {
			rows = append(rows, r)
		}
	}
	for _, t := range tests {
		for _, s := range servers {
			if r := res.main[t.name][s.name]; r != nil {
				add(t.name, s.name, "calls_per_s", "calls/s", summary.Higher, r.rate)
				add(t.name, s.name, "cpu_per_call", "us", summary.Lower, r.cpuPer)
			}
		}
	}
	return rows
}
