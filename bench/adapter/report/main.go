// Command report turns the raw output of adapter/run.sh into the markdown
// tables of the HandlerAdapter benchmark, and writes the summary.tsv that
// bench/run reads.
//
// Usage: report [-cmd LINE] [-conns C] [-dur D] [-summary FILE] DIR
//
// DIR holds, per run, TEST_SERVER_ROUND.wrk (wrk's output) and
// TEST_SERVER_ROUND.txt (cpu_ticks=N hz=N: the server's utime+stime over
// the run), and process_SERVER.txt (the line each server printed at start:
// GOMAXPROCS, its CPUs, the adapter's pool). A cell is the median of the
// rounds with their min–max; a ratio divides two medians of the same
// session.
package main

import (
	"bytes"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/goevent/goevent/bench/internal/stats"
	"github.com/goevent/goevent/bench/internal/summary"
)

// ours is the subject the ratios are about.
const ours = "goevent"

// server is one row of the tables.
type server struct{ name, title string }

// servers lists the rows in order; ours first.
func servers() []server {
	return []server{
		{"goevent", "goevent evhttp.HandlerAdapter (1 loop, default AdapterConfig)"},
		{"nethttp", "Go net/http http.Server"},
	}
}

// tests lists the tests in order with what each requests.
func tests() []struct{ name, what string } {
	return []struct{ name, what string }{
		{"json", "GET /json (encoding/json, 116-byte body)"},
		{"hello", "GET /hello (13-byte text body)"},
	}
}

func main() {
	cmd := flag.String("cmd", "", "the command line that made the raw output")
	conns := flag.Int("conns", 64, "wrk connections used")
	dur := flag.String("dur", "5s", "wrk duration used")
	tsvPath := flag.String("summary", "", "write summary.tsv here (default DIR/summary.tsv)")
	flag.Parse()
	if flag.NArg() != 1 {
		fmt.Fprintln(os.Stderr, "usage: report [-cmd LINE] [-conns C] [-dur D] [-summary FILE] DIR")
		os.Exit(2)
	}
	dir := flag.Arg(0)
	if *tsvPath == "" {
		*tsvPath = filepath.Join(dir, summary.FileName)
	}
	if err := run(os.Stdout, dir, *cmd, *conns, *dur, *tsvPath); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

func run(stdout io.Writer, dir, cmd string, conns int, dur, tsvPath string) error {
	res, err := load(dir)
	if err != nil {
		return err
	}
	var out bytes.Buffer
	if cmd != "" {
		fmt.Fprintf(&out, "Command: `%s`\n\n", cmd)
	}
	fmt.Fprintf(&out, "wrk: `wrk -t1 -c%d -d%s --latency http://127.0.0.1:PORT/PATH`, keep-alive. Server CPU is "+
		"utime+stime of the server process (all threads) from /proc/PID/stat over the wrk run, divided by the "+
		"requests wrk counted.\n\n", conns, dur)
	printProcesses(&out, dir)
	printMain(&out, res)
	printErrors(&out, res, wrkDuration(dur))
	if _, err := stdout.Write(out.Bytes()); err != nil {
		return err
	}
	if err := summary.Save(tsvPath, summaryRows(res), summary.Write); err != nil {
		return fmt.Errorf("report: %w", err)
	}
	return nil
}

// summaryRows lists every figure of every test and server.
func summaryRows(res results) []summary.Row {
	var rows []summary.Row
	for _, t := range tests() {
		for _, s := range servers() {
			r := res.get(t.name, s.name)
			if r == nil {
				continue
			}
			for _, m := range []struct {
				metric, unit, better string
				v                    []float64
			}{
				{"rps", "req/s", summary.Higher, r.rps},
				{"cpu_per_req", "us", summary.Lower, r.cpuPerReq},
				{"p50", "us", summary.Lower, r.p50},
				{"p99", "us", summary.Lower, r.p99},
			} {
				if row, ok := summary.FromRuns("adapter", t.name, s.name, m.metric, m.unit, m.better, m.v); ok {
					rows = append(rows, row)
				}
			}
		}
	}
	return rows
}

// printProcesses lists how each server ran, from process_SERVER.txt.
func printProcesses(out *bytes.Buffer, dir string) {
	var names []string
	for _, s := range servers() {
		names = append(names, s.name)
	}
	if lines := stats.StartLines(dir, names); lines != "" {
		fmt.Fprintf(out, "As the servers reported at start: %s.\n\n", lines)
	}
}
