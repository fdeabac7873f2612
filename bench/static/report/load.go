package main

import (
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// errRaw: a raw file's name or contents are not what run.sh writes.
var errRaw = errors.New("report: unreadable raw file")

// results[test][subject] holds the runs of one subject in one test.
type results map[string]map[string]*runs

// runs collects one value per round for each figure.
type runs struct {
	rps, cpuPerReq, mbps, p50, p99 []float64
	socketErrors, non2xx           float64
}

func (r results) at(test, subject string) *runs {
	if r[test] == nil {
		r[test] = map[string]*runs{}
	}
	if r[test][subject] == nil {
		r[test][subject] = &runs{}
	}
	return r[test][subject]
}

func (r results) get(test, subject string) *runs { return r[test][subject] }

// load reads every run in dir: each TEST_SUBJECT_ROUND.txt with its .wrk.
func load(dir string) (results, error) {
	res := results{}
	files, err := filepath.Glob(filepath.Join(dir, "*_*_*.txt"))
	if err != nil {
		return nil, fmt.Errorf("report: %w", err)
	}
	for _, f := range files {
		parts := strings.Split(strings.TrimSuffix(filepath.Base(f), ".txt"), "_")
		if len(parts) != 3 || testByName(parts[0]) == nil {
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
		if err := res.at(parts[0], parts[1]).add(string(b), kv); err != nil {
			return nil, fmt.Errorf("%s: %w", f, err)
		}
	}
	if len(res) == 0 {
		return nil, fmt.Errorf("report: no result files in %s", dir)
	}
	return res, nil
}

// add records one run: wrk's output and the run's key=value figures.
func (r *runs) add(wrk string, kv map[string]float64) error {
	w, err := parseWrk(wrk)
	if err != nil {
		return err
	}
	ticks, okT := kv["cpu_ticks"]
	hz, okH := kv["hz"]
	size, okS := kv["size"]
	if !okT || !okH || !okS || hz <= 0 || ticks < 0 || size <= 0 {
		return fmt.Errorf("%w: want cpu_ticks, hz and size", errRaw)
	}
	r.rps = append(r.rps, w.RPS)
	// wrk prints 0.00us for a percentile it has no sample for: leave
	// those out.
	if w.P50 > 0 {
		r.p50 = append(r.p50, float64(w.P50.Nanoseconds())/1e3)
	}
	if w.P99 > 0 {
		r.p99 = append(r.p99, float64(w.P99.Nanoseconds())/1e3)
	}
	r.socketErrors += w.SocketErrors
	r.non2xx += w.Non2xx
	if w.Requests > 0 {
		r.cpuPerReq = append(r.cpuPerReq, ticks/hz*1e6/w.Requests)
		r.mbps = append(r.mbps, w.Requests*size/w.Elapsed.Seconds()/1e6)
	}
	return nil
}

// readKV reads whitespace-separated key=value numbers.
func readKV(path string) (map[string]float64, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("report: %w", err)
	}
	return parseKV(string(b))
}

// parseKV parses whitespace-separated key=value numbers; other words are
// skipped.
func parseKV(s string) (map[string]float64, error) {
	kv := map[string]float64{}
	for _, f := range strings.Fields(s) {
		k, v, ok := strings.Cut(f, "=")
		if !ok {
			continue
		}
		x, err := strconv.ParseFloat(v, 64)
		if err != nil || math.IsNaN(x) || math.IsInf(x, 0) {
			return nil, fmt.Errorf("%w: %s is not a number", errRaw, f)
		}
		kv[k] = x
	}
	return kv, nil
}
