package main

import "github.com/goevent/goevent/bench/internal/summary"

// summaryRows are the lines of summary.tsv: queries/s and server CPU per
// query of every server in the server test; lookups/s, client CPU per
// lookup, peak RSS and RSS per lookup in flight of every resolver in the
// resolver test; in table order.
func summaryRows(res results) []summary.Row {
	var rows []summary.Row
	add := func(test, subject, metric, unit, better string, v []float64) {
		if r, ok := summary.FromRuns("dns", test, subject, metric, unit, better, v); ok {
			rows = append(rows, r)
		}
	}
	for _, s := range servers {
		if r := res["server"][s.name]; r != nil {
			add("server", s.name, "queries_per_s", "queries/s", summary.Higher, r.rate)
			add("server", s.name, "cpu_per_query", "us", summary.Lower, r.cpuPer)
		}
	}
	for _, s := range resolvers {
		if r := res["resolver"][s.name]; r != nil {
			add("resolver", s.name, "lookups_per_s", "lookups/s", summary.Higher, r.rate)
			add("resolver", s.name, "cpu_per_lookup", "us", summary.Lower, r.cpuPer)
			add("resolver", s.name, "peak_rss", "MiB", summary.Lower, r.peakRSS)
			add("resolver", s.name, "rss_per_lookup", "B", summary.Lower, r.mem["rss"])
		}
	}
	return rows
}
