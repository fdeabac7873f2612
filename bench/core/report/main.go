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
	"bufio"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
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
		rounds, err := readRounds(f)
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
		runs[k][parts[2]] = append(runs[k][parts[2]], median(rounds))
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
		base := median(r[programs[0]])
		cells := []string{strconv.Itoa(k.n), strconv.Itoa(k.a), cell(r[programs[0]])}
		for _, p := range programs[1:] {
			cells = append(cells, cell(r[p]), ratio(median(r[p]), base))
		}
		counts := make([]string, len(programs))
		for i, p := range programs {
			counts[i] = strconv.Itoa(len(r[p]))
		}
		cells = append(cells, strings.Join(counts, "/"))
		fmt.Println("| " + strings.Join(cells, " | ") + " |")
	}
}

func readRounds(path string) ([]float64, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var v []float64
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" {
			continue
		}
		x, err := strconv.ParseFloat(line, 64)
		if err != nil {
			return nil, fmt.Errorf("%s: %q is not a number of µs", path, line)
		}
		v = append(v, x)
	}
	return v, sc.Err()
}

// median of v (mean of the middle two for an even count); NaN when empty.
func median(v []float64) float64 {
	if len(v) == 0 {
		return math.NaN()
	}
	s := slices.Clone(v)
	slices.Sort(s)
	m := len(s) / 2
	if len(s)%2 == 1 {
		return s[m]
	}
	return (s[m-1] + s[m]) / 2
}

func cell(v []float64) string {
	if len(v) == 0 {
		return "–"
	}
	return fmt.Sprintf("%s (%s–%s)", us(median(v)), us(slices.Min(v)), us(slices.Max(v)))
}

func ratio(x, base float64) string {
	if x != x || base != base || base == 0 {
		return "–"
	}
	return fmt.Sprintf("%.2fx", x/base)
}

// us formats whole microseconds with thousands separators.
func us(x float64) string {
	s := strconv.FormatInt(int64(x+0.5), 10)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}
