// Command report turns the raw output of run.sh into the markdown table of
// the side-by-side event-dispatch benchmark.
//
// Usage: report DIR
//
// DIR holds one file per process run, named N_A_PROGRAM_REP.txt, each line
// one round's time in µs. A run counts as its median round; a cell shows the
// median of the runs with their min–max, and a ratio is of two such medians
// from the same side-by-side session. Besides the table on stdout it writes
// DIR/summary.tsv (bench/internal/summary).
package main

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/goevent/goevent/bench/internal/stats"
	"github.com/goevent/goevent/bench/internal/summary"
)

// programs, in table order; the first is the baseline of the ratios.
var programs = []string{"libevent", "goevent", "gorpoller"}

type key struct{ n, a int }

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: report DIR")
		os.Exit(2)
	}
	runs, err := load(os.Args[1])
	if err != nil {
		fmt.Fprintln(os.Stderr, "report:", err)
		os.Exit(1)
	}
	keys := make([]key, 0, len(runs))
	for k := range runs {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(x, y key) int {
		if x.n != y.n {
			return x.n - y.n
		}
		return x.a - y.a
	})

	fmt.Println("| N | A | libevent µs/round | goevent µs/round | goevent/libevent | goroutine per fd µs/round | gorpoller/libevent | runs |")
	fmt.Println("|---:|---:|---:|---:|---:|---:|---:|---:|")
	for _, k := range keys {
		r := runs[k]
		base := stats.Median(r[programs[0]])
		cells := []string{strconv.Itoa(k.n), strconv.Itoa(k.a), cell(r[programs[0]])}
		for _, p := range programs[1:] {
			cells = append(cells, cell(r[p]), stats.Ratio(stats.Median(r[p]), base))
		}
		counts := make([]string, len(programs))
		for i, p := range programs {
			counts[i] = strconv.Itoa(len(r[p]))
		}
		cells = append(cells, strings.Join(counts, "/"))
		fmt.Println("| " + strings.Join(cells, " | ") + " |")
	}
	if err := summary.WriteFile(os.Args[1], summaryRows(keys, runs)); err != nil {
		fmt.Fprintln(os.Stderr, "report:", err)
		os.Exit(1)
	}
}

// load reads dir's result files: the run medians per (N, A) and program.
func load(dir string) (map[key]map[string][]float64, error) {
	files, err := filepath.Glob(filepath.Join(dir, "*_*_*_*.txt"))
	if err != nil || len(files) == 0 {
		return nil, fmt.Errorf("no result files in %s", dir)
	}
	runs := map[key]map[string][]float64{}
	for _, f := range files {
		parts := strings.Split(strings.TrimSuffix(filepath.Base(f), ".txt"), "_")
		if len(parts) != 4 {
			continue
		}
		n, err1 := strconv.Atoi(parts[0])
		a, err2 := strconv.Atoi(parts[1])
		if err1 != nil || err2 != nil {
			continue
		}
		rounds, err := stats.ReadNumbers(f)
		if err != nil {
			return nil, err
		}
		if len(rounds) == 0 {
			fmt.Fprintf(os.Stderr, "report: %s: no rounds (the run failed?), skipped\n", f)
			continue
		}
		k := key{n, a}
		if runs[k] == nil {
			runs[k] = map[string][]float64{}
		}
		runs[k][parts[2]] = append(runs[k][parts[2]], stats.Median(rounds))
	}
	if len(runs) == 0 {
		return nil, fmt.Errorf("no usable result files in %s", dir)
	}
	return runs, nil
}

// summaryRows are the lines of summary.tsv: one per (N, A) and program, the
// test named nN_aA.
func summaryRows(keys []key, runs map[key]map[string][]float64) []summary.Row {
	var rows []summary.Row
	for _, k := range keys {
		for _, p := range programs {
			test := fmt.Sprintf("n%d_a%d", k.n, k.a)
			if r, ok := summary.FromRuns("core", test, p, "round_time", "us", summary.Lower, runs[k][p]); ok {
				rows = append(rows, r)
			}
		}
	}
	return rows
}

func cell(v []float64) string { return stats.Cell(v, stats.Group) }
