package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// writeRun writes one wrk run's two files.
func writeRun(t *testing.T, dir, test, server, round string, requests, ticks string) {
	t.Helper()
	wrk := "  " + requests + " requests in 5.00s, 1MB read\n" +
		"  Latency Distribution\n     50%  100.00us\n     99%    2.00ms\n" +
		"Requests/sec:  " + requests + "\n"
	base := filepath.Join(dir, test+"_"+server+"_"+round)
	if err := os.WriteFile(base+".wrk", []byte(wrk), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(base+".txt", []byte("cpu_ticks="+ticks+" hz=100\n"), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestReport(t *testing.T) {
	dir := t.TempDir()
	// goevent: 1,000,000 requests on 10 s of CPU = 10 µs/req in both
	// rounds; nginx: 500,000 on 10 s = 20 µs/req and 1,000,000 on 10 s.
	writeRun(t, dir, "plain", "goevent", "1", "1000000", "1000")
	writeRun(t, dir, "plain", "goevent", "2", "1000000", "1000")
	writeRun(t, dir, "plain", "nginx", "1", "500000", "1000")
	writeRun(t, dir, "plain", "nginx", "2", "1000000", "1000")
	idle := map[string]string{
		"idle_goevent_1.txt": "n=1000 before_rss=1000000 before_heap_inuse=0 after_rss=1800000 after_heap_inuse=700000\n",
		"idle_nginx_1.txt":   "n=1000 before_rss=1000000 after_rss=1500000\n",
	}
	for name, body := range idle {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	res, err := load(dir)
	if err != nil {
		t.Fatal(err)
	}
	var out strings.Builder
	printMain(&out, res, 16)
	printIdle(&out, res)
	printErrors(&out, res)
	got := out.String()
	for _, want := range []string{
		"| goevent evhttp (default Config) | 1,000,000 (1,000,000–1,000,000) | 10.0 (10.0–10.0) |  | – | – | – | 800 (800–800) |  | 2/0/1 |",
		"| nginx | 750,000 (500,000–1,000,000) | 15.0 (10.0–20.0) | 0.67x | – | – | – | 500 (500–500) | 1.60x | 2/0/1 |",
		"| goevent evhttp (default Config) | 800 (800–800) |  | 700 (700–700) | – | – |",
		"wrk counted no socket errors",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("report lacks %q; got:\n%s", want, got)
		}
	}
}

func TestLoadRejects(t *testing.T) {
	tests := []struct{ name, file, body string }{
		{"bad number", "idle_goevent_1.txt", "n=ten\n"},
		{"missing wrk output", "plain_goevent_1.txt", "cpu_ticks=1 hz=100\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			if err := os.WriteFile(filepath.Join(dir, tt.file), []byte(tt.body), 0o644); err != nil {
				t.Fatal(err)
			}
			if _, err := load(dir); err == nil {
				t.Error("load accepted it")
			}
		})
	}
	if _, err := load(t.TempDir()); err == nil {
		t.Error("load accepted an empty directory")
	}
}
