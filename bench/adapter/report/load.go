package main

import (
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
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
	files, err := filepath.Glob(filepath.Join(dir, "*_*_*.txt"))
	if err != nil {
		return nil, fmt.Errorf("report: %w", err)
	}
	res := results{}
	for _, f := range files {
		parts := strings.Split(strings.TrimSuffix(filepath.Base(f), ".txt"), "_")
		if len(parts) != 3 {
			continue
		}
		kv, err := readKV(f)
		if err != nil {
			return nil, err
		}
		b, err := os.ReadFile(strings.TrimSuffix(f, ".txt") + ".wrk")
		if err != nil {
			return nil, fmt.Errorf("report: %w", err)
		}
		w, err := parseWrk(string(b))
		if err != nil {
			return nil, fmt.Errorf("%s: %w", f, err)
		}
		res.at(parts[0], parts[1]).add(w, kv)
	}
	if len(res) == 0 {
		return nil, fmt.Errorf("%w: no result files in %s", errRaw, dir)
	}
	return res, nil
}

// add records one wrk run and the server CPU it took.
func (r *runs) add(w wrkResult, kv map[string]float64) {
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

// readKV reads the whitespace-separated key=value numbers of a file.
func readKV(path string) (map[string]float64, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("report: %w", err)
	}
	return parseKV(string(b))
}

// parseKV parses whitespace-separated key=value finite numbers; words
// without "=" are skipped.
func parseKV(s string) (map[string]float64, error) {
	kv := map[string]float64{}
	for _, f := range strings.Fields(s) {
		k, v, ok := strings.Cut(f, "=")
		if !ok {
			continue
		}
		x, err := strconv.ParseFloat(v, 64)
		if err != nil || k == "" || math.IsNaN(x) || math.IsInf(x, 0) {
			return nil, fmt.Errorf("%w: %q is not key=number", errRaw, f)
		}
		kv[k] = x
	}
	return kv, nil
}
