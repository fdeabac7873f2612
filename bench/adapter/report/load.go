package main

import (
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/goevent/goevent/bench/internal/stats"
	"github.com/goevent/goevent/bench/internal/wrk"
)

// errRaw: a raw file the report cannot read.
var errRaw = errors.New("report: unreadable raw file")

// results[test][server] holds the rounds of one server in one test.
type results map[string]map[string]*runs

// runs collects one value per round of each figure.
type runs struct {
	rps, cpuPerReq, p50, p99 []float64
	socketErrors, non2xx     float64
	elapsed                  []time.Duration // how long each wrk run took
}

func (res results) at(test, server string) *runs {
	if res[test] == nil {
		res[test] = map[string]*runs{}
	}
	if res[test][server] == nil {
		res[test][server] = &runs{}
	}
	return res[test][server]
}

// get returns the runs of server in test, or nil.
func (res results) get(test, server string) *runs {
	return res[test][server]
}

// load reads every run in dir: TEST_SERVER_ROUND.txt (cpu_ticks=N hz=N)
// with TEST_SERVER_ROUND.wrk beside it.
func load(dir string) (results, error) {
	files, err := stats.RunFiles(dir, ".txt")
	if err != nil {
		return nil, fmt.Errorf("report: %w", err)
	}
	res := results{}
	for _, f := range files {
		kv, err := stats.ReadKV(f.Path)
		if err != nil {
			return nil, fmt.Errorf("%w: %w", errRaw, err)
		}
		b, err := os.ReadFile(strings.TrimSuffix(f.Path, ".txt") + ".wrk")
		if err != nil {
			return nil, fmt.Errorf("report: %w", err)
		}
		w, err := wrk.Parse(string(b))
		if err != nil {
			return nil, fmt.Errorf("%s: %w", f.Path, err)
		}
		res.at(f.Test, f.Subject).add(w, kv)
	}
	if len(res) == 0 {
		return nil, fmt.Errorf("%w: no result files in %s", errRaw, dir)
	}
	return res, nil
}

// add records one wrk run and the server CPU it took.
func (r *runs) add(w wrk.Result, kv map[string]float64) {
	r.rps = append(r.rps, w.RPS)
	// wrk prints 0.00us for a percentile it has no sample for.
	if w.P50 > 0 {
		r.p50 = append(r.p50, float64(w.P50.Nanoseconds())/1e3)
	}
	if w.P99 > 0 {
		r.p99 = append(r.p99, float64(w.P99.Nanoseconds())/1e3)
	}
	r.elapsed = append(r.elapsed, w.Elapsed)
	r.socketErrors += w.SocketErrors
	r.non2xx += w.Non2xx
	if ticks, hz := kv["cpu_ticks"], kv["hz"]; hz > 0 && w.Requests > 0 {
		r.cpuPerReq = append(r.cpuPerReq, ticks/hz*1e6/w.Requests)
	}
}
