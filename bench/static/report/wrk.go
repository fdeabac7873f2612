package main

import (
	"bufio"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// errWrk: wrk's output lacks a line the report needs or has one it cannot
// read.
var errWrk = errors.New("report: unreadable wrk output")

// wrkResult holds the figures of one wrk run.
type wrkResult struct {
	Requests     float64       // "N requests in ..."
	Elapsed      time.Duration // "... in 5.00s"
	RPS          float64       // "Requests/sec:"
	P50, P99     time.Duration // from "Latency Distribution" (--latency)
	SocketErrors float64       // connect + read + write + timeout
	Non2xx       float64       // "Non-2xx or 3xx responses:"
}

// parseWrk reads the text wrk prints. The requests count and Requests/sec
// lines are required; the latency percentiles and error lines are read
// when present.
func parseWrk(text string) (wrkResult, error) {
	var r wrkResult
	var haveRequests, haveRPS bool
	sc := bufio.NewScanner(strings.NewReader(text))
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		switch {
		case len(f) >= 4 && f[1] == "requests" && f[2] == "in":
			n, ok := count(f[0])
			if !ok {
				return r, fmt.Errorf("%w: requests %q", errWrk, f[0])
			}
			d, err := time.ParseDuration(strings.TrimSuffix(f[3], ","))
			if err != nil || d <= 0 {
				return r, fmt.Errorf("%w: duration %q", errWrk, f[3])
			}
			r.Requests, r.Elapsed, haveRequests = n, d, true
		case len(f) == 2 && f[0] == "Requests/sec:":
			x, ok := count(f[1])
			if !ok {
				return r, fmt.Errorf("%w: Requests/sec %q", errWrk, f[1])
			}
			r.RPS, haveRPS = x, true
		case len(f) == 2 && (f[0] == "50%" || f[0] == "99%"):
			d, err := time.ParseDuration(f[1])
			if err != nil {
				return r, fmt.Errorf("%w: latency %q", errWrk, f[1])
			}
			if f[0] == "50%" {
				r.P50 = d
			} else {
				r.P99 = d
			}
		case len(f) >= 2 && f[0] == "Socket" && f[1] == "errors:":
			// Socket errors: connect 0, read 0, write 0, timeout 0
			for i := 3; i < len(f); i += 2 {
				n, ok := count(strings.TrimSuffix(f[i], ","))
				if !ok {
					return r, fmt.Errorf("%w: socket errors %q", errWrk, f[i])
				}
				r.SocketErrors += n
			}
		case len(f) == 5 && f[0] == "Non-2xx":
			n, ok := count(f[4])
			if !ok {
				return r, fmt.Errorf("%w: non-2xx %q", errWrk, f[4])
			}
			r.Non2xx = n
		}
	}
	if err := sc.Err(); err != nil {
		return r, fmt.Errorf("%w: %w", errWrk, err)
	}
	if !haveRequests || !haveRPS {
		return r, fmt.Errorf("%w: no request count or Requests/sec line", errWrk)
	}
	return r, nil
}

// count parses a finite, non-negative number.
func count(s string) (float64, bool) {
	x, err := strconv.ParseFloat(s, 64)
	return x, err == nil && x >= 0 && !math.IsInf(x, 0)
}
