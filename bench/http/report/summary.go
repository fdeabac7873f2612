package main

import (
	"strconv"

	"github.com/goevent/goevent/bench/internal/summary"
)

// summaryRows are the lines of summary.tsv: req/s and server CPU per
// request of every wrk test, RSS per idle connection of every idle test,
// and the scaling test's projected RSS at each projection, tests in table
// order.
func summaryRows(res results) []summary.Row {
	var rows []summary.Row
	add := func(test, server, metric, unit, better string, v []float64) {
		if r, ok := summary.FromRuns("http", test, server, metric, unit, better, v); ok {
			rows = append(rows, r)
		}
	}
	for _, test := range res.wrkTests() {
		for _, s := range servers {
			if r := res.get(test, s.name); r != nil {
				add(test, s.name, "req_per_s", "req/s", summary.Higher, r.rps)
				add(test, s.name, "cpu_per_req", "us", summary.Lower, r.cpuPerReq)
			}
		}
	}
	idle := append([]string{"idle"}, res.scalePoints("scale-i")...)
	for _, test := range idle {
		for _, s := range servers {
			if r := res.get(test, s.name); r != nil {
				add(test, s.name, "rss_per_conn", "B", summary.Lower, r.mem["rss"])
			}
		}
	}
	if is := res.scalePoints("scale-i"); len(is) > 1 {
		for _, p := range projections() {
			test := "projected-" + compact(p)
			for _, s := range servers {
				if slope, top, ok := res.idleSlope(s.name, is); ok {
					hi, _ := pointN(is[len(is)-1], "scale-i")
					mib := (top + slope*(p-float64(hi))) / (1 << 20)
					add(test, s.name, "projected_rss", "MiB", summary.Lower, []float64{mib})
				}
			}
		}
	}
	return rows
}

// compact spells a connection count as 100k or 1M.
func compact(n float64) string {
	switch i := int64(n); {
	case i >= 1e6 && i%1e6 == 0:
		return strconv.FormatInt(i/1e6, 10) + "M"
	case i >= 1e3 && i%1e3 == 0:
		return strconv.FormatInt(i/1e3, 10) + "k"
	default:
		return strconv.FormatInt(i, 10)
	}
}
