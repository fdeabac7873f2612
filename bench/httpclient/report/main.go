// Command report turns the raw output of httpclient/run.sh into the
// markdown tables of the side-by-side HTTP client benchmark.
//
// Usage: report [-cmd LINE] [-dur D] DIR
//
// DIR holds, per run, connsC_CLIENT_ROUND.txt: the client's line
// (requests=N failed=N cpu_ticks=N seconds=S, its own utime+stime over the
// measured window) followed by hz=N and server_ticks=N (nginx's worker over
// the whole client run). A cell is the median of the rounds with their
// min–max; a ratio divides two medians from the same session. Besides the
// tables on stdout it writes DIR/summary.tsv (bench/internal/summary).
package main

import (
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

// clients in row order.
var clients = []struct{ name, title string }{
	{"goevent", "goevent evhttp.Connection (one per connection)"},
	{"goeventpool", "goevent evhttp.Pool"},
	{"fasthttp", "fasthttp v1.78.0 HostClient"},
	{"nethttp", "Go net/http Client"},
}

// peers are the clients every row is compared with.
var peers = []struct{ name, title string }{
	{"fasthttp", "fasthttp"},
	{"nethttp", "net/http"},
}

func main() {
	cmd := flag.String("cmd", "", "the command line that made the raw output")
	dur := flag.String("dur", "5s", "measured window of each run")
	flag.Parse()
	if flag.NArg() != 1 {
		fmt.Fprintln(os.Stderr, "usage: report [-cmd LINE] [-dur D] DIR")
		os.Exit(2)
	}
	res, err := load(flag.Arg(0))
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	if *cmd != "" {
		fmt.Printf("Command: `%s`\n\n", *cmd)
	}
	fmt.Printf("Each client sends `GET /` back to back on C keep-alive connections for %s and checks every reply "+
		"(status 200, body `Hello, World!`). Client CPU is the client's utime+stime from /proc/self/stat over the "+
		"measured window (connections already open), divided by the requests completed in it; nginx CPU is its "+
		"worker's over the whole client run.\n\n", *dur)
	write(os.Stdout, res)
	if err := summary.WriteFile(flag.Arg(0), summaryRows(res)); err != nil {
		fmt.Fprintln(os.Stderr, "report:", err)
		os.Exit(1)
	}
}

// results[conns][client] holds the runs of one client at one concurrency.
type results map[int]map[string]*runs

// runs collects one value per round for each figure.
type runs struct {
	rps, cpuPerReq, srvPerReq []float64
	failed                    float64
}

// load reads every run in dir.
func load(dir string) (results, error) {
	files, err := filepath.Glob(filepath.Join(dir, "conns*_*_*.txt"))
	if err != nil {
		return nil, fmt.Errorf("report: %w", err)
	}
	res := results{}
	for _, f := range files {
		parts := strings.Split(strings.TrimSuffix(filepath.Base(f), ".txt"), "_")
		if len(parts) != 3 {
			continue
		}
		c, err := strconv.Atoi(strings.TrimPrefix(parts[0], "conns"))
		if err != nil {
			continue
		}
		b, err := os.ReadFile(f)
		if err != nil {
			return nil, fmt.Errorf("report: %w", err)
		}
		kv, err := parseKV(string(b))
		if err != nil {
			return nil, fmt.Errorf("report: %s: %w", f, err)
		}
		if res[c] == nil {
			res[c] = map[string]*runs{}
		}
		r := res[c][parts[1]]
		if r == nil {
			r = &runs{}
			res[c][parts[1]] = r
		}
		r.add(kv)
	}
	if len(res) == 0 {
		return nil, fmt.Errorf("report: no result files in %s", dir)
	}
	return res, nil
}

func (r *runs) add(kv map[string]float64) {
	n, hz, secs := kv["requests"], kv["hz"], kv["seconds"]
	r.failed += kv["failed"]
	if n <= 0 || hz <= 0 || secs <= 0 {
		return
	}
	r.rps = append(r.rps, n/secs)
	r.cpuPerReq = append(r.cpuPerReq, kv["cpu_ticks"]/hz*1e6/n)
	r.srvPerReq = append(r.srvPerReq, kv["server_ticks"]/hz*1e6/n)
}

// parseKV reads whitespace-separated key=value numbers; other words are
// skipped.
func parseKV(s string) (map[string]float64, error) {
	kv := map[string]float64{}
	for _, f := range strings.Fields(s) {
		k, v, ok := strings.Cut(f, "=")
		if !ok {
			continue
		}
		x, err := strconv.ParseFloat(v, 64)
		if err != nil {
			return nil, fmt.Errorf("%s is not a number", f)
		}
		kv[k] = x
	}
	return kv, nil
}

func write(w io.Writer, res results) {
	levels := make([]int, 0, len(res))
	for c := range res {
		levels = append(levels, c)
	}
	slices.Sort(levels)
	for _, c := range levels {
		fmt.Fprintf(w, "### %d keep-alive connection%s\n\n", c, plural(c))
		fmt.Fprint(w, "| client | req/s | client CPU µs/req |")
		for _, p := range peers {
			fmt.Fprintf(w, " ÷ %s |", p.title)
		}
		fmt.Fprintln(w, " nginx CPU µs/req | rounds |")
		fmt.Fprintln(w, "|---|---:|---:|"+strings.Repeat("---:|", len(peers))+"---:|---:|")
		for _, cl := range clients {
			r := res[c][cl.name]
			if r == nil {
				continue
			}
			cells := []string{cl.title, stats.Cell(r.rps, stats.Group), stats.Cell(r.cpuPerReq, micro)}
			for _, p := range peers {
				cells = append(cells, ratio(r, res[c][p.name], cl.name == p.name))
			}
			cells = append(cells, stats.Cell(r.srvPerReq, micro), strconv.Itoa(len(r.rps)))
			fmt.Fprintln(w, "| "+strings.Join(cells, " | ")+" |")
		}
		fmt.Fprintln(w)
	}
	fmt.Fprintln(w, "÷ peer: this row's median client CPU µs/req divided by the peer's, from the same run; "+
		"below 1 means this client spends less. Target (issue 8): goevent at or below fasthttp (≤ 1.00x) "+
		"and under half of net/http (< 0.50x).")
	fmt.Fprintln(w)
	var bad []string
	for _, c := range levels {
		for _, cl := range clients {
			if r := res[c][cl.name]; r != nil && r.failed > 0 {
				bad = append(bad, fmt.Sprintf("- %s, %d connection%s: %s failed requests over all rounds.",
					cl.title, c, plural(c), stats.Group(r.failed)))
			}
		}
	}
	if len(bad) == 0 {
		fmt.Fprintln(w, "Every reply of every run was checked: none failed.")
		return
	}
	fmt.Fprintln(w, strings.Join(bad, "\n"))
}

// ratio is r's median client CPU over peer's, empty on the peer's own row.
func ratio(r, peer *runs, self bool) string {
	if self {
		return ""
	}
	if peer == nil {
		return "–"
	}
	return stats.Ratio(stats.Median(r.cpuPerReq), stats.Median(peer.cpuPerReq))
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}

// micro formats CPU microseconds: two decimals below 10, one above.
func micro(x float64) string {
	if x < 10 {
		return strconv.FormatFloat(x, 'f', 2, 64)
	}
	return strconv.FormatFloat(x, 'f', 1, 64)
}
