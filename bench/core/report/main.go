// Command report turns the raw output of run.sh into the markdown table of
// the side-by-side event-dispatch benchmark.
//
// Usage: report DIR
//
// DIR holds one file per process run, named N_A_PROGRAM_REP.txt, each line
// one round's time in µs. A run counts as its median round; a cell shows the
// median of the runs with their min–max, and a ratio is of two such medians
// from the same side-by-side session.
package main

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/goevent/goevent/bench/internal/stats"
)

// programs, in table order; the first is the baseline of the ratios.
var programs = []string{"libevent", "goevent", "gorpoller"}

type key struct{ n, a int }

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: report DIR")
		os.Exit(2)
	}
	files, err := filepath.Glob(filepath.Join(os.Args[1], "*_*_*_*.txt"))
	if err != nil || len(files) == 0 {
		fmt.Fprintln(os.Stderr, "report: no result files in", os.Args[1])
		os.Exit(1)
	}
	runs := map[key]map[string][]float64{} // run medians per (N, A) and program
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
			fmt.Fprintln(os.Stderr, "report:", err)
			os.Exit(1)
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
}

func cell(v []float64) string { return stats.Cell(v, stats.Group) }
