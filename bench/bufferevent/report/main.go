// Command report turns the raw output of run.sh into the markdown tables of
// the side-by-side bufferevent benchmark.
//
// Usage: report DIR
//
// DIR holds one file per run, named TEST_PROGRAM_REP.txt, each holding the
// client's one line of key=value figures. A cell shows the median of the
// runs with their min–max; a ratio is of two medians from the same session.
// Besides the tables on stdout it writes DIR/summary.tsv
// (bench/internal/summary).
package main

import (
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/goevent/goevent/bench/internal/stats"
	"github.com/goevent/goevent/bench/internal/summary"
)

// programs in row order; those starting with "goevent" are ours.
var programs = []struct{ name, title string }{
	{"goevent", "goevent bufferevent"},
	{"goevent-1m", "goevent, max single read/write 1 MiB"},
	{"netconn", "net.Conn, goroutine per conn"},
	{"gnet", "gnet v2.9.7"},
}

type metric struct {
	key, title string
	prec       int  // decimals; -1: bytes shown as MiB
	ratio      bool // print ours/this ratio columns
}

// figureSet holds the runs' figures: [test][program][key], one value per run.
type figureSet map[string]map[string]map[string][]float64

// charted are the figures summary.tsv carries, per test prefix.
var charted = []struct {
	prefix, key, unit, better string
}{
	{"echo", "rps", "req/s", summary.Higher},
	{"echo", "cpu_us_per_req", "us", summary.Lower},
	{"stream", "mbps", "MB/s", summary.Higher},
	{"stream", "cpu_us_per_mb", "us/MB", summary.Lower},
	{"sendfile", "mbps", "MB/s", summary.Higher},
	{"sendfile", "cpu_ms_per_gib", "ms/GiB", summary.Lower},
	{"idle", "rss_per_conn", "B", summary.Lower},
}

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: report DIR")
		os.Exit(2)
	}
	figures, err := load(os.Args[1])
	if err != nil {
		fmt.Fprintln(os.Stderr, "report:", err)
		os.Exit(1)
	}

	echo := []metric{
		{"rps", "req/s", 0, true},
		{"p50_us", "p50 µs", 0, false},
		{"p99_us", "p99 µs", 0, false},
		{"cpu_us_per_req", "server CPU µs/req", 2, true},
	}
	if figures["echo1"] != nil || figures["echo100"] != nil || figures["echo5000"] != nil {
		fmt.Println("### Echo ping-pong, 64-byte messages")
		fmt.Println()
		fmt.Println("Each connection writes 64 B and reads the echo back before the next write. Ratios: goevent ÷ this server, of medians (req/s: above 1 means goevent served more; CPU: below 1 means goevent spent less per request).")
		fmt.Println()
		table(figures, []string{"echo1", "echo100", "echo5000"}, "connections", echo)
	}
	if figures["stream"] != nil {
		fmt.Println("### Echo throughput, one connection streaming 64 KiB writes")
		fmt.Println()
		fmt.Println("MB/s echoed back (10^6 B/s). Ratios: ours ÷ this server.")
		fmt.Println()
		table(figures, []string{"stream"}, "test", []metric{
			{"mbps", "MB/s", 0, true},
			{"cpu_us_per_mb", "server CPU µs/MB", 0, true},
		})
	}
	if figures["sendfile"] != nil {
		fmt.Println("### sendfile: the whole file to each connection, read to EOF")
		fmt.Println()
		fmt.Println("goevent: evbuffer.AddFile on the bufferevent's Output; net.Conn: io.Copy(*net.TCPConn, *os.File). Both end in sendfile(2). Ratios: ours ÷ this server.")
		fmt.Println()
		table(figures, []string{"sendfile"}, "test", []metric{
			{"mbps", "MB/s", 0, true},
			{"cpu_ms_per_gib", "server CPU ms/GiB", 0, true},
		})
	}
	if figures["idle"] != nil {
		fmt.Println("### Memory per idle connection")
		fmt.Println()
		fmt.Println("N connections from the client process, one 64 B echo on each, then (after − before) / N, both readings taken after runtime.GC and debug.FreeOSMemory in the server. RSS is VmRSS; live heap is MemStats.HeapAlloc; heap in use is HeapInuse (spans); stacks is StackInuse (goroutine stacks, not in the heap figures). Target for goevent: under 768 B.")
		fmt.Println()
		table(figures, []string{"idle"}, "test", []metric{
			{"rss_per_conn", "RSS B/conn", 0, true},
			{"heap_per_conn", "live heap B/conn", 0, false},
			{"heap_inuse_per_conn", "heap in use B/conn", 0, false},
			{"stack_per_conn", "stacks B/conn", 0, false},
			{"rss_after", "server RSS after, MiB", -1, false},
		})
	}
	if err := summary.WriteFile(os.Args[1], summaryRows(figures)); err != nil {
		fmt.Fprintln(os.Stderr, "report:", err)
		os.Exit(1)
	}
}

// load reads dir's result files into a figureSet.
func load(dir string) (figureSet, error) {
	files, err := filepath.Glob(filepath.Join(dir, "*_*_*.txt"))
	if err != nil || len(files) == 0 {
		return nil, fmt.Errorf("no result files in %s", dir)
	}
	figures := figureSet{}
	for _, f := range files {
		parts := strings.Split(strings.TrimSuffix(filepath.Base(f), ".txt"), "_")
		if len(parts) != 3 {
			continue
		}
		b, err := os.ReadFile(f)
		if err != nil {
			return nil, err
		}
		t, p := parts[0], parts[1]
		if figures[t] == nil {
			figures[t] = map[string]map[string][]float64{}
		}
		if figures[t][p] == nil {
			figures[t][p] = map[string][]float64{}
		}
		for _, kv := range strings.Fields(string(b)) {
			k, v, _ := strings.Cut(kv, "=")
			if x, err := strconv.ParseFloat(v, 64); err == nil {
				figures[t][p][k] = append(figures[t][p][k], x)
			}
		}
	}
	return figures, nil
}

// summaryRows are the lines of summary.tsv: the charted figures of each
// test and program, tests in table order.
func summaryRows(figures figureSet) []summary.Row {
	var rows []summary.Row
	for _, t := range []string{"echo1", "echo100", "echo5000", "stream", "sendfile", "idle"} {
		for _, c := range charted {
			if !strings.HasPrefix(t, c.prefix) {
				continue
			}
			for _, p := range programs {
				if r, ok := summary.FromRuns("bufferevent", t, p.name, c.key, c.unit, c.better, figures[t][p.name][c.key]); ok {
					rows = append(rows, r)
				}
			}
		}
	}
	return rows
}

func table(figures figureSet, tests []string, first string, ms []metric) {
	var ours []string
	for _, p := range programs {
		if strings.HasPrefix(p.name, "goevent") {
			for _, t := range tests {
				if figures[t][p.name] != nil {
					ours = append(ours, p.name)
					break
				}
			}
		}
	}
	head := []string{first, "server"}
	for _, m := range ms {
		head = append(head, m.title)
		if m.ratio {
			for _, o := range ours {
				head = append(head, o+" ÷ this")
			}
		}
	}
	head = append(head, "runs")
	fmt.Println("| " + strings.Join(head, " | ") + " |")
	fmt.Println("|---|---|" + strings.Repeat("---:|", len(head)-2))
	for _, t := range tests {
		r := figures[t]
		if r == nil {
			continue
		}
		label := t
		if n, ok := strings.CutPrefix(t, "echo"); ok {
			label = n
		}
		for _, p := range programs {
			if r[p.name] == nil {
				continue
			}
			cells := []string{label, p.title}
			runs := 0
			for _, m := range ms {
				v := r[p.name][m.key]
				runs = max(runs, len(v))
				cells = append(cells, cell(v, m.prec))
				if m.ratio {
					for _, o := range ours {
						if o == p.name {
							cells = append(cells, "")
							continue
						}
						cells = append(cells, stats.Ratio(stats.Median(r[o][m.key]), stats.Median(v)))
					}
				}
			}
			cells = append(cells, strconv.Itoa(runs))
			fmt.Println("| " + strings.Join(cells, " | ") + " |")
		}
	}
	fmt.Println()
}

// cell is "median (min–max)"; prec -1 means bytes shown as MiB.
func cell(v []float64, prec int) string {
	if len(v) == 0 {
		return "–"
	}
	f := func(x float64) string { return num(x, prec) }
	if prec < 0 {
		f = func(x float64) string { return num(x/(1<<20), 1) }
	}
	return fmt.Sprintf("%s (%s–%s)", f(stats.Median(v)), f(slices.Min(v)), f(slices.Max(v)))
}

// num formats x with prec decimals, thousands separated when prec is 0.
func num(x float64, prec int) string {
	if prec > 0 || math.Abs(x) < 10 && prec == 0 && x != math.Trunc(x) {
		if prec == 0 {
			prec = 1
		}
		return strconv.FormatFloat(x, 'f', prec, 64)
	}
	neg := x < 0
	s := strconv.FormatInt(int64(math.Abs(x)+0.5), 10)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	if neg {
		s = "-" + s
	}
	return s
}
