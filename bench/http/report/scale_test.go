package main

import (
	"bytes"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

func writeIdle(t *testing.T, dir, test, server string, n, before, after int) {
	t.Helper()
	body := "n=" + itoa(n) + " before_rss=" + itoa(before) + " after_rss=" + itoa(after) + "\n"
	if err := os.WriteFile(filepath.Join(dir, test+"_"+server+"_1.txt"), []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
}

func itoa(n int) string { return strconv.Itoa(n) }

func TestScale(t *testing.T) {
	dir := t.TempDir()
	// 1,000,000 requests on 10 s of CPU: 10 µs/req at every point.
	for _, test := range []string{"scale-c10", "scale-c10000", "scale-c100", "scale-l1", "scale-l2"} {
		writeRun(t, dir, test, "goevent", "1", "1000000", "1000")
		writeRun(t, dir, test, "nginx", "1", "1000000", "2000")
	}
	const mib = 1 << 20
	// goevent: 800 B per connection from 10 MiB; nginx has only one point.
	writeIdle(t, dir, "scale-i1000", "goevent", 1000, 10*mib, 10*mib+1000*800)
	writeIdle(t, dir, "scale-i10000", "goevent", 10000, 10*mib, 10*mib+10000*800)
	writeIdle(t, dir, "scale-i10000", "nginx", 10000, 10*mib, 10*mib+10000*500)
	res, err := load(dir)
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(res.scalePoints("scale-c"), " "); got != "scale-c10 scale-c100 scale-c10000" {
		t.Errorf("scalePoints = %q, want numeric order", got)
	}
	slope, top, ok := res.idleSlope("goevent", res.scalePoints("scale-i"))
	if !ok || math.Abs(slope-800) > 1e-6 || top != 10*mib+10000*800 {
		t.Errorf("idleSlope = %v, %v, %v; want 800, %d, true", slope, top, ok, 10*mib+10000*800)
	}
	if _, _, ok := res.idleSlope("nginx", res.scalePoints("scale-i")); ok {
		t.Error("idleSlope of a server with one point: ok")
	}

	var out bytes.Buffer
	printScale(&out, res, 100, "5s", 2)
	for _, want := range []string{
		"| server | c=10 req/s | CPU µs/req | c=100 req/s | CPU µs/req | c=10,000 req/s | CPU µs/req |",
		"| 1 loop req/s | CPU µs/req | 2 loops req/s | CPU µs/req | req/s last ÷ first |",
		"20.0 (20.0–20.0) 0.50x", // nginx's CPU with goevent ÷ nginx
		"**projected** RSS at 1,000,000, MiB",
		// goevent: 800 B/conn at both points, slope 800, 17.6 MiB at 10k,
		// 18,485,760 + 800 × 90,000 B = 86 MiB and + 800 × 990,000 = 773 MiB.
		"| 800 (800–800) | 800 (800–800) | 800 | 17.6 | 86 | 773 |",
		"| – | 500 (500–500) | – | – | – | – |",
	} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("scale tables lack %q:\n%s", want, out.String())
		}
	}

	rows := summaryRows(res)
	var projected, cpu int
	for _, r := range rows {
		switch {
		case r.Test == "projected-1M" && r.Subject == "goevent":
			projected++
			if math.Abs(r.Median-(10*mib+10000*800+800*990000.0)/mib) > 1e-3 {
				t.Errorf("projected RSS at 1M = %v MiB", r.Median)
			}
		case r.Metric == "cpu_per_req" && r.Subject == "nginx":
			cpu++
			if r.Median != 20 {
				t.Errorf("nginx %s CPU = %v, want 20", r.Test, r.Median)
			}
		}
	}
	if projected != 1 || cpu != 5 {
		t.Errorf("got %d projected goevent rows and %d nginx CPU rows, want 1 and 5", projected, cpu)
	}
}

func TestRunWithoutRequests(t *testing.T) {
	dir := t.TempDir()
	writeRun(t, dir, "scale-c1000", "goevent", "1", "0", "5")
	writeRun(t, dir, "scale-c1000", "goevent", "2", "1000", "5")
	res, err := load(dir)
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	printErrors(&out, res)
	if want := "scale-c1000: 1 of 2 wrk runs counted no request at all."; !strings.Contains(out.String(), want) {
		t.Errorf("printErrors = %q, want it to contain %q", out.String(), want)
	}
}

func TestCompact(t *testing.T) {
	for n, want := range map[float64]string{100_000: "100k", 1_000_000: "1M", 1500: "1500", 10: "10"} {
		if got := compact(n); got != want {
			t.Errorf("compact(%v) = %q, want %q", n, got, want)
		}
	}
}
