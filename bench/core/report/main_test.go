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
		"1000_100_libevent_1.txt":  "700\n690\n710\n",
		"1000_100_libevent_2.txt":  "650\n",
		"1000_100_goevent_1.txt":   "720\n\n730\n",
		"1000_100_gorpoller_1.txt": "", // a failed run: skipped
		"100_100_goevent_1.txt":    "600\n",
		"notes.txt":                "not a run",
		"1000_x_goevent_1.txt":     "1\n",
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
	rows := summaryRows([]key{{100, 100}, {1000, 100}}, runs)
	want := []summary.Row{
		row("n100_a100", "goevent", 600, 600, 600),
		row("n1000_a100", "libevent", 675, 650, 700),
		row("n1000_a100", "goevent", 725, 725, 725),
	}
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
	return summary.Row{Suite: "core", Test: test, Subject: subject, Metric: "round_time", Unit: "us",
		Median: median, Low: low, High: high, Better: summary.Lower}
}

func TestLoadMalformed(t *testing.T) {
	dir := t.TempDir()
	if _, err := load(dir); err == nil {
		t.Error("load of an empty directory succeeded")
	}
	if err := os.WriteFile(filepath.Join(dir, "1000_100_goevent_1.txt"), []byte("12\nfast\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := load(dir); err == nil {
		t.Error("load of a file with a word in it succeeded")
	}
}
