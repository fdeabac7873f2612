package main

import (
	"fmt"
	"io"
	"math"
	"os"
	"slices"
	"strconv"

	"github.com/goevent/goevent/bench/internal/stats"
)

// summaryHeader is the first line of every suite's summary.tsv.
const summaryHeader = "suite\ttest\tsubject\tmetric\tunit\tmedian\tlow\thigh\tbetter\n"

// writeSummary writes the figures of res to path as summary.tsv: one line
// per (test, subject, metric), medians with their min and max.
func writeSummary(path string, res results) error {
	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("report: %w", err)
	}
	werr := summary(f, res)
	if err := f.Close(); werr == nil && err != nil {
		werr = err
	}
	if werr != nil {
		return fmt.Errorf("report: %w", werr)
	}
	return nil
}

// summary writes the summary.tsv lines of res, servers in row order.
func summary(w io.Writer, res results) error {
	if _, err := io.WriteString(w, summaryHeader); err != nil {
		return err
	}
	for _, s := range servers {
		r := res[s.name]
		if r == nil {
			continue
		}
		for _, m := range []struct {
			metric, unit, better string
			v                    []float64
		}{
			{"qps", "queries/s", "higher", r.qps},
			{"cpu_per_query", "us", "lower", r.cpuPerQuery},
			{"lost", "queries", "lower", r.lost},
		} {
			if len(m.v) == 0 {
				continue
			}
			_, err := fmt.Fprintf(w, "dnsd\tcached\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", s.name, m.metric, m.unit,
				num(stats.Median(m.v)), num(slices.Min(m.v)), num(slices.Max(m.v)), m.better)
			if err != nil {
				return err
			}
		}
	}
	return nil
}

// num formats a figure for summary.tsv: no thousands separators, at most
// three decimals.
func num(x float64) string {
	return strconv.FormatFloat(math.Round(x*1000)/1000, 'f', -1, 64)
}
