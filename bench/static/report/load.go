package main

import (
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/goevent/goevent/bench/internal/stats"
	"github.com/goevent/goevent/bench/internal/wrk"
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
	files, err := stats.RunFiles(dir, ".txt")
	if err != nil {
		return nil, fmt.Errorf("report: %w", err)
	}
	for _, f := range files {
		if testByName(f.Test) == nil {
			continue
		}
		kv, err := stats.ReadKV(f.Path)
		if errors.Is(err, stats.ErrKV) {
			return nil, fmt.Errorf("%w: %w", errRaw, err)
		}
		if err != nil {
			return nil, fmt.Errorf("report: %w", err)
		}
		b, err := os.ReadFile(strings.TrimSuffix(f.Path, ".txt") + ".wrk")
		if err != nil {
			return nil, fmt.Errorf("report: %w", err)
		}
		if err := res.at(f.Test, f.Subject).add(string(b), kv); err != nil {
			return nil, fmt.Errorf("%s: %w", f.Path, err)
		}
	}
	if len(res) == 0 {
		return nil, fmt.Errorf("report: no result files in %s", dir)
	}
	return res, nil
}

// add records one run: wrk's output and the run's key=value figures.
func (r *runs) add(wrkOut string, kv map[string]float64) error {
	w, err := wrk.Parse(wrkOut)
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
