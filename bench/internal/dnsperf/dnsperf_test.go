package dnsperf

import (
	"errors"
	"strings"
	"testing"
)

const dnsperfOut = `DNS Performance Testing Tool
Version 2.10.0

[Status] Command line: dnsperf -s 127.0.0.1 -p 20001 -d q.txt -l 2 -c 4 -q 200 -T 1
[Status] Testing complete (time limit)

Statistics:

  Queries sent:         200000
  Queries completed:    199990 (99.99%)
  Queries lost:         10 (0.01%)

  Response codes:       NOERROR 199980 (99.99%), SERVFAIL 10 (0.01%)
  Average packet size:  request 36, response 52
  Run time (s):         2.000000
  Queries per second:   99995.000000

  Average Latency (s):  0.000512 (min 0.000010, max 0.004000)
  Latency StdDev (s):   0.000100
`

func TestParse(t *testing.T) {
	d, err := Parse(dnsperfOut)
	if err != nil {
		t.Fatal(err)
	}
	if d.Sent != 200000 || d.Completed != 199990 || d.Lost != 10 || d.QPS != 99995 ||
		d.Rcodes["NOERROR"] != 199980 || d.Rcodes["SERVFAIL"] != 10 || len(d.Rcodes) != 2 {
		t.Errorf("parsed %+v", d)
	}
}

func TestParseRejects(t *testing.T) {
	for _, tc := range []struct{ name, out string }{
		{"empty", ""},
		{"no statistics", "[Status] Sending queries\n"},
		{"error only", "Error: input file contains no data\n"},
		{"no qps", strings.Replace(dnsperfOut, "Queries per second:", "Queries per minute:", 1)},
		{"bad count", strings.Replace(dnsperfOut, "Queries lost:         10", "Queries lost:         ten", 1)},
		{"negative", strings.Replace(dnsperfOut, "Queries sent:         200000", "Queries sent:         -1", 1)},
		{"not a number", strings.Replace(dnsperfOut, "99995.000000", "NaN", 1)},
		{"empty value", strings.Replace(dnsperfOut, "Queries sent:         200000", "Queries sent:", 1)},
		{"twice", dnsperfOut + "  Queries sent:         5\n"},
		{"bad rcodes", strings.Replace(dnsperfOut, "SERVFAIL 10 (0.01%)", "SERVFAIL", 1)},
		{"bad rcode count", strings.Replace(dnsperfOut, "NOERROR 199980", "NOERROR many", 1)},
	} {
		if _, err := Parse(tc.out); !errors.Is(err, ErrFormat) {
			t.Errorf("%s: err %v, want ErrFormat", tc.name, err)
		}
	}
}

// FuzzParse: any text parses without panicking, and accepted
// statistics are numbers that are not negative.
func FuzzParse(f *testing.F) {
	f.Add(dnsperfOut)
	f.Add("Queries sent: 1\nQueries completed: 1\nQueries lost: 0\nQueries per second: 1\nResponse codes: NOERROR 1\n")
	f.Fuzz(func(t *testing.T, out string) {
		d, err := Parse(out)
		if err != nil {
			if !errors.Is(err, ErrFormat) {
				t.Fatalf("error %v does not wrap ErrFormat", err)
			}
			return
		}
		for _, x := range []float64{d.Sent, d.Completed, d.Lost, d.QPS} {
			if x < 0 || x != x {
				t.Fatalf("parsed %+v", d)
			}
		}
		for _, n := range d.Rcodes {
			if n < 0 || n != n {
				t.Fatalf("parsed %+v", d)
			}
		}
	})
}
