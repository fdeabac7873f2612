package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/goevent/goevent/bench/internal/dnsperf"
	"github.com/goevent/goevent/bench/internal/stats"
)

// results maps a server to its runs.
type results map[string]*runs

// runs collects one value per measured round for each figure, and the
// totals the checks report.
type runs struct {
	qps, cpuPerQuery, lost []float64
	upstreamMax            float64 // most upstream queries in one measured run
	notNoerror             float64 // replies other than NOERROR, measured runs
	warmupLost             float64
	warmupNotNoerror       float64
	warmups                int
}

func (r results) at(server string) *runs {
	if r[server] == nil {
		r[server] = &runs{}
	}
	return r[server]
}

// load reads every run in dir.
func load(dir string) (results, error) {
	res := results{}
	files, err := filepath.Glob(filepath.Join(dir, "*_*_*.dnsperf"))
	if err != nil {
		return nil, fmt.Errorf("report: %w", err)
	}
	measured := 0
	for _, f := range files {
		kind, server, ok := runName(f)
		if !ok {
			continue
		}
		b, err := os.ReadFile(f)
		if err != nil {
			return nil, fmt.Errorf("report: %w", err)
		}
		d, err := dnsperf.Parse(string(b))
		if err != nil {
			return nil, fmt.Errorf("%s: %w", f, err)
		}
		r := res.at(server)
		switch kind {
		case "warmup":
			r.warmupLost += d.Lost
			r.warmupNotNoerror += notNoerror(d)
			r.warmups++
		case "cached":
			txt := strings.TrimSuffix(f, ".dnsperf") + ".txt"
			kv, err := stats.ReadKV(txt)
			if err != nil {
				return nil, fmt.Errorf("report: %w", err)
			}
			if err := r.addCached(d, kv); err != nil {
				return nil, fmt.Errorf("%s: %w", txt, err)
			}
			measured++
		}
	}
	if measured == 0 {
		return nil, fmt.Errorf("report: no measured runs (cached_*.dnsperf) in %s", dir)
	}
	return res, nil
}

// runName splits KIND_SERVER_ROUND.dnsperf.
func runName(path string) (kind, server string, ok bool) {
	parts := strings.Split(strings.TrimSuffix(filepath.Base(path), ".dnsperf"), "_")
	if len(parts) != 3 || (parts[0] != "cached" && parts[0] != "warmup") {
		return "", "", false
	}
	return parts[0], parts[1], true
}

func (r *runs) addCached(d dnsperf.Run, kv map[string]float64) error {
	ticks, okT := kv["cpu_ticks"]
	hz, okH := kv["hz"]
	up, okU := kv["upstream_queries"]
	if !okT || !okH || !okU || hz <= 0 {
		return fmt.Errorf("report: want cpu_ticks, hz (> 0) and upstream_queries")
	}
	r.qps = append(r.qps, d.QPS)
	r.lost = append(r.lost, d.Lost)
	if d.Completed > 0 {
		r.cpuPerQuery = append(r.cpuPerQuery, ticks/hz*1e6/d.Completed)
	}
	r.upstreamMax = max(r.upstreamMax, up)
	r.notNoerror += notNoerror(d)
	return nil
}

// notNoerror counts d's replies other than NOERROR.
func notNoerror(d dnsperf.Run) float64 {
	var n float64
	for code, c := range d.Rcodes {
		if code != "NOERROR" {
			n += c
		}
	}
	return n
}
