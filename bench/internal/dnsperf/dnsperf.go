// Package dnsperf reads the statistics the dnsperf DNS load generator prints
// at the end of a run, for the report programs of the DNS benchmark suites.
package dnsperf

import (
	"bufio"
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// ErrFormat is wrapped by the errors for output Parse cannot read.
var ErrFormat = errors.New("dnsperf: unexpected output")

// Run is what one dnsperf run printed in its statistics.
type Run struct {
	Sent, Completed, Lost float64
	QPS                   float64
	Rcodes                map[string]float64 // "NOERROR" -> count
}

// Parse reads the statistics dnsperf prints at the end of a run:
//
//	Queries sent:         32501
//	Queries completed:    32501 (100.00%)
//	Queries lost:         0 (0.00%)
//	Response codes:       NOERROR 32501 (100.00%)
//	Queries per second:   14298.176885
//
// Each of the four counts must appear once, as a number that is not
// negative.
func Parse(out string) (Run, error) {
	r := Run{Rcodes: map[string]float64{}}
	seen := map[string]bool{}
	sc := bufio.NewScanner(strings.NewReader(out))
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		key, val, ok := strings.Cut(line, ":")
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
		if seen[key] {
			return r, fmt.Errorf("%w: %q twice", ErrFormat, key)
		}
		seen[key] = true
		x, err := count(val)
		if err != nil {
			return r, fmt.Errorf("%w: %q", ErrFormat, line)
		}
		*dst = x
	}
	if err := sc.Err(); err != nil {
		return r, fmt.Errorf("%w: %w", ErrFormat, err)
	}
	if len(seen) != 4 {
		return r, fmt.Errorf("%w: no statistics (sent, completed, lost, queries per second)", ErrFormat)
	}
	return r, nil
}

// count reads the first field of s as a finite number that is not
// negative.
func count(s string) (float64, error) {
	f := strings.Fields(s)
	if len(f) == 0 {
		return 0, ErrFormat
	}
	x, err := strconv.ParseFloat(f[0], 64)
	if err != nil || x < 0 || x != x || x > 1e18 {
		return 0, ErrFormat
	}
	return x, nil
}

// parseRcodes reads "NOERROR 32401 (99.69%), NXDOMAIN 100 (0.31%)" into
// into, adding to what is there.
func parseRcodes(s string, into map[string]float64) error {
	for part := range strings.SplitSeq(s, ",") {
		f := strings.Fields(part)
		if len(f) < 2 {
			return fmt.Errorf("%w: response codes %q", ErrFormat, s)
		}
		n, err := count(f[1])
		if err != nil {
			return fmt.Errorf("%w: response codes %q", ErrFormat, s)
		}
		into[f[0]] += n
	}
	return nil
}
