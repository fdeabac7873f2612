package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestLoadAndWrite(t *testing.T) {
	dir := t.TempDir()
	files := map[string]string{
		// 10,000 requests in 1 s with 20 ticks of 100 Hz: 20 µs/req.
		"conns1_goevent_1.txt":  "requests=10000 failed=0 cpu_ticks=20 seconds=1.000000 hz=100 server_ticks=10\n",
		"conns1_fasthttp_1.txt": "requests=10000 failed=0 cpu_ticks=40 seconds=1.000000 hz=100 server_ticks=10\n",
		"conns1_nethttp_1.txt":  "requests=5000 failed=2 cpu_ticks=40 seconds=1.000000 hz=100 server_ticks=10\n",
		"unrelated.txt":         "x",
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
	write(&b, res)
	out := b.String()
	for _, want := range []string{
		"| goevent evhttp.Connection (one per connection) | 10,000 (10,000–10,000) | 20.0 (20.0–20.0) | 0.50x | 0.25x | 10.0 (10.0–10.0) | 1 |",
		"| Go net/http Client | 5,000 (5,000–5,000) | 80.0 (80.0–80.0) | 2.00x |  | 20.0 (20.0–20.0) | 1 |",
		"- Go net/http Client, 1 connection: 2 failed requests over all rounds.",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	if _, err := load(t.TempDir()); err == nil {
		t.Error("load of an empty directory succeeded")
	}
}

func TestParseKV(t *testing.T) {
	kv, err := parseKV("a=1 b=2.5 word c=-3")
	if err != nil || kv["a"] != 1 || kv["b"] != 2.5 || kv["c"] != -3 || len(kv) != 3 {
		t.Errorf("parseKV = %v, %v", kv, err)
	}
	if _, err := parseKV("a=x"); err == nil {
		t.Error("parseKV accepted a=x")
	}
}
