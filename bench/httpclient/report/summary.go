package main

import (
	"slices"
	"strconv"

	"github.com/goevent/goevent/bench/internal/summary"
)

// subject is a client's name in summary.tsv, where "goevent-…" marks
// ours.
func subject(client string) string {
	if client == "goeventpool" {
		return "goevent-pool"
	}
	return client
}

// summaryRows are the lines of summary.tsv: client CPU per request and
// req/s of each client at each concurrency, in table order.
func summaryRows(res results) []summary.Row {
	levels := make([]int, 0, len(res))
	for c := range res {
		levels = append(levels, c)
	}
	slices.Sort(levels)
	var rows []summary.Row
	for _, metric := range []struct {
		name, unit, better string
		runs               func(*runs) []float64
	}{
		{"client_cpu_per_req", "us", summary.Lower, func(r *runs) []float64 { return r.cpuPerReq }},
		{"req_per_s", "req/s", summary.Higher, func(r *runs) []float64 { return r.rps }},
	} {
		for _, c := range levels {
			for _, cl := range clients {
				r := res[c][cl.name]
				if r == nil {
					continue
				}
				test := "conns" + strconv.Itoa(c)
				if row, ok := summary.FromRuns("httpclient", test, subject(cl.name), metric.name, metric.unit, metric.better, metric.runs(r)); ok {
					rows = append(rows, row)
				}
			}
		}
	}
	return rows
}
