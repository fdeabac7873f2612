package main

import (
	"errors"
	"fmt"
	"os"

	"github.com/goevent/goevent/bench/internal/stats"
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
	kv, err := stats.ParseKV(s)
	if err != nil {
		return run{}, fmt.Errorf("%w: %w", errRaw, err)
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
	files, err := stats.RunFiles(dir, ".txt")
	if err != nil {
		return nil, fmt.Errorf("report: %w", err)
	}
	res := results{}
	for _, f := range files {
		b, err := os.ReadFile(f.Path)
		if err != nil {
			return nil, fmt.Errorf("report: %w", err)
		}
		r, err := parseRun(string(b))
		if err != nil {
			return nil, fmt.Errorf("%s: %w", f.Path, err)
		}
		res.at(f.Test, f.Subject).add(r)
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
