package main

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/goevent/goevent/bench/internal/summary"
	"github.com/goevent/goevent/bench/internal/wrk"
)

// wrkJSON and wrkErrors are the parts of wrk's output the report reads: one
// run with latency percentiles, one with errors and none.
const (
	wrkJSON = "     50%  336.00us\n     99%    1.20s\n" +
		"  200123 requests in 5.00s, 44.76MB read\nRequests/sec:  40024.60\n"
	wrkErrors = "  400 requests in 2.01s, 44.00KB read\n" +
		"  Socket errors: connect 3, read 4, write 0, timeout 10\n" +
		"  Non-2xx or 3xx responses: 7\nRequests/sec:    199.00\n"
)

// writeRaw lays out one run as adapter/run.sh does.
func writeRaw(t *testing.T, dir, test, server, round, wrkOut, ticks string) {
	t.Helper()
	base := filepath.Join(dir, test+"_"+server+"_"+round)
	if err := os.WriteFile(base+".wrk", []byte(wrkOut), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(base+".txt", []byte(ticks), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestLoadAndSummary(t *testing.T) {
	dir := t.TempDir()
	writeRaw(t, dir, "json", "goevent", "1", wrkJSON, "cpu_ticks=400 hz=100\n")
	writeRaw(t, dir, "json", "nethttp", "1", wrkErrors, "cpu_ticks=2 hz=100\n")
	if err := os.WriteFile(filepath.Join(dir, "process_goevent.txt"), []byte("gomaxprocs=1 workers=4\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "summary.tsv")
	if err := run(io.Discard, dir, "cmd", 64, "5s", out); err != nil {
		t.Fatal(err)
	}
	res, err := load(dir)
	if err != nil {
		t.Fatal(err)
	}
	g := res.get("json", "goevent")
	// 400 ticks at 100 Hz = 4 s of CPU over 200,123 requests.
	if len(g.cpuPerReq) != 1 || g.cpuPerReq[0] < 19.98 || g.cpuPerReq[0] > 19.99 {
		t.Errorf("goevent CPU per request = %v, want 19.99", g.cpuPerReq)
	}
	if len(g.p50) != 1 || g.p50[0] != 336 || g.p99[0] != 1.2e6 {
		t.Errorf("goevent latency = %v %v", g.p50, g.p99)
	}
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(string(b), "\n"), "\n")
	if lines[0] != summary.Header {
		t.Fatalf("header %q", lines[0])
	}
	want := map[string]bool{
		"adapter\tjson\tgoevent\trps\treq/s\t40024.6\t40024.6\t40024.6\thigher":     true,
		"adapter\tjson\tgoevent\tcpu_per_req\tus\t19.9877\t19.9877\t19.9877\tlower": true,
		"adapter\tjson\tnethttp\tcpu_per_req\tus\t50\t50\t50\tlower":                true,
		"adapter\tjson\tgoevent\tp99\tus\t1200000\t1200000\t1200000\tlower":         true,
	}
	for _, l := range lines[1:] {
		if n := len(strings.Split(l, "\t")); n != 9 {
			t.Errorf("line %q has %d fields", l, n)
		}
		delete(want, l)
	}
	for l := range want {
		t.Errorf("summary lacks %q", l)
	}
	// nethttp's run had no latency lines: no p50 row for it.
	if bytes.Contains(b, []byte("nethttp\tp50")) {
		t.Errorf("summary has a p50 row without samples:\n%s", b)
	}
}

func TestLoadErrors(t *testing.T) {
	t.Run("empty dir", func(t *testing.T) {
		if _, err := load(t.TempDir()); !errors.Is(err, errRaw) {
			t.Errorf("err = %v, want errRaw", err)
		}
	})
	t.Run("bad ticks", func(t *testing.T) {
		dir := t.TempDir()
		writeRaw(t, dir, "json", "goevent", "1", wrkJSON, "cpu_ticks=many hz=100\n")
		if _, err := load(dir); !errors.Is(err, errRaw) {
			t.Errorf("err = %v, want errRaw", err)
		}
	})
	t.Run("bad wrk", func(t *testing.T) {
		dir := t.TempDir()
		writeRaw(t, dir, "json", "goevent", "1", "unable to connect\n", "cpu_ticks=1 hz=100\n")
		if _, err := load(dir); !errors.Is(err, wrk.ErrFormat) {
			t.Errorf("err = %v, want wrk.ErrFormat", err)
		}
	})
}

func TestStretched(t *testing.T) {
	runs := []time.Duration{5 * time.Second, 5010 * time.Millisecond, 9 * time.Second}
	if n := stretched(runs, wrkDuration("5s")); n != 1 {
		t.Errorf("stretched = %d, want 1", n)
	}
	if n := stretched(runs, wrkDuration("5")); n != 1 {
		t.Errorf("stretched with -d 5 = %d, want 1", n)
	}
	if n := stretched(runs, wrkDuration("soon")); n != 0 {
		t.Errorf("stretched with an unknown duration = %d, want 0", n)
	}
}
