package main

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/goevent/goevent/bench/internal/summary"
)

func TestLoadAndPrint(t *testing.T) {
	dir := t.TempDir()
	files := map[string]string{
		// 20,000 calls in 2 s with 40 ticks of 100 Hz: 10,000 calls/s, 20 µs/call.
		"run_c1_goevent_1.txt": "calls=20000 bad=0 errors=0 seconds=2.000000 hz=100 server_ticks=40\n",
		"run_c1_goevent_2.txt": "calls=30000 bad=0 errors=0 seconds=2.000000 hz=100 server_ticks=60\n",
		// 10,000 calls/s, 40 µs/call, one wrong answer.
		"run_c1_libevent_1.txt": "calls=20000 bad=1 errors=0 seconds=2 hz=100 server_ticks=80\n",
		"run_c64_netrpc_1.txt":  "calls=40000 bad=0 errors=2 seconds=2 hz=100 server_ticks=100\n",
		// 40,000 calls/s, 10 µs/call: against net/rpc 2x the rate, 0.4x the CPU.
		"run_c64_goevent-pipe_1.txt":               "calls=80000 bad=0 errors=0 seconds=2 hz=100 server_ticks=80\n",
		"run_c64_goevent_1.txt":                    "calls=20000 bad=0 errors=0 seconds=2 hz=100 server_ticks=40\n",
		"cross_c64_goevent-pipe-to-libevent_1.txt": "calls=6000 bad=0 errors=0 seconds=1 hz=100 server_ticks=12\n",
		"cross_c1_goevent-to-libevent_1.txt":       "calls=5000 bad=0 errors=0 seconds=1 hz=100 server_ticks=10\n",
		"check_goevent.txt":                        "calls=400 bad=0 errors=0 seconds=0.1\n",
	}
	for name, body := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	res, err := load(dir)
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	printTables(&b, res, 2)
	out := b.String()
	for _, want := range []string{
		"| subject | calls/s | server CPU µs/call | calls/s goevent/this | CPU goevent/this | runs | failed calls |",
		"| goevent evrpc (one loop), one call per connection | 12,500 (10,000–15,000) | 20.0 (20.0–20.0) |  |  | 2 | 0 |",
		"| libevent 2.1 evrpc (C) | 10,000 (10,000–10,000) | 40.0 (40.0–40.0) | 1.25x | 0.50x | 1 | **1 wrong** |",
		"goevent-pipe does not run with one call outstanding",
		"| subject | calls/s | server CPU µs/call | calls/s goevent/this | CPU goevent/this | calls/s goevent-pipe/this | CPU goevent-pipe/this | runs | failed calls |",
		"| goevent evrpc (one loop), client pipelining 16 per connection | 40,000 (40,000–40,000) | 10.0 (10.0–10.0) | 0.25x | 2.00x |  |  | 1 | 0 |",
		"| Go net/rpc (gob, one client connection) | 20,000 (20,000–20,000) | 25.0 (25.0–25.0) | 0.50x | 0.80x | 2.00x | 0.40x | 1 | **2 errors** |",
		"| c1 | goevent client → libevent C server | 5,000 | 20.0 | 0 |",
		"| c64 | goevent pipelining client → libevent C server | 6,000 | 20.0 | 0 |",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	if err := summary.WriteFile(dir, summaryRows(res)); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(filepath.Join(dir, summary.FileName))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := summary.Read(f)
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 10 {
		t.Fatalf("summary has %d rows, want 10 (cross-checks stay out): %+v", len(rows), rows)
	}
	pipeRow := summary.Row{Suite: "rpc", Test: "c64", Subject: "goevent-pipe", Metric: "cpu_per_call", Unit: "us",
		Median: 10, Low: 10, High: 10, Better: summary.Lower}
	found := false
	for _, r := range rows {
		found = found || r == pipeRow
	}
	if !found {
		t.Errorf("summary lacks %+v: %+v", pipeRow, rows)
	}
	want := summary.Row{Suite: "rpc", Test: "c1", Subject: "goevent", Metric: "calls_per_s", Unit: "calls/s",
		Median: 12500, Low: 10000, High: 15000, Better: summary.Higher}
	if rows[0] != want {
		t.Errorf("first row %+v, want %+v", rows[0], want)
	}
}

func TestParseKVMalformed(t *testing.T) {
	for _, in := range []string{
		"",
		"calls=1 bad=0 errors=0 seconds=1 hz=100",                // no server_ticks
		"calls=x bad=0 errors=0 seconds=1 hz=100 server_ticks=1", // not a number
		"calls bad=0 errors=0 seconds=1 hz=100 server_ticks=1",   // not key=value
		"=1 calls=1 bad=0 errors=0 seconds=1 hz=100 server_ticks=1",
	} {
		if _, err := parseKV(in); !errors.Is(err, errFormat) {
			t.Errorf("parseKV(%q) = %v, want errFormat", in, err)
		}
	}
	kv, err := parseKV("calls=3 bad=0 errors=0 seconds=0 hz=100 server_ticks=1")
	if err != nil {
		t.Fatal(err)
	}
	if err := new(runs).add(kv); !errors.Is(err, errFormat) {
		t.Errorf("a run of 0 seconds: %v, want errFormat", err)
	}
}

func TestParseName(t *testing.T) {
	for _, tc := range []struct {
		in               string
		kind, test, name string
		ok               bool
	}{
		{"run_c1_goevent_3.txt", "run", "c1", "goevent", true},
		{"cross_c64_libevent-to-goevent_1.txt", "cross", "c64", "libevent-to-goevent", true},
		{"run_c64_goevent-pipe_2.txt", "run", "c64", "goevent-pipe", true},
		{"check_goevent.txt", "", "", "", false},
		{"run_c1_goevent_x.txt", "", "", "", false},
		{"other_c1_goevent_1.txt", "", "", "", false},
		{"run_c1_goevent.txt", "", "", "", false},
	} {
		kind, test, name, ok := parseName(tc.in)
		if kind != tc.kind || test != tc.test || name != tc.name || ok != tc.ok {
			t.Errorf("parseName(%q) = %q %q %q %v", tc.in, kind, test, name, ok)
		}
	}
}

func TestLoadEmpty(t *testing.T) {
	if _, err := load(t.TempDir()); err == nil {
		t.Error("load of an empty directory succeeded")
	}
}
