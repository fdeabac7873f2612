package main

import (
	"fmt"

	"github.com/goevent/goevent/bench/internal/summary"
)

// suite is the suite column of summary.tsv.
const suite = "static"

// metric is one figure of summary.tsv.
type metric struct {
	name, unit, better string
	fig                func(*runs) []float64
}

var metrics = []metric{
	{"req_per_s", "req/s", summary.Higher, func(r *runs) []float64 { return r.rps }},
	{"cpu_per_req", "us", summary.Lower, cpuPerReq},
	{"mb_per_s", "MB/s", summary.Higher, mbps},
	{"p50", "us", summary.Lower, func(r *runs) []float64 { return r.p50 }},
	{"p99", "us", summary.Lower, func(r *runs) []float64 { return r.p99 }},
}

// writeSummary writes res to path as summary.tsv.
func writeSummary(path string, res results) error {
	if err := summary.Save(path, summaryRows(res), summary.WriteRounded); err != nil {
		return fmt.Errorf("report: %w", err)
	}
	return nil
}

// summaryRows lists one row per test, subject and metric that has values:
// the median and the min–max of the rounds.
func summaryRows(res results) []summary.Row {
	var rows []summary.Row
	for _, t := range tests {
		for _, s := range t.subjects {
			r := res.get(t.name, s.name)
			if r == nil {
				continue
			}
			for _, m := range metrics {
				if row, ok := summary.FromRuns(suite, t.name, s.name, m.name, m.unit, m.better, m.fig(r)); ok {
					rows = append(rows, row)
				}
			}
		}
	}
	return rows
}
