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

// Errors of load and parseRun.
var (
	// errRaw: a raw file the report cannot read.
	errRaw = errors.New("report: unreadable raw file")
	// errRun: a run's figures are missing or impossible.
	errRun = errors.New("report: impossible run")
)

// results[test][server] holds the rounds of one server in one test.
type results map[string]map[string]*runs

// runs collects one value per round of each figure.
type runs struct {
	msgsPerSec, cpuPerMsg, clientCPU []float64
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

// A run is the figures of one client run against one server.
type run struct {
	messages, seconds float64 // echoes verified, and over how long
	cpuTicks, hz      float64 // the server's utime+stime over the run
	clientCPU         float64 // the client's CPU seconds, -1 when unknown
}

// parseRun reads one run's line: the client's key=value figures with
// cpu_ticks and hz appended by run.sh.
func parseRun(s string) (run, error) {
	kv, err := parseKV(s)
	if err != nil {
		return run{}, err
	}
	r := run{clientCPU: -1}
	for _, f := range []struct {
		key string
		v   *float64
	}{{"messages", &r.messages}, {"seconds", &r.seconds}, {"cpu_ticks", &r.cpuTicks}, {"hz", &r.hz}} {
		x, ok := kv[f.key]
		if !ok {
			return run{}, fmt.Errorf("%w: no %s", errRun, f.key)
		}
		*f.v = x
	}
	if x, ok := kv["client_cpu_s"]; ok && x >= 0 {
		r.clientCPU = x
	}
	switch {
	case r.messages <= 0:
		return run{}, fmt.Errorf("%w: %v messages", errRun, r.messages)
	case r.seconds <= 0 || r.hz <= 0:
		return run{}, fmt.Errorf("%w: %v seconds at %v Hz", errRun, r.seconds, r.hz)
	case r.cpuTicks < 0:
		return run{}, fmt.Errorf("%w: %v CPU ticks", errRun, r.cpuTicks)
	}
	return r, nil
}

// load reads every run in dir: TEST_SERVER_ROUND.txt.
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
		b, err := os.ReadFile(f)
		if err != nil {
			return nil, fmt.Errorf("report: %w", err)
		}
		r, err := parseRun(string(b))
		if err != nil {
			return nil, fmt.Errorf("%s: %w", f, err)
		}
		res.at(parts[0], parts[1]).add(r)
	}
	if len(res) == 0 {
		return nil, fmt.Errorf("%w: no result files in %s", errRaw, dir)
	}
	return res, nil
}

// add records one run.
func (rs *runs) add(r run) {
	rs.msgsPerSec = append(rs.msgsPerSec, r.messages/r.seconds)
	rs.cpuPerMsg = append(rs.cpuPerMsg, r.cpuTicks/r.hz*1e6/r.messages)
	if r.clientCPU >= 0 {
		rs.clientCPU = append(rs.clientCPU, 100*r.clientCPU/r.seconds)
	}
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
