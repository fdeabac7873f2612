package main

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/goevent/goevent/bench/internal/stats"
	"github.com/goevent/goevent/bench/internal/summary"
)

// servers of the handshake and bulk tests, in row order: the program's
// name in the raw files, its subject in summary.tsv and its title.
var servers = []struct{ name, subject, title string }{
	{"goevent", "goevent", "goevent ssl (one loop)"},
	{"gotls", "crypto-tls", "crypto/tls on net.Conn (goroutine per conn)"},
}

// serverRuns[test][server] holds per-run figures of the server tests.
type serverRuns map[string]map[string]*figures

// figures are one server's runs in one test: the rate the client saw and
// the server's CPU per unit (per handshake, or per MB).
type figures struct {
	rate, cpu []float64
	failed    float64
}

// loadServers reads TEST_SERVER_ROUND.txt files of the handshake and bulk
// tests: the client's key=value line followed by hz=N server_ticks=N.
func loadServers(dir string) (serverRuns, error) {
	files, err := filepath.Glob(filepath.Join(dir, "*_*_*.txt"))
	if err != nil {
		return nil, err
	}
	res := serverRuns{}
	for _, f := range files {
		parts := strings.Split(strings.TrimSuffix(filepath.Base(f), ".txt"), "_")
		if len(parts) != 3 || (parts[0] != "handshake" && parts[0] != "bulk") {
			continue
		}
		b, err := os.ReadFile(f)
		if err != nil {
			return nil, err
		}
		kv, err := parseKV(string(b))
		if err != nil {
			return nil, fmt.Errorf("%s: %w", f, err)
		}
		if res[parts[0]] == nil {
			res[parts[0]] = map[string]*figures{}
		}
		fg := res[parts[0]][parts[1]]
		if fg == nil {
			fg = &figures{}
			res[parts[0]][parts[1]] = fg
		}
		fg.add(parts[0], kv)
	}
	return res, nil
}

// add takes one run: handshakes/s and CPU µs per handshake, or MB/s and
// CPU µs per MB (10^6 B).
func (fg *figures) add(test string, kv map[string]float64) {
	secs, hz, ticks := kv["seconds"], kv["hz"], kv["server_ticks"]
	fg.failed += kv["failed"]
	var units float64
	switch test {
	case "handshake":
		units = kv["handshakes"]
	case "bulk":
		units = kv["bytes"] / 1e6
	}
	if secs <= 0 || hz <= 0 || units <= 0 {
		return
	}
	fg.rate = append(fg.rate, units/secs)
	fg.cpu = append(fg.cpu, ticks/hz*1e6/units)
}

// parseKV reads whitespace-separated key=value numbers; other words are
// skipped.
func parseKV(s string) (map[string]float64, error) {
	kv := map[string]float64{}
	for _, w := range strings.Fields(s) {
		k, v, ok := strings.Cut(w, "=")
		if !ok {
			continue
		}
		x, err := strconv.ParseFloat(v, 64)
		if err != nil {
			return nil, fmt.Errorf("%w: %q is not key=number", ErrMalformed, w)
		}
		kv[k] = x
	}
	return kv, nil
}

// serverTests are the server tests in table order, with their units.
var serverTests = []struct{ name, rate, cpu, cpuUnit string }{
	{"handshake", "handshakes/s", "server CPU µs/handshake", "us"},
	{"bulk", "MB/s", "server CPU µs/MB", "us/MB"},
}

// writeServers prints the handshake and bulk table.
func writeServers(w io.Writer, res serverRuns) {
	fmt.Fprintln(w, "| test | server | rate | server CPU per unit | goevent ÷ this | runs |")
	fmt.Fprintln(w, "|---|---|---:|---:|---:|---:|")
	var failures []string
	for _, t := range serverTests {
		for _, s := range servers {
			fg := res[t.name][s.name]
			if fg == nil {
				continue
			}
			q := ""
			if s.name != servers[0].name {
				q = "–"
				if o := res[t.name][servers[0].name]; o != nil {
					q = stats.Ratio(stats.Median(o.cpu), stats.Median(fg.cpu))
				}
			}
			fmt.Fprintf(w, "| %s | %s | %s %s | %s %s | %s | %d |\n", t.name, s.title,
				stats.Cell(fg.rate, stats.Group), t.rate, stats.Cell(fg.cpu, micro), strings.TrimPrefix(t.cpu, "server CPU "),
				q, len(fg.rate))
			if fg.failed > 0 {
				failures = append(failures, fmt.Sprintf("- %s, %s: %s failed handshakes over all rounds.", s.title, t.name, stats.Group(fg.failed)))
			}
		}
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, "goevent ÷ this: ratio of the medians of server CPU per unit; below 1 means goevent spends less.")
	if len(failures) > 0 {
		fmt.Fprintln(w)
		fmt.Fprintln(w, strings.Join(failures, "\n"))
	}
	fmt.Fprintln(w)
}

// serverRows are summary.tsv's lines for the server tests.
func serverRows(res serverRuns) []summary.Row {
	var rows []summary.Row
	for _, t := range serverTests {
		for _, m := range []struct {
			metric, unit, better string
			v                    func(*figures) []float64
		}{
			{"rate", t.rate, summary.Higher, func(f *figures) []float64 { return f.rate }},
			{"server_cpu", t.cpuUnit, summary.Lower, func(f *figures) []float64 { return f.cpu }},
		} {
			for _, s := range servers {
				fg := res[t.name][s.name]
				if fg == nil {
					continue
				}
				if r, ok := summary.FromRuns("tls", t.name, s.subject, m.metric, m.unit, m.better, m.v(fg)); ok {
					rows = append(rows, r)
				}
			}
		}
	}
	return rows
}
