// Command report turns the raw output of run.sh into the markdown tables of
// the side-by-side evbuffer benchmark.
//
// Usage: report DIR
//
// DIR holds one file per process run, named WORKLOAD_PROGRAM_REP.txt, each
// line one round's nanoseconds per operation. A run counts as its median
// round; a cell shows the median of the runs with their min–max, and a
// ratio is of two such medians from the same side-by-side session. Besides
// the tables on stdout it writes DIR/summary.tsv (bench/internal/summary).
package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/goevent/goevent/bench/internal/stats"
	"github.com/goevent/goevent/bench/internal/summary"
)

// workloads in table order, with what one operation is and its bytes.
var workloads = []struct {
	name, op string
	bytes    float64
}{
	{"small", "add 64 B (drain 1 KiB every 16)", 64},
	{"large", "add 64 KiB (drain 256 KiB every 4)", 64 << 10},
	{"move", "remove_buffer 16 KiB chain + add_buffer", 16 << 10},
	{"readln", "readln of one 40 B CRLF line", 40},
	{"search", "search 4 B needle at the end of 16 MiB", 16 << 20},
	{"writev", "write out 1 MiB of 4 KiB adds to a socketpair", 1 << 20},
}

// programs in column order; the first is the baseline of the ratios.
var programs = []struct{ name, title string }{
	{"libevent", "libevent"},
	{"libevent-tuned", "libevent, malloc tuned"},
	{"goevent", "goevent evbuffer"},
	{"bytes", "bytes.Buffer"},
	{"bufio", "bufio"},
}

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

	fmt.Println("ns per operation, median of runs (min–max); ratio = ours / libevent of the medians (below 1 is faster).")
	fmt.Println()
	head := []string{"workload", "operation", programs[0].title, programs[1].title}
	for _, p := range programs[2:] {
		head = append(head, p.title, p.name+"/libevent")
	}
	head = append(head, "goevent/tuned", "runs")
	fmt.Println("| " + strings.Join(head, " | ") + " |")
	fmt.Println("|---|---|" + strings.Repeat("---:|", len(head)-2))
	for _, w := range workloads {
		r := runs[w.name]
		if r == nil {
			continue
		}
		base := stats.Median(r[programs[0].name])
		cells := []string{w.name, w.op, cell(r[programs[0].name]), cell(r[programs[1].name])}
		for _, p := range programs[2:] {
			cells = append(cells, cell(r[p.name]), stats.Ratio(stats.Median(r[p.name]), base))
		}
		cells = append(cells, stats.Ratio(stats.Median(r["goevent"]), stats.Median(r["libevent-tuned"])))
		counts := make([]string, len(programs))
		for i, p := range programs {
			counts[i] = strconv.Itoa(len(r[p.name]))
		}
		cells = append(cells, strings.Join(counts, "/"))
		fmt.Println("| " + strings.Join(cells, " | ") + " |")
	}

	fmt.Println()
	fmt.Println("The same medians as throughput, MB/s (10^6 bytes per second of the bytes each operation handles).")
	fmt.Println()
	head = []string{"workload"}
	for _, p := range programs {
		head = append(head, p.title)
	}
	fmt.Println("| " + strings.Join(head, " | ") + " |")
	fmt.Println("|---|" + strings.Repeat("---:|", len(head)-1))
	for _, w := range workloads {
		r := runs[w.name]
		if r == nil {
			continue
		}
		cells := []string{w.name}
		for _, p := range programs {
			m := stats.Median(r[p.name])
			if m != m {
				cells = append(cells, "–")
				continue
			}
			cells = append(cells, stats.Group(w.bytes/m*1e3))
		}
		fmt.Println("| " + strings.Join(cells, " | ") + " |")
	}
	if err := summary.WriteFile(os.Args[1], summaryRows(runs)); err != nil {
		fmt.Fprintln(os.Stderr, "report:", err)
		os.Exit(1)
	}
}

// load reads dir's result files: the run medians per workload and program.
func load(dir string) (map[string]map[string][]float64, error) {
	files, err := filepath.Glob(filepath.Join(dir, "*_*_*.txt"))
	if err != nil || len(files) == 0 {
		return nil, fmt.Errorf("no result files in %s", dir)
	}
	runs := map[string]map[string][]float64{}
	for _, f := range files {
		parts := strings.Split(strings.TrimSuffix(filepath.Base(f), ".txt"), "_")
		if len(parts) != 3 {
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
		if runs[parts[0]] == nil {
			runs[parts[0]] = map[string][]float64{}
		}
		runs[parts[0]][parts[1]] = append(runs[parts[0]][parts[1]], stats.Median(rounds))
	}
	if len(runs) == 0 {
		return nil, fmt.Errorf("no usable result files in %s", dir)
	}
	return runs, nil
}

// summaryRows are the lines of summary.tsv: ns per operation, one per
// workload and program, in table order.
func summaryRows(runs map[string]map[string][]float64) []summary.Row {
	var rows []summary.Row
	for _, w := range workloads {
		for _, p := range programs {
			if r, ok := summary.FromRuns("evbuffer", w.name, p.name, "op_time", "ns", summary.Lower, runs[w.name][p.name]); ok {
				rows = append(rows, r)
			}
		}
	}
	return rows
}

// ns formats a time: one decimal under 100, whole numbers with thousands
// separators above.
func ns(x float64) string {
	if x < 100 {
		return strconv.FormatFloat(x, 'f', 1, 64)
	}
	return stats.Group(x)
}

func cell(v []float64) string { return stats.Cell(v, ns) }
