package main

import (
	"errors"
	"testing"
)

const sample = `DNS Performance Testing Tool
Version 2.10.0

[Status] Testing complete (time limit)

Statistics:

  Queries sent:         32501
  Queries completed:    32400 (99.69%)
  Queries lost:         101 (0.31%)

  Response codes:       NOERROR 32300 (99.69%), NXDOMAIN 100 (0.31%)
  Average packet size:  request 33, response 49
  Run time (s):         2.273087
  Queries per second:   14298.176885

  Average Latency (s):  0.013183 (min 0.000027, max 0.755424)
`

func TestParseDnsperf(t *testing.T) {
	r, err := parseDnsperf(sample)
	if err != nil {
		t.Fatal(err)
	}
	if r.Sent != 32501 || r.Completed != 32400 || r.Lost != 101 || r.QPS != 14298.176885 {
		t.Errorf("got %+v", r)
	}
	if r.Rcodes["NOERROR"] != 32300 || r.Rcodes["NXDOMAIN"] != 100 || len(r.Rcodes) != 2 {
		t.Errorf("rcodes %v", r.Rcodes)
	}
}

func TestParseDnsperfMalformed(t *testing.T) {
	for _, tc := range []struct{ name, in string }{
		{"empty", ""},
		{"no statistics", "[Status] Sending queries\n"},
		{"bad number", "Queries sent: many\nQueries completed: 1\nQueries lost: 0\nQueries per second: 1\n"},
		{"empty value", "Queries sent:\n"},
		{"bad rcodes", "Response codes: NOERROR\n"},
		{"bad rcode count", "Response codes: NOERROR x (1%)\n"},
		{"missing qps", "Queries sent: 1\nQueries completed: 1\nQueries lost: 0\n"},
	} {
		if _, err := parseDnsperf(tc.in); !errors.Is(err, errDnsperf) {
			t.Errorf("%s: err = %v, want errDnsperf", tc.name, err)
		}
	}
}

func FuzzParseDnsperf(f *testing.F) {
	f.Add(sample)
	f.Add("Response codes: A 1, B 2\n")
	f.Fuzz(func(t *testing.T, s string) {
		r, err := parseDnsperf(s)
		if err == nil && r.Rcodes == nil {
			t.Fatal("nil rcodes without an error")
		}
	})
}
