package main

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/goevent/goevent/bench/internal/summary"
)

// sample is the statistics part of a dnsperf run's output.
const sample = `  Queries sent:         32501
  Queries completed:    32400 (99.69%)
  Queries lost:         101 (0.31%)
  Response codes:       NOERROR 32300 (99.69%), NXDOMAIN 100 (0.31%)
  Queries per second:   14298.176885
`

func TestLoadAndPrint(t *testing.T) {
	dir := t.TempDir()
	files := map[string]string{
		"server_goevent_1.dnsperf": sample,
		// 32,400 queries completed with 162 ticks of 100 Hz: 50 µs/query.
		"server_goevent_1.txt": "cpu_ticks=162 hz=100\n",
		// 20,000 lookups in 2 s, 40 ticks: 20 µs/lookup; 10,000 in flight
		// took the heap from 1,000,000 to 11,000,000 bytes: 1,000 B each.
		"resolver_goevent_1.txt": "lookups=20000 failed=0 cpu_ticks=40 seconds=2 inflight=10000 " +
			"base_rss=2000000 base_heap_inuse=1000000 base_heap_alloc=500000 base_stack_inuse=100000 base_goroutines=1 " +
			"rss=32000000 heap_inuse=11000000 heap_alloc=5500000 stack_inuse=100000 goroutines=1 peak_rss=41943040 " +
			"hz=100 server_ticks=20\n",
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
	printServer(&b, res, 2, 10000)
	printResolver(&b, res, 2, 10000, "goevent")
	out := b.String()
	for _, want := range []string{
		"| goevent evdns.ServerPort | 14,298 (14,298–14,298) | 50.0 (50.0–50.0) |  | 101 | 100 | 1 |",
		"| goevent evdns.Resolver (cache off) | 10,000 (10,000–10,000) | 20.0 (20.0–20.0) |  | 10.0 (10.0–10.0) | " +
			"40.0 (40.0–40.0) | " +
			"3,000 (3,000–3,000) | 1,000 (1,000–1,000) | 500 (500–500) | 0 (0–0) | 1 (1–1) | 1 |",
		"none failed",
		"against the same server, goevent evdns.ServerPort",
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
	var got []string
	for _, r := range rows {
		got = append(got, fmt.Sprintf("%s %s %s %s %s %g %s", r.Suite, r.Test, r.Subject, r.Metric, r.Unit, r.Median, r.Better))
	}
	wantRows := []string{
		"dns server goevent queries_per_s queries/s 14298.2 higher",
		"dns server goevent cpu_per_query us 50 lower",
		"dns resolver goevent lookups_per_s lookups/s 10000 higher",
		"dns resolver goevent cpu_per_lookup us 20 lower",
		"dns resolver goevent peak_rss MiB 40 lower",
		"dns resolver goevent rss_per_lookup B 3000 lower",
	}
	if !slices.Equal(got, wantRows) {
		t.Errorf("summary rows:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(wantRows, "\n"))
	}
	if _, err := load(t.TempDir()); err == nil {
		t.Error("load of an empty directory succeeded")
	}
}
