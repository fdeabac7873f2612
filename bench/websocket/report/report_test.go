package main

import (
	"errors"
	"io"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/goevent/goevent/bench/internal/summary"
)

func TestParseRun(t *testing.T) {
	got, err := parseRun("messages=500000 seconds=5.000 conns=64 size=64 gomaxprocs=1 client_cpu_s=4.5 cpu_ticks=300 hz=100\n")
	if err != nil {
		t.Fatal(err)
	}
	want := run{messages: 500000, seconds: 5, cpuTicks: 300, hz: 100, clientCPU: 4.5}
	if got != want {
		t.Errorf("got %+v, want %+v", got, want)
	}
	got, err = parseRun("messages=10 seconds=1 cpu_ticks=0 hz=100")
	if err != nil || got.clientCPU != -1 {
		t.Errorf("without client_cpu_s: %+v, %v", got, err)
	}
}

func TestParseRunMalformed(t *testing.T) {
	tests := []struct {
		name, in string
		want     error
	}{
		{"empty", "", errRun},
		{"client failed, no figures", "cpu_ticks=3 hz=100", errRun},
		{"no ticks", "messages=10 seconds=1 hz=100", errRun},
		{"no hz", "messages=10 seconds=1 cpu_ticks=3", errRun},
		{"zero messages", "messages=0 seconds=1 cpu_ticks=3 hz=100", errRun},
		{"negative seconds", "messages=10 seconds=-1 cpu_ticks=3 hz=100", errRun},
		{"zero hz", "messages=10 seconds=1 cpu_ticks=3 hz=0", errRun},
		{"negative ticks", "messages=10 seconds=1 cpu_ticks=-3 hz=100", errRun},
		{"NaN", "messages=NaN seconds=1 cpu_ticks=3 hz=100", errRaw},
		{"infinite", "messages=10 seconds=+Inf cpu_ticks=3 hz=100", errRaw},
		{"not a number", "messages=many seconds=1 cpu_ticks=3 hz=100", errRaw},
		{"empty key", "=5 messages=10 seconds=1 cpu_ticks=3 hz=100", errRaw},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if r, err := parseRun(tt.in); !errors.Is(err, tt.want) {
				t.Errorf("got %+v, %v; want %v", r, err, tt.want)
			}
		})
	}
}

func FuzzParseRun(f *testing.F) {
	f.Add("messages=500000 seconds=5.000 conns=64 size=64 client_cpu_s=4.5 cpu_ticks=300 hz=100")
	f.Add("messages=1 seconds=1 cpu_ticks=0 hz=1")
	f.Fuzz(func(t *testing.T, s string) {
		r, err := parseRun(s)
		if err != nil {
			if !errors.Is(err, errRaw) && !errors.Is(err, errRun) {
				t.Fatalf("error %v wraps neither errRaw nor errRun", err)
			}
			return
		}
		var rs runs
		rs.add(r)
		for _, x := range append(rs.msgsPerSec, rs.cpuPerMsg...) {
			if x < 0 || math.IsNaN(x) || math.IsInf(x, 0) {
				t.Fatalf("figures %+v from %q", rs, s)
			}
		}
	})
}

func TestReport(t *testing.T) {
	dir := t.TempDir()
	write := func(name, s string) {
		t.Helper()
		if err := os.WriteFile(filepath.Join(dir, name), []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("small_goevent_1.txt", "messages=100000 seconds=2 client_cpu_s=1.9 cpu_ticks=100 hz=100\n")
	write("small_goevent_2.txt", "messages=120000 seconds=2 client_cpu_s=1.9 cpu_ticks=100 hz=100\n")
	write("small_nbio_1.txt", "messages=50000 seconds=2 cpu_ticks=100 hz=100\n")
	write("process_goevent.txt", "gomaxprocs=1 affinity_cpus=1\n")
	write("check_goevent.txt", "binary 1 bytes: echoed\n")
	tsv := filepath.Join(dir, "out.tsv")
	var out strings.Builder
	if err := report(&out, dir, "cmd", 64, "2s", tsv); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"### Echo, 64-byte binary messages",
		// 1 s of CPU over 100,000 and 120,000 messages: 10 and 8.33 µs.
		"| goevent evhttp.Upgrade (1 loop) | 55,000 (50,000–60,000) | 9.17 (8.33–10.00) | 1.00x | 95 (95–95) | 2 |",
		"| nbio v1.6.8 websocket (nbhttp, 1 poller) | 25,000 (25,000–25,000) | 20.00 (20.00–20.00) | 0.46x | – | 1 |",
		"goevent: `gomaxprocs=1 affinity_cpus=1`",
	} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("report lacks %q:\n%s", want, out.String())
		}
	}
	b, err := os.ReadFile(tsv)
	if err != nil {
		t.Fatal(err)
	}
	want := summary.Header + "\n" +
		"websocket\tsmall\tgoevent\tmsgs_per_s\tmsg/s\t55000\t50000\t60000\thigher\n" +
		"websocket\tsmall\tgoevent\tcpu_per_msg\tus\t9.16667\t8.33333\t10\tlower\n" +
		"websocket\tsmall\tnbio\tmsgs_per_s\tmsg/s\t25000\t25000\t25000\thigher\n" +
		"websocket\tsmall\tnbio\tcpu_per_msg\tus\t20\t20\t20\tlower\n"
	if string(b) != want {
		t.Errorf("summary.tsv:\n%s\nwant:\n%s", b, want)
	}
	if err := report(io.Discard, t.TempDir(), "", 64, "2s", tsv); !errors.Is(err, errRaw) {
		t.Errorf("empty dir: err = %v, want errRaw", err)
	}
}
