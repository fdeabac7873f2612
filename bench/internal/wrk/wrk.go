// Package wrk reads the text the wrk HTTP load generator prints at the end
// of a run, for the report programs of the HTTP benchmark suites.
package wrk

import (
	"bufio"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// ErrFormat reports that wrk's output lacks a line a report needs, or has
// one it cannot read.
var ErrFormat = errors.New("wrk: unreadable output")

// Result holds the figures of one wrk run.
type Result struct {
	Requests     float64       // "N requests in D, ..."
	Elapsed      time.Duration // D
	RPS          float64       // "Requests/sec: X"
	P50, P99     time.Duration // "Latency Distribution" (--latency); 0 when absent
	SocketErrors float64       // connect + read + write + timeout
	Non2xx       float64       // "Non-2xx or 3xx responses: N"
}

// Parse reads what wrk prints. The request count and the Requests/sec line
// are required; the percentiles and the error lines are optional. Every
// error wraps ErrFormat.
func Parse(text string) (Result, error) {
	var r Result
	var haveCount, haveRate bool
	sc := bufio.NewScanner(strings.NewReader(text))
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		var err error
		switch {
		case len(f) >= 4 && f[1] == "requests" && f[2] == "in":
			r.Requests, r.Elapsed, err = requestsLine(f)
			haveCount = true
		case len(f) == 2 && f[0] == "Requests/sec:":
			r.RPS, err = number(f[1])
			haveRate = true
		case len(f) == 2 && f[0] == "50%":
			r.P50, err = latency(f[1])
		case len(f) == 2 && f[0] == "99%":
			r.P99, err = latency(f[1])
		case len(f) >= 2 && f[0] == "Socket" && f[1] == "errors:":
			// Socket errors: connect 0, read 0, write 0, timeout 0
			for i := 3; i < len(f) && err == nil; i += 2 {
				var n float64
				n, err = number(strings.TrimSuffix(f[i], ","))
				r.SocketErrors += n
			}
		case len(f) == 5 && f[0] == "Non-2xx":
			r.Non2xx, err = number(f[4])
		}
		if err != nil {
			return Result{}, fmt.Errorf("%w: %q: %w", ErrFormat, sc.Text(), err)
		}
	}
	if err := sc.Err(); err != nil {
		return Result{}, fmt.Errorf("%w: %w", ErrFormat, err)
	}
	if !haveCount || !haveRate {
		return Result{}, fmt.Errorf("%w: no request count or Requests/sec line", ErrFormat)
	}
	return r, nil
}

// requestsLine reads "N requests in D, B read".
func requestsLine(f []string) (float64, time.Duration, error) {
	n, err := number(f[0])
	if err != nil {
		return 0, 0, err
	}
	d, err := time.ParseDuration(strings.TrimSuffix(f[3], ","))
	if err != nil {
		return 0, 0, err
	}
	if d <= 0 {
		return 0, 0, fmt.Errorf("duration %v", d)
	}
	return n, d, nil
}

// latency reads a percentile such as "336.00us" or "1.20s".
func latency(s string) (time.Duration, error) {
	d, err := time.ParseDuration(s)
	if err != nil {
		return 0, err
	}
	if d < 0 {
		return 0, fmt.Errorf("negative latency %v", d)
	}
	return d, nil
}

// number parses a finite, non-negative number.
func number(s string) (float64, error) {
	x, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return 0, err
	}
	if x < 0 || math.IsInf(x, 0) || math.IsNaN(x) {
		return 0, fmt.Errorf("%q is not a finite count", s)
	}
	return x, nil
}
