package main

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/goevent/goevent/bench/internal/summary"
)

func TestLoadAndSummary(t *testing.T) {
	dir := t.TempDir()
	rounds := map[string]string{
		"gobench_1.txt": "BenchmarkHandshake/goevent/TLS_1.3 100 2000000 ns/op 10 B/op 1 allocs/op\n" +
			"BenchmarkHandshake/crypto-tls/TLS_1.3 100 1000000 ns/op 20 B/op 2 allocs/op\n" +
			"BenchmarkThroughput/crypto-tls 10 1000 ns/op 900 MB/s\n" +
			"BenchmarkThroughput/goevent 10 2000 ns/op 500 MB/s\n",
		"gobench_2.txt": "BenchmarkHandshake/crypto-tls/TLS_1.3 100 3000000 ns/op 20 B/op 2 allocs/op\n" +
			"BenchmarkHandshake/goevent/TLS_1.3 100 4000000 ns/op 10 B/op 1 allocs/op\nPASS\n",
		"other.txt": "BenchmarkIgnored 1 1 ns/op\n",
	}
	for name, body := range rounds {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	rs, ord, err := load(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(ord.subjects) != 2 || ord.subjects[0] != "goevent" {
		t.Errorf("subjects = %v, want goevent first", ord.subjects)
	}
	if got := ratio(rs, "handshake-TLS_1.3", "crypto-tls", "ns/op"); got != "1.50x" {
		t.Errorf("handshake ratio = %s, want 1.50x (3,000 µs ÷ 2,000 µs)", got)
	}
	row := func(test, subject, metric, unit, better string, median, low, high float64) summary.Row {
		return summary.Row{Suite: "tls", Test: test, Subject: subject, Metric: metric, Unit: unit,
			Median: median, Low: low, High: high, Better: better}
	}
	want := []summary.Row{
		row("handshake-TLS_1.3", "goevent", "time_per_op", "us", summary.Lower, 3000, 2000, 4000),
		row("handshake-TLS_1.3", "crypto-tls", "time_per_op", "us", summary.Lower, 2000, 1000, 3000),
		row("throughput", "goevent", "time_per_op", "us", summary.Lower, 2, 2, 2),
		row("throughput", "crypto-tls", "time_per_op", "us", summary.Lower, 1, 1, 1),
		row("throughput", "goevent", "throughput", "MB/s", summary.Higher, 500, 500, 500),
		row("throughput", "crypto-tls", "throughput", "MB/s", summary.Higher, 900, 900, 900),
	}
	rows := summaryRows(rs, ord)
	if len(rows) != len(want) {
		t.Fatalf("got %d rows %+v, want %d", len(rows), rows, len(want))
	}
	for i := range want {
		if rows[i] != want[i] {
			t.Errorf("row %d = %+v, want %+v", i, rows[i], want[i])
		}
	}
}

func TestLoadErrors(t *testing.T) {
	dir := t.TempDir()
	if _, _, err := load(dir); err == nil {
		t.Error("load of an empty directory succeeded")
	}
	if err := os.WriteFile(filepath.Join(dir, "gobench_1.txt"), []byte("BenchmarkX 10 fast ns/op\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, _, err := load(dir); err == nil {
		t.Error("load of a malformed result succeeded")
	}
}

func TestServers(t *testing.T) {
	dir := t.TempDir()
	files := map[string]string{
		// 1,000 handshakes in 2 s on 50 ticks of 100 Hz: 500 hs/s, 500 µs each.
		"handshake_goevent_1.txt": "handshakes=1000 failed=0 seconds=2 hz=100 server_ticks=50\n",
		"handshake_gotls_1.txt":   "handshakes=1000 failed=3 seconds=1 hz=100 server_ticks=25\n",
		// 2e8 B in 1 s on 20 ticks: 200 MB/s, 1,000 µs per MB.
		"bulk_goevent_1.txt": "bytes=200000000 seconds=1 hz=100 server_ticks=20\n",
		"bulk_gotls_1.txt":   "bytes=0 seconds=1 hz=100 server_ticks=20\n", // no bytes: no figures
		"gobench_1.txt":      "BenchmarkX/goevent 1 1 ns/op\n",
	}
	for name, body := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	res, err := loadServers(dir)
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	writeServers(&b, res)
	for _, want := range []string{
		"| handshake | goevent ssl (one loop) | 500 (500–500) handshakes/s | 500.0 (500.0–500.0) µs/handshake |  | 1 |",
		"| handshake | crypto/tls on net.Conn (goroutine per conn) | 1,000 (1,000–1,000) handshakes/s | 250.0 (250.0–250.0) µs/handshake | 2.00x | 1 |",
		"| bulk | crypto/tls on net.Conn (goroutine per conn) | – MB/s | – µs/MB | – | 0 |",
		"3 failed handshakes",
	} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("table lacks %q:\n%s", want, b.String())
		}
	}
	rows := serverRows(res)
	if len(rows) != 6 || rows[0].Subject != "goevent" || rows[0].Unit != "handshakes/s" || rows[1].Subject != "crypto-tls" {
		t.Errorf("serverRows = %+v", rows)
	}
	if _, err := parseKV("a=1 b=x"); !errors.Is(err, ErrMalformed) {
		t.Errorf("parseKV of b=x = %v, want ErrMalformed", err)
	}
}
