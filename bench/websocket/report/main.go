// Command report turns the raw output of websocket/run.sh into the
// markdown tables of the WebSocket echo benchmark, and writes the
// summary.tsv that bench/run reads.
//
// Usage: report [-cmd LINE] [-conns N] [-dur D] [-summary FILE] DIR
//
// DIR holds, per run, TEST_SERVER_ROUND.txt: the load client's line
// (messages=N seconds=S ... client_cpu_s=X) with cpu_ticks=N hz=N, the
// server's utime+stime over the run, appended; and process_SERVER.txt, the
// line each server printed at start. A cell is the median of the rounds
// with their min–max; a ratio divides two medians of the same session.
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
		{"goevent", "goevent evhttp.Upgrade (1 loop)"},
		{"gorilla", "gorilla/websocket v1.5.3 on net/http"},
		{"coder", "coder/websocket v1.8.15 on net/http"},
		{"nbio", "nbio v1.6.8 websocket (nbhttp, 1 poller)"},
	}
}

// tests lists the tests in order with their message size.
func tests() []struct{ name, what string } {
	return []struct{ name, what string }{
		{"small", "64-byte binary messages"},
		{"large", "16 KiB binary messages"},
	}
}

func main() {
	cmd := flag.String("cmd", "", "the command line that made the raw output")
	conns := flag.Int("conns", 64, "client connections used")
	dur := flag.String("dur", "4s", "client duration used")
	tsvPath := flag.String("summary", "", "write summary.tsv here (default DIR/summary.tsv)")
	flag.Parse()
	if flag.NArg() != 1 {
		fmt.Fprintln(os.Stderr, "usage: report [-cmd LINE] [-conns N] [-dur D] [-summary FILE] DIR")
		os.Exit(2)
	}
	dir := flag.Arg(0)
	if *tsvPath == "" {
		*tsvPath = filepath.Join(dir, summary.FileName)
	}
	if err := report(os.Stdout, dir, *cmd, *conns, *dur, *tsvPath); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

func report(stdout io.Writer, dir, cmd string, conns int, dur, tsvPath string) error {
	res, err := load(dir)
	if err != nil {
		return err
	}
	var out bytes.Buffer
	if cmd != "" {
		fmt.Fprintf(&out, "Command: `%s`\n\n", cmd)
	}
	fmt.Fprintf(&out, "Load client: `client -conns %d -size B -dur %s`: %d connections, each sending one binary "+
		"message, waiting for the echo, checking it byte for byte, and sending the next. Server CPU is utime+stime "+
		"of the server process (all threads) from /proc/PID/stat over the client run, divided by the echoes "+
		"verified.\n\n", conns, dur, conns)
	printProcesses(&out, dir)
	printMain(&out, res)
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
			if row, ok := summary.FromRuns("websocket", t.name, s.name, "msgs_per_s", "msg/s", summary.Higher,
				r.msgsPerSec); ok {
				rows = append(rows, row)
			}
			if row, ok := summary.FromRuns("websocket", t.name, s.name, "cpu_per_msg", "us", summary.Lower,
				r.cpuPerMsg); ok {
				rows = append(rows, row)
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

// printMain prints one table per test.
func printMain(out *bytes.Buffer, res results) {
	for _, t := range tests() {
		if res[t.name] == nil {
			continue
		}
		fmt.Fprintf(out, "### Echo, %s\n\n", t.what)
		fmt.Fprintln(out, "| server | messages/s | CPU µs/message | goevent ÷ this (CPU) | client CPU % | rounds |")
		fmt.Fprintln(out, "|---|---:|---:|---:|---:|---:|")
		for _, s := range servers() {
			r := res.get(t.name, s.name)
			if r == nil {
				continue
			}
			fmt.Fprintf(out, "| %s | %s | %s | %s | %s | %d |\n", s.title,
				stats.Cell(r.msgsPerSec, stats.Group),
				stats.Cell(r.cpuPerMsg, micro),
				res.ratio(t.name, s.name),
				stats.Cell(r.clientCPU, stats.Group),
				len(r.msgsPerSec))
		}
		fmt.Fprintln(out)
	}
	fmt.Fprintln(out, "goevent ÷ this: ratio of the medians of server CPU µs per message; below 1 means goevent spends less. "+
		"Client CPU %: the load client's CPU time over the sending time; near 100 the client, not the server, "+
		"sets messages/s.")
}

// ratio is goevent's median CPU per message over server's, or "–".
func (res results) ratio(test, server string) string {
	a, b := res.get(test, ours), res.get(test, server)
	if a == nil || b == nil {
		return "–"
	}
	return stats.Ratio(stats.Median(a.cpuPerMsg), stats.Median(b.cpuPerMsg))
}

// micro formats CPU microseconds.
func micro(x float64) string { return fmt.Sprintf("%.2f", x) }
