package main

import (
	"fmt"

	"github.com/goevent/goevent/bench/internal/summary"
)

// writeSummary writes the figures of res to path as summary.tsv: one line
// per (test, subject, metric), medians with their min and max.
func writeSummary(path string, res results) error {
	if err := summary.Save(path, summaryRows(res), summary.WriteRounded); err != nil {
		return fmt.Errorf("report: %w", err)
	}
	return nil
}

// summaryRows lists the summary.tsv rows of res, servers in row order.
func summaryRows(res results) []summary.Row {
	var rows []summary.Row
	for _, s := range servers {
		r := res[s.name]
		if r == nil {
			continue
		}
		for _, m := range []struct {
			metric, unit, better string
			v                    []float64
		}{
			{"qps", "queries/s", summary.Higher, r.qps},
			{"cpu_per_query", "us", summary.Lower, r.cpuPerQuery},
			{"lost", "queries", summary.Lower, r.lost},
		} {
			if row, ok := summary.FromRuns("dnsd", "cached", s.name, m.metric, m.unit, m.better, m.v); ok {
				rows = append(rows, row)
			}
		}
	}
	return rows
}
