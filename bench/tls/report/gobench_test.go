package main

import (
	"errors"
	"strings"
	"testing"
)

const sample = `goos: linux
goarch: amd64
pkg: github.com/goevent/goevent/ssl
cpu: AMD EPYC
BenchmarkHandshake/goevent/TLS_1.3         	     700	   1734567 ns/op	  123456 B/op	     987 allocs/op
BenchmarkHandshake/crypto-tls/TLS_1.3-2    	     900	   1312345 ns/op	   98765 B/op	     876 allocs/op
BenchmarkThroughput/goevent
    bench_test.go:99: a log line
BenchmarkThroughput/goevent                	    1000	   1846000 ns/op	 568.02 MB/s	      12 B/op	       0 allocs/op
PASS
ok  	github.com/goevent/goevent/ssl	12.3s
`

func TestParseBench(t *testing.T) {
	rs, err := parseBench(strings.NewReader(sample))
	if err != nil {
		t.Fatal(err)
	}
	if len(rs) != 3 {
		t.Fatalf("got %d results, want 3: %+v", len(rs), rs)
	}
	if rs[1].name != "Handshake/crypto-tls/TLS_1.3" || rs[1].n != 900 || rs[1].metrics["ns/op"] != 1312345 {
		t.Errorf("result 1 = %+v", rs[1])
	}
	if rs[2].metrics["MB/s"] != 568.02 || rs[2].metrics["allocs/op"] != 0 {
		t.Errorf("result 2 = %+v", rs[2])
	}
}

func TestParseBenchMalformed(t *testing.T) {
	for _, in := range []string{
		"BenchmarkX 100 12 ns/op extra",
		"BenchmarkX many 12 ns/op",
		"BenchmarkX 0 12 ns/op",
		"BenchmarkX 100",
		"BenchmarkX 100 fast ns/op",
		"BenchmarkX 100 NaN ns/op",
		"Benchmark 100 1 ns/op",
	} {
		if _, err := parseBench(strings.NewReader(in)); !errors.Is(err, ErrMalformed) {
			t.Errorf("parseBench(%q) = %v, want ErrMalformed", in, err)
		}
	}
}

func TestSplit(t *testing.T) {
	for name, want := range map[string][2]string{
		"Handshake/goevent/TLS_1.3": {"handshake-TLS_1.3", "goevent"},
		"Throughput/crypto-tls":     {"throughput", "crypto-tls"},
		"Alone":                     {"alone", "go"},
	} {
		if test, subject := split(name); test != want[0] || subject != want[1] {
			t.Errorf("split(%q) = %q, %q; want %q, %q", name, test, subject, want[0], want[1])
		}
	}
}

func FuzzParseBench(f *testing.F) {
	f.Add(sample)
	f.Add("BenchmarkA-8 1 2 ns/op 3 MB/s")
	f.Fuzz(func(t *testing.T, in string) {
		rs, err := parseBench(strings.NewReader(in))
		if err != nil {
			return
		}
		for _, r := range rs {
			if r.name == "" || r.n <= 0 || len(r.metrics) == 0 {
				t.Fatalf("accepted a result with no name, count or metric: %+v", r)
			}
		}
	})
}
