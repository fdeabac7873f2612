package main

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/goevent/goevent/bench/internal/summary"
)

func TestLoadAndSummary(t *testing.T) {
	dir := t.TempDir()
	files := map[string]string{
		"echo100_goevent_1.txt":   "rps=90000 p50_us=1000 cpu_us_per_req=10.5\n",
		"echo100_goevent_2.txt":   "rps=92000 p50_us=1100 cpu_us_per_req=10.1\n",
		"echo100_gnet_1.txt":      "rps=100000 cpu_us_per_req=9 junk notanumber=x\n",
		"idle_netconn_1.txt":      "n=10 rss_per_conn=7856 heap_per_conn=17169\n",
		"stream_goevent-1m_1.txt": "mbps=1131 cpu_us_per_mb=841\n",
		"readme.txt":              "not a run",
	}
	for name, body := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	figures, err := load(dir)
	if err != nil {
		t.Fatal(err)
	}
	if got := figures["echo100"]["gnet"]["notanumber"]; got != nil {
		t.Errorf("a non-number was kept: %v", got)
	}
	row := func(test, subject, metric, unit, better string, median, low, high float64) summary.Row {
		return summary.Row{Suite: "bufferevent", Test: test, Subject: subject, Metric: metric, Unit: unit,
			Median: median, Low: low, High: high, Better: better}
	}
	want := []summary.Row{
		row("echo100", "goevent", "rps", "req/s", summary.Higher, 91000, 90000, 92000),
		row("echo100", "gnet", "rps", "req/s", summary.Higher, 100000, 100000, 100000),
		row("echo100", "goevent", "cpu_us_per_req", "us", summary.Lower, 10.3, 10.1, 10.5),
		row("echo100", "gnet", "cpu_us_per_req", "us", summary.Lower, 9, 9, 9),
		row("stream", "goevent-1m", "mbps", "MB/s", summary.Higher, 1131, 1131, 1131),
		row("stream", "goevent-1m", "cpu_us_per_mb", "us/MB", summary.Lower, 841, 841, 841),
		row("idle", "netconn", "rss_per_conn", "B", summary.Lower, 7856, 7856, 7856),
	}
	rows := summaryRows(figures)
	if len(rows) != len(want) {
		t.Fatalf("got %d rows %+v, want %d", len(rows), rows, len(want))
	}
	for i := range want {
		if rows[i] != want[i] {
			t.Errorf("row %d = %+v, want %+v", i, rows[i], want[i])
		}
	}
}

func TestLoadEmpty(t *testing.T) {
	if _, err := load(t.TempDir()); err == nil {
		t.Error("load of an empty directory succeeded")
	}
}
