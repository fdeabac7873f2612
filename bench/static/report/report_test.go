package main

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/goevent/goevent/bench/internal/summary"
	"github.com/goevent/goevent/bench/internal/wrk"
)

// writeRun writes one wrk run's two files.
func writeRun(t *testing.T, dir, test, subject, round, requests, ticks, size string) {
	t.Helper()
	out := "  " + requests + " requests in 5.00s, 1MB read\n" +
		"  Latency Distribution\n     50%  100.00us\n     99%    2.00ms\n" +
		"Requests/sec:  " + requests + "\n"
	base := filepath.Join(dir, test+"_"+subject+"_"+round)
	if err := os.WriteFile(base+".wrk", []byte(out), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(base+".txt", []byte("cpu_ticks="+ticks+" hz=100 size="+size+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestReport(t *testing.T) {
	dir := t.TempDir()
	// file1k: goevent 1,000,000 requests on 10 s of CPU = 10 µs/req in
	// both rounds; nginx 500,000 on 10 s = 20 µs/req and 1,000,000 on
	// 10 s = 10 µs/req, median 15.
	writeRun(t, dir, "file1k", "goevent", "1", "1000000", "1000", "1024")
	writeRun(t, dir, "file1k", "goevent", "2", "1000000", "1000", "1024")
	writeRun(t, dir, "file1k", "nginx", "1", "500000", "1000", "1024")
	writeRun(t, dir, "file1k", "nginx", "2", "1000000", "1000", "1024")
	// file1m: 5,000 requests of 1 MiB in 5 s = 1,048.576 MB/s.
	writeRun(t, dir, "file1m", "goevent", "1", "5000", "100", "1048576")
	writeRun(t, dir, "file1m", "nginx", "1", "10000", "100", "1048576")
	if err := os.WriteFile(filepath.Join(dir, "reply_goevent.txt"), []byte("HTTP/1.1 200 OK\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	res, err := load(dir)
	if err != nil {
		t.Fatal(err)
	}
	var out strings.Builder
	printTables(&out, res)
	printTargets(&out, res)
	printErrors(&out, res)
	got := out.String()
	for _, want := range []string{
		"| goevent evhttpd (-loops 1, -open-file-cache 60s) | 1,000,000 (1,000,000–1,000,000) | 205 (205–205) | 10.0 (10.0–10.0) |  |",
		"| nginx (sendfile, open_file_cache) | 750,000 (500,000–1,000,000) | 154 (102–205) | 15.0 (10.0–20.0) | 0.67x |",
		"| 1,049 (1,049–1,049) |",
		"- file1k: goevent's CPU µs/req at or below nginx's — 10.0 ÷ 15.0 = 0.67x: met.",
		"- file1m: goevent's MB/s at or above nginx's — 1,049 ÷ 2,097 = 0.50x: not met.",
		"wrk counted no socket errors",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("report lacks %q:\n%s", want, got)
		}
	}
	if strings.Contains(got, "proxy") {
		t.Errorf("report has a proxy table without proxy runs:\n%s", got)
	}

	var tsv strings.Builder
	if err := summary.WriteRounded(&tsv, summaryRows(res)); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(tsv.String(), "\n"), "\n")
	if lines[0] != "suite\ttest\tsubject\tmetric\tunit\tmedian\tlow\thigh\tbetter" {
		t.Errorf("summary header = %q", lines[0])
	}
	if want := 1 + 4*len(metrics); len(lines) != want {
		t.Errorf("summary has %d lines, want %d:\n%s", len(lines), want, tsv.String())
	}
	for _, want := range []string{
		"static\tfile1k\tnginx\tcpu_per_req\tus\t15\t10\t20\tlower",
		"static\tfile1m\tgoevent\tmb_per_s\tMB/s\t1048.576\t1048.576\t1048.576\thigher",
		"static\tfile1k\tgoevent\tp99\tus\t2000\t2000\t2000\tlower",
	} {
		if !strings.Contains(tsv.String(), want+"\n") {
			t.Errorf("summary lacks %q:\n%s", want, tsv.String())
		}
	}
	for _, l := range lines {
		if n := strings.Count(l, "\t"); n != 8 {
			t.Errorf("summary line %q has %d tabs, want 8", l, n)
		}
	}
}

func TestLoadMalformed(t *testing.T) {
	tests := []struct {
		name, txt, wrkOut string
	}{
		{"no ticks", "hz=100 size=1024", "10 requests in 1.00s, 1KB read\nRequests/sec: 10\n"},
		{"no size", "cpu_ticks=1 hz=100", "10 requests in 1.00s, 1KB read\nRequests/sec: 10\n"},
		{"zero hz", "cpu_ticks=1 hz=0 size=1024", "10 requests in 1.00s, 1KB read\nRequests/sec: 10\n"},
		{"bad number", "cpu_ticks=x hz=100 size=1024", "10 requests in 1.00s, 1KB read\nRequests/sec: 10\n"},
		{"nan", "cpu_ticks=NaN hz=100 size=1024", "10 requests in 1.00s, 1KB read\nRequests/sec: 10\n"},
		{"bad wrk", "cpu_ticks=1 hz=100 size=1024", "Running 1s test\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			base := filepath.Join(dir, "file1k_goevent_1")
			os.WriteFile(base+".txt", []byte(tt.txt), 0o644)
			os.WriteFile(base+".wrk", []byte(tt.wrkOut), 0o644)
			_, err := load(dir)
			if !errors.Is(err, errRaw) && !errors.Is(err, wrk.ErrFormat) {
				t.Fatalf("load = %v, want errRaw or wrk.ErrFormat", err)
			}
		})
	}
	t.Run("no wrk file", func(t *testing.T) {
		dir := t.TempDir()
		os.WriteFile(filepath.Join(dir, "proxy_nginx_1.txt"), []byte("cpu_ticks=1 hz=100 size=1"), 0o644)
		if _, err := load(dir); !errors.Is(err, os.ErrNotExist) {
			t.Fatalf("load = %v, want ErrNotExist", err)
		}
	})
	t.Run("empty dir", func(t *testing.T) {
		if _, err := load(t.TempDir()); err == nil {
			t.Fatal("load of an empty directory succeeded")
		}
	})
}
