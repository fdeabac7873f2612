package main

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/goevent/goevent/bench/internal/summary"
)

func TestSummaryRows(t *testing.T) {
	dir := t.TempDir()
	files := map[string]string{
		// 10,000 requests in 1 s with 20 ticks of 100 Hz: 20 µs/req.
		"conns64_goeventpool_1.txt": "requests=10000 failed=0 cpu_ticks=20 seconds=1 hz=100 server_ticks=10\n",
		"conns1_nethttp_1.txt":      "requests=5000 failed=0 cpu_ticks=40 seconds=1 hz=100 server_ticks=10\n",
		"conns1_nethttp_2.txt":      "requests=0 failed=9 cpu_ticks=0 seconds=1 hz=100 server_ticks=0\n",
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
	row := func(test, subject, metric, unit, better string, v float64) summary.Row {
		return summary.Row{Suite: "httpclient", Test: test, Subject: subject, Metric: metric, Unit: unit,
			Median: v, Low: v, High: v, Better: better}
	}
	want := []summary.Row{
		row("conns1", "nethttp", "client_cpu_per_req", "us", summary.Lower, 80),
		row("conns64", "goevent-pool", "client_cpu_per_req", "us", summary.Lower, 20),
		row("conns1", "nethttp", "req_per_s", "req/s", summary.Higher, 5000),
		row("conns64", "goevent-pool", "req_per_s", "req/s", summary.Higher, 10000),
	}
	rows := summaryRows(res)
	if len(rows) != len(want) {
		t.Fatalf("got %d rows %+v, want %d", len(rows), rows, len(want))
	}
	for i := range want {
		if rows[i] != want[i] {
			t.Errorf("row %d = %+v, want %+v", i, rows[i], want[i])
		}
		if rows[i].Ours() != (rows[i].Subject == "goevent-pool") {
			t.Errorf("row %d: Ours = %v", i, rows[i].Ours())
		}
	}
}
