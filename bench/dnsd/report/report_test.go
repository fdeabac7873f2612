package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// writeRun writes one measured run's two files: completed queries over 2 s
// with ticks of CPU at 100 Hz.
func writeRun(t *testing.T, dir, server, round, completed, ticks, upstream string) {
	t.Helper()
	out := "  Queries sent:         " + completed + "\n  Queries completed:    " + completed + " (100.00%)\n" +
		"  Queries lost:         0 (0.00%)\n  Response codes:       NOERROR " + completed + " (100.00%)\n" +
		"  Queries per second:   " + completed + "\n"
	base := filepath.Join(dir, "cached_"+server+"_"+round)
	if err := os.WriteFile(base+".dnsperf", []byte(out), 0o644); err != nil {
		t.Fatal(err)
	}
	kv := "cpu_ticks=" + ticks + " hz=100 upstream_queries=" + upstream + "\n"
	if err := os.WriteFile(base+".txt", []byte(kv), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestReport(t *testing.T) {
	dir := t.TempDir()
	// goevent: 500,000 queries on 2 s of CPU = 4 µs/query in both rounds;
	// unbound: 250,000 on 2 s = 8 µs and 500,000 on 2 s = 4 µs.
	writeRun(t, dir, "goevent", "1", "500000", "200", "0")
	writeRun(t, dir, "goevent", "2", "500000", "200", "3")
	writeRun(t, dir, "unbound", "1", "250000", "200", "0")
	writeRun(t, dir, "unbound", "2", "500000", "200", "1")
	warm := "Queries sent: 10000\nQueries completed: 9998\nQueries lost: 2\nQueries per second: 50000\n" +
		"Response codes: NOERROR 9990 (99.92%), REFUSED 8 (0.08%)\n"
	if err := os.WriteFile(filepath.Join(dir, "warmup_goevent_1.dnsperf"), []byte(warm), 0o644); err != nil {
		t.Fatal(err)
	}
	res, err := load(dir)
	if err != nil {
		t.Fatal(err)
	}
	var out strings.Builder
	printTable(&out, res)
	printChecks(&out, res)
	got := out.String()
	for _, want := range []string{
		"| evdnsd (goevent, -loops 1) | 500,000 (500,000–500,000) | 4.00 (4.00–4.00) |  | 0 (0–0) | 3 | 2 |",
		"| unbound (forward-zone, 1 thread) | 375,000 (250,000–500,000) | 6.00 (4.00–8.00) | 0.67x | 0 (0–0) | 1 | 2 |",
		"- evdnsd (goevent, -loops 1): 0 replies other than NOERROR in the measured runs; in 1 warm-up passes 2 queries lost and 8 replies other than NOERROR.",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("report lacks %q; got:\n%s", want, got)
		}
	}
	if strings.Contains(got, "dnsmasq") {
		t.Errorf("report has a row for dnsmasq, which did not run:\n%s", got)
	}
	if err := writeSummary(filepath.Join(dir, "summary.tsv"), res); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(filepath.Join(dir, "summary.tsv"))
	if err != nil {
		t.Fatal(err)
	}
	wantTSV := "suite\ttest\tsubject\tmetric\tunit\tmedian\tlow\thigh\tbetter\n" +
		"dnsd\tcached\tgoevent\tqps\tqueries/s\t500000\t500000\t500000\thigher\n" +
		"dnsd\tcached\tgoevent\tcpu_per_query\tus\t4\t4\t4\tlower\n" +
		"dnsd\tcached\tgoevent\tlost\tqueries\t0\t0\t0\tlower\n" +
		"dnsd\tcached\tunbound\tqps\tqueries/s\t375000\t250000\t500000\thigher\n" +
		"dnsd\tcached\tunbound\tcpu_per_query\tus\t6\t4\t8\tlower\n" +
		"dnsd\tcached\tunbound\tlost\tqueries\t0\t0\t0\tlower\n"
	if string(b) != wantTSV {
		t.Errorf("summary.tsv:\n%s\nwant:\n%s", b, wantTSV)
	}
}

func TestLoadRejects(t *testing.T) {
	good := "Queries sent: 1\nQueries completed: 1\nQueries lost: 0\nQueries per second: 1\n"
	tests := []struct {
		name  string
		files map[string]string
	}{
		{"no runs", map[string]string{}},
		{"warm-up only", map[string]string{"warmup_goevent_1.dnsperf": good}},
		{"bad dnsperf", map[string]string{"cached_goevent_1.dnsperf": "Error: no data\n", "cached_goevent_1.txt": "cpu_ticks=1 hz=100 upstream_queries=0"}},
		{"no ticks file", map[string]string{"cached_goevent_1.dnsperf": good}},
		{"bad number", map[string]string{"cached_goevent_1.dnsperf": good, "cached_goevent_1.txt": "cpu_ticks=x hz=100 upstream_queries=0"}},
		{"missing key", map[string]string{"cached_goevent_1.dnsperf": good, "cached_goevent_1.txt": "cpu_ticks=1 hz=100"}},
		{"zero hz", map[string]string{"cached_goevent_1.dnsperf": good, "cached_goevent_1.txt": "cpu_ticks=1 hz=0 upstream_queries=0"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			for name, body := range tt.files {
				if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			if _, err := load(dir); err == nil {
				t.Error("load accepted it")
			}
		})
	}
}
