// Command report turns the raw output of tls/run.sh into the markdown
// tables of the TLS benchmark: goevent's ssl package against crypto/tls on
// net.Conn.
//
// Usage: report [-cmd LINE] DIR
//
// DIR holds TEST_SERVER_ROUND.txt for the handshake and bulk tests (the
// client's key=value line, then hz=N server_ticks=N: the server's CPU over
// the client's run), and gobench_R.txt, the `go test -bench` output of each
// run of the ssl package's benchmarks, whose names are
// Group/SUBJECT[/variant]: subject goevent is ours, crypto-tls the peer. A
// cell is the median of the runs with their min–max; a ratio divides two
// medians from the same session. Besides the tables on stdout it writes
// DIR/summary.tsv (bench/internal/summary).
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/goevent/goevent/bench/internal/stats"
	"github.com/goevent/goevent/bench/internal/summary"
)

const ours = "goevent"

// runs[test][subject][unit] holds one value per process run.
type runs map[string]map[string]map[string][]float64

// order remembers tests and subjects in the order they first appear.
type order struct{ tests, subjects []string }

func main() {
	cmd := flag.String("cmd", "", "the command line that made the raw output")
	flag.Parse()
	if flag.NArg() != 1 {
		fmt.Fprintln(os.Stderr, "usage: report [-cmd LINE] DIR")
		os.Exit(2)
	}
	dir := flag.Arg(0)
	srv, err := loadServers(dir)
	if err != nil {
		fmt.Fprintln(os.Stderr, "report:", err)
		os.Exit(1)
	}
	rs, ord, err := load(dir)
	if err != nil && !errors.Is(err, errNoGobench) {
		fmt.Fprintln(os.Stderr, "report:", err)
		os.Exit(1)
	}
	if len(srv) == 0 && len(rs) == 0 {
		fmt.Fprintln(os.Stderr, "report: no results in", dir)
		os.Exit(1)
	}
	if *cmd != "" {
		fmt.Printf("Command: `%s`\n\n", *cmd)
	}
	rows := serverRows(srv)
	if len(srv) > 0 {
		fmt.Println("#### Servers under load: handshakes and bulk transfer")
		fmt.Println()
		writeServers(os.Stdout, srv)
	}
	if len(rs) > 0 {
		fmt.Println("#### The ssl package's Go benchmarks")
		fmt.Println()
		write(os.Stdout, rs, ord)
		rows = append(rows, summaryRows(rs, ord)...)
	}
	if err := summary.WriteFile(dir, rows); err != nil {
		fmt.Fprintln(os.Stderr, "report:", err)
		os.Exit(1)
	}
}

// errNoGobench is load's error for a directory without Go benchmark output.
var errNoGobench = errors.New("no gobench_*.txt")

// load reads every gobench_*.txt in dir.
func load(dir string) (runs, order, error) {
	files, err := filepath.Glob(filepath.Join(dir, "gobench_*.txt"))
	if err != nil {
		return nil, order{}, err
	}
	if len(files) == 0 {
		return nil, order{}, fmt.Errorf("%w in %s", errNoGobench, dir)
	}
	rs, ord := runs{}, order{}
	for _, f := range files {
		b, err := os.Open(f)
		if err != nil {
			return nil, order{}, err
		}
		results, err := parseBench(b)
		b.Close()
		if err != nil {
			return nil, order{}, fmt.Errorf("%s: %w", f, err)
		}
		for _, r := range results {
			test, subject := split(r.name)
			if rs[test] == nil {
				rs[test] = map[string]map[string][]float64{}
				ord.tests = append(ord.tests, test)
			}
			if rs[test][subject] == nil {
				rs[test][subject] = map[string][]float64{}
				if !slices.Contains(ord.subjects, subject) {
					ord.subjects = append(ord.subjects, subject)
				}
			}
			for unit, x := range r.metrics {
				rs[test][subject][unit] = append(rs[test][subject][unit], x)
			}
		}
	}
	if len(rs) == 0 {
		return nil, order{}, fmt.Errorf("no benchmark results in %s", dir)
	}
	// goevent first, then the peers as they came.
	slices.SortStableFunc(ord.subjects, func(a, b string) int {
		return boolInt(b == ours) - boolInt(a == ours)
	})
	return rs, ord, nil
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// write prints one table: a row per test and subject.
func write(w io.Writer, rs runs, ord order) {
	fmt.Fprintln(w, "| test | subject | µs/op | goevent ÷ this | ops/s | MB/s | goevent ÷ this | B/op | allocs/op | runs |")
	fmt.Fprintln(w, "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|")
	for _, t := range ord.tests {
		for _, s := range ord.subjects {
			m := rs[t][s]
			if m == nil {
				continue
			}
			us := scaled(m["ns/op"], 1e-3)
			ops := make([]float64, 0, len(m["ns/op"]))
			for _, ns := range m["ns/op"] {
				if ns > 0 {
					ops = append(ops, 1e9/ns)
				}
			}
			cells := []string{t, s,
				stats.Cell(us, micro), ratio(rs, t, s, "ns/op"),
				stats.Cell(ops, stats.Group),
				stats.Cell(m["MB/s"], stats.Group), ratio(rs, t, s, "MB/s"),
				stats.Cell(m["B/op"], stats.Group), stats.Cell(m["allocs/op"], stats.Group),
				strconv.Itoa(len(m["ns/op"])),
			}
			fmt.Fprintln(w, "| "+strings.Join(cells, " | ")+" |")
		}
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, "µs/op is wall time per operation with the whole benchmark process on one CPU "+
		"(GOMAXPROCS=1): on an otherwise idle CPU it is the CPU time of both ends together. goevent ÷ this: ratio of medians; "+
		"for µs/op below 1 means goevent spends less, for MB/s above 1 means goevent moves more.")
	fmt.Fprintln(w)
}

// ratio is goevent's median of unit over subject's in test, empty on
// goevent's own row and "–" when either is missing.
func ratio(rs runs, test, subject, unit string) string {
	if subject == ours {
		return ""
	}
	o, p := rs[test][ours][unit], rs[test][subject][unit]
	if len(o) == 0 || len(p) == 0 {
		return "–"
	}
	return stats.Ratio(stats.Median(o), stats.Median(p))
}

// summaryRows are the lines of summary.tsv: µs per operation of every
// test and subject, then MB/s where the benchmark reports it.
func summaryRows(rs runs, ord order) []summary.Row {
	var rows []summary.Row
	for _, t := range ord.tests {
		for _, s := range ord.subjects {
			m := rs[t][s]
			if m == nil {
				continue
			}
			if r, ok := summary.FromRuns("tls", t, s, "time_per_op", "us", summary.Lower, scaled(m["ns/op"], 1e-3)); ok {
				rows = append(rows, r)
			}
		}
	}
	for _, t := range ord.tests {
		for _, s := range ord.subjects {
			if r, ok := summary.FromRuns("tls", t, s, "throughput", "MB/s", summary.Higher, rs[t][s]["MB/s"]); ok {
				rows = append(rows, r)
			}
		}
	}
	return rows
}

func scaled(v []float64, k float64) []float64 {
	out := make([]float64, len(v))
	for i, x := range v {
		out[i] = x * k
	}
	return out
}

// micro formats microseconds: two decimals below 10, one below 1,000,
// whole numbers with separators above.
func micro(x float64) string {
	switch {
	case x < 10:
		return strconv.FormatFloat(x, 'f', 2, 64)
	case x < 1000:
		return strconv.FormatFloat(x, 'f', 1, 64)
	}
	return stats.Group(x)
}
