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
		"readln_libevent_1.txt": "42\n43\n41\n",
		"readln_libevent_2.txt": "44\n",
		"readln_goevent_1.txt":  "12.5\n",
		"readln_bufio_1.txt":    "", // a failed run: skipped
		"small_goevent_1.txt":   "12\n14\n",
		"about.txt":             "not a run",
	}
	for name, body := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	runs, err := load(dir)
	if err != nil {
		t.Fatal(err)
	}
	want := []summary.Row{
		row("small", "goevent", 13, 13, 13),
		row("readln", "libevent", 43, 42, 44),
		row("readln", "goevent", 12.5, 12.5, 12.5),
	}
	rows := summaryRows(runs)
	if len(rows) != len(want) {
		t.Fatalf("got %d rows %+v, want %d", len(rows), rows, len(want))
	}
	for i := range want {
		if rows[i] != want[i] {
			t.Errorf("row %d = %+v, want %+v", i, rows[i], want[i])
		}
	}
}

func row(test, subject string, median, low, high float64) summary.Row {
	return summary.Row{Suite: "evbuffer", Test: test, Subject: subject, Metric: "op_time", Unit: "ns",
		Median: median, Low: low, High: high, Better: summary.Lower}
}

func TestLoadMalformed(t *testing.T) {
	dir := t.TempDir()
	if _, err := load(dir); err == nil {
		t.Error("load of an empty directory succeeded")
	}
	if err := os.WriteFile(filepath.Join(dir, "small_goevent_1.txt"), []byte("1e\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := load(dir); err == nil {
		t.Error("load of a file with a non-number succeeded")
	}
}
