package wrk

import (
	"errors"
	"math"
	"testing"
	"time"
)

const wrkJSON = `Running 5s test @ http://127.0.0.1:23101/json
  1 threads and 64 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency     1.23ms  226.81us   6.09ms   96.17%
    Req/Sec    40.00k     2.73k   49.17k    63.64%
  Latency Distribution
     50%  336.00us
     75%    3.28ms
     90%    7.52ms
     99%    1.20s
  200123 requests in 5.00s, 44.76MB read
Requests/sec:  40024.60
Transfer/sec:      8.95MB
`

const wrkErrors = `Running 2s test @ http://127.0.0.1:23101/hello
  1 threads and 64 connections
  400 requests in 2.01s, 44.00KB read
  Socket errors: connect 3, read 4, write 0, timeout 10
  Non-2xx or 3xx responses: 7
Requests/sec:    199.00
Transfer/sec:     21.89KB
`

func TestParse(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want Result
	}{
		{"with latency", wrkJSON, Result{
			Requests: 200123, Elapsed: 5 * time.Second, RPS: 40024.60,
			P50: 336 * time.Microsecond, P99: 1200 * time.Millisecond,
		}},
		{"errors, no latency", wrkErrors, Result{
			Requests: 400, Elapsed: 2010 * time.Millisecond, RPS: 199, SocketErrors: 17, Non2xx: 7,
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Parse(tt.in)
			if err != nil {
				t.Fatal(err)
			}
			if got != tt.want {
				t.Errorf("got %+v, want %+v", got, tt.want)
			}
		})
	}
}

func TestParseMalformed(t *testing.T) {
	const ok = "  10 requests in 1.00s, 1KB read\nRequests/sec: 10\n"
	tests := []struct{ name, in string }{
		{"empty", ""},
		{"connection refused", "unable to connect to 127.0.0.1:23101 Connection refused\n"},
		{"no Requests/sec", "  10 requests in 1.00s, 1KB read\n"},
		{"no request count", "Requests/sec:  10.00\n"},
		{"count not a number", "  ten requests in 1.00s, 1KB read\nRequests/sec: 10\n"},
		{"negative count", "  -5 requests in 1.00s, 1KB read\nRequests/sec: 10\n"},
		{"NaN count", "  NaN requests in 1.00s, 1KB read\nRequests/sec: 10\n"},
		{"infinite rate", "  10 requests in 1.00s, 1KB read\nRequests/sec: +Inf\n"},
		{"bad duration", "  10 requests in 1.00parsecs, 1KB read\nRequests/sec: 10\n"},
		{"zero duration", "  10 requests in 0s, 1KB read\nRequests/sec: 10\n"},
		{"bad rate", "  10 requests in 1.00s, 1KB read\nRequests/sec: fast\n"},
		{"bad p50", "     50%  soon\n" + ok},
		{"negative p99", "     99%  -3ms\n" + ok},
		{"bad socket errors", "  Socket errors: connect x, read 0\n" + ok},
		{"bad non-2xx", "  Non-2xx or 3xx responses: many\n" + ok},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if r, err := Parse(tt.in); !errors.Is(err, ErrFormat) {
				t.Errorf("got %+v, %v; want ErrFormat", r, err)
			}
		})
	}
}

func FuzzParse(f *testing.F) {
	f.Add(wrkJSON)
	f.Add(wrkErrors)
	f.Add("  1 requests in 1s,\nRequests/sec: 1\n")
	f.Fuzz(func(t *testing.T, in string) {
		r, err := Parse(in)
		if err != nil {
			if !errors.Is(err, ErrFormat) {
				t.Fatalf("error %v does not wrap ErrFormat", err)
			}
			return
		}
		for _, x := range []float64{r.Requests, r.RPS, r.SocketErrors, r.Non2xx} {
			if x < 0 || math.IsNaN(x) || math.IsInf(x, 0) {
				t.Fatalf("accepted impossible figures %+v", r)
			}
		}
		if r.Elapsed <= 0 || r.P50 < 0 || r.P99 < 0 {
			t.Fatalf("accepted impossible durations %+v", r)
		}
	})
}
