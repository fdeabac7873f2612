package main

import (
	"bufio"
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// errDnsperf is wrapped by the errors for output parseDnsperf cannot read.
var errDnsperf = errors.New("report: unexpected dnsperf output")

// dnsperfRun is what one dnsperf run printed in its statistics.
type dnsperfRun struct {
	Sent, Completed, Lost float64
	QPS                   float64
	Rcodes                map[string]float64 // "NOERROR" -> count
}

// parseDnsperf reads the statistics dnsperf prints at the end of a run:
//
//	Queries sent:         32501
//	Queries completed:    32501 (100.00%)
//	Queries lost:         0 (0.00%)
//	Response codes:       NOERROR 32401 (99.69%), NXDOMAIN 100 (0.31%)
//	Queries per second:   14298.176885
func parseDnsperf(out string) (dnsperfRun, error) {
	r := dnsperfRun{Rcodes: map[string]float64{}}
	var seen int
	sc := bufio.NewScanner(strings.NewReader(out))
	for sc.Scan() {
		key, val, ok := strings.Cut(strings.TrimSpace(sc.Text()), ":")
		if !ok {
			continue
		}
		val = strings.TrimSpace(val)
		var dst *float64
		switch key {
		case "Queries sent":
			dst = &r.Sent
		case "Queries completed":
			dst = &r.Completed
		case "Queries lost":
			dst = &r.Lost
		case "Queries per second":
			dst = &r.QPS
		case "Response codes":
			if err := parseRcodes(val, r.Rcodes); err != nil {
				return r, err
			}
			continue
		default:
			continue
		}
		f := strings.Fields(val)
		if len(f) == 0 {
			return r, fmt.Errorf("%w: %q", errDnsperf, sc.Text())
		}
		x, err := strconv.ParseFloat(f[0], 64)
		if err != nil {
			return r, fmt.Errorf("%w: %q", errDnsperf, sc.Text())
		}
		*dst = x
		seen++
	}
	if err := sc.Err(); err != nil {
		return r, err
	}
	if seen != 4 {
		return r, fmt.Errorf("%w: no statistics (sent, completed, lost, queries per second)", errDnsperf)
	}
	return r, nil
}

// parseRcodes reads "NOERROR 32401 (99.69%), NXDOMAIN 100 (0.31%)".
func parseRcodes(s string, into map[string]float64) error {
	for part := range strings.SplitSeq(s, ",") {
		f := strings.Fields(part)
		if len(f) < 2 {
			return fmt.Errorf("%w: response codes %q", errDnsperf, s)
		}
		n, err := strconv.ParseFloat(f[1], 64)
		if err != nil {
			return fmt.Errorf("%w: response codes %q", errDnsperf, s)
		}
		into[f[0]] += n
	}
	return nil
}
