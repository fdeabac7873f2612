package main

import (
	"bufio"
	"fmt"
	"io"
	"math"
	"os"
	"slices"
	"strconv"

	"github.com/goevent/goevent/bench/internal/stats"
)

// suite is the suite column of summary.tsv.
const suite = "static"

// summaryHeader is summary.tsv's first line, the same in every suite.
const summaryHeader = "suite\ttest\tsubject\tmetric\tunit\tmedian\tlow\thigh\tbetter"

// metric is one figure of summary.tsv.
type metric struct {
	name, unit, better string
	fig                func(*runs) []float64
}

var metrics = []metric{
	{"req_per_s", "req/s", "higher", func(r *runs) []float64 { return r.rps }},
	{"cpu_per_req", "us", "lower", cpuPerReq},
	{"mb_per_s", "MB/s", "higher", mbps},
	{"p50", "us", "lower", func(r *runs) []float64 { return r.p50 }},
	{"p99", "us", "lower", func(r *runs) []float64 { return r.p99 }},
}

// writeSummary writes res to path as summary.tsv.
func writeSummary(path string, res results) error {
	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("report: %w", err)
	}
	werr := summary(f, res)
	if err := f.Close(); werr == nil && err != nil {
		werr = fmt.Errorf("report: %w", err)
	}
	return werr
}

// summary writes the header line and one line per test, subject and
// metric that has values: the median and the min–max of the rounds.
func summary(w io.Writer, res results) error {
	bw := bufio.NewWriter(w)
	fmt.Fprintln(bw, summaryHeader)
	for _, t := range tests {
		for _, s := range t.subjects {
			r := res.get(t.name, s.name)
			if r == nil {
				continue
			}
			for _, m := range metrics {
				v := m.fig(r)
				if len(v) == 0 {
					continue
				}
				fmt.Fprintf(bw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", suite, t.name, s.name, m.name, m.unit,
					num(stats.Median(v)), num(slices.Min(v)), num(slices.Max(v)), m.better)
			}
		}
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("report: %w", err)
	}
	return nil
}

// num formats a summary figure rounded to three decimals, without trailing zeros.
func num(x float64) string {
	return strconv.FormatFloat(math.Round(x*1000)/1000, 'f', -1, 64)
}
