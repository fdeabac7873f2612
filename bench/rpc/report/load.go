package main

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// errFormat is wrapped by every error about a raw file that does not
// read as run.sh writes it.
var errFormat = errors.New("malformed result")

// runs collects one value per round of one server (or cross-check pair)
// in one test, and the calls that went wrong.
type runs struct {
	rate, cpuPer []float64
	bad, errors  float64
}

// results holds every run: main[test][server] and cross[test][pair].
type results struct {
	main, cross map[string]map[string]*runs
}

func at(m map[string]map[string]*runs, test, name string) *runs {
	if m[test] == nil {
		m[test] = map[string]*runs{}
	}
	if m[test][name] == nil {
		m[test][name] = &runs{}
	}
	return m[test][name]
}

// load reads every result file in dir.
func load(dir string) (results, error) {
	res := results{main: map[string]map[string]*runs{}, cross: map[string]map[string]*runs{}}
	files, err := filepath.Glob(filepath.Join(dir, "*.txt"))
	if err != nil {
		return res, fmt.Errorf("report: %w", err)
	}
	n := 0
	for _, f := range files {
		kind, test, name, ok := parseName(filepath.Base(f))
		if !ok {
			continue // check_*.txt and anything else
		}
		b, err := os.ReadFile(f)
		if err != nil {
			return res, fmt.Errorf("report: %w", err)
		}
		kv, err := parseKV(string(b))
		if err != nil {
			return res, fmt.Errorf("report: %s: %w", f, err)
		}
		m := res.main
		if kind == "cross" {
			m = res.cross
		}
		if err := at(m, test, name).add(kv); err != nil {
			return res, fmt.Errorf("report: %s: %w", f, err)
		}
		n++
	}
	if n == 0 {
		return res, fmt.Errorf("report: no result files in %s", dir)
	}
	return res, nil
}

// parseName splits run_TEST_NAME_ROUND.txt or cross_TEST_NAME_ROUND.txt.
func parseName(base string) (kind, test, name string, ok bool) {
	parts := strings.Split(strings.TrimSuffix(base, ".txt"), "_")
	if len(parts) != 4 || (parts[0] != "run" && parts[0] != "cross") {
		return "", "", "", false
	}
	if _, err := strconv.Atoi(parts[3]); err != nil {
		return "", "", "", false
	}
	return parts[0], parts[1], parts[2], true
}

// parseKV reads the key=value words of a result file.
func parseKV(s string) (map[string]float64, error) {
	kv := map[string]float64{}
	for _, w := range strings.Fields(s) {
		k, v, ok := strings.Cut(w, "=")
		if !ok || k == "" {
			return nil, fmt.Errorf("%w: %q is not key=value", errFormat, w)
		}
		x, err := strconv.ParseFloat(v, 64)
		if err != nil {
			return nil, fmt.Errorf("%w: %s=%q is not a number", errFormat, k, v)
		}
		kv[k] = x
	}
	for _, k := range []string{"calls", "bad", "errors", "seconds", "hz", "server_ticks"} {
		if _, ok := kv[k]; !ok {
			return nil, fmt.Errorf("%w: no %s", errFormat, k)
		}
	}
	return kv, nil
}

// add records one run.
func (r *runs) add(kv map[string]float64) error {
	calls, secs, hz := kv["calls"], kv["seconds"], kv["hz"]
	if calls < 0 || secs <= 0 || hz <= 0 || kv["server_ticks"] < 0 {
		return fmt.Errorf("%w: calls=%v seconds=%v hz=%v server_ticks=%v", errFormat, calls, secs, hz, kv["server_ticks"])
	}
	r.bad += kv["bad"]
	r.errors += kv["errors"]
	r.rate = append(r.rate, calls/secs)
	if calls > 0 {
		r.cpuPer = append(r.cpuPer, kv["server_ticks"]/hz*1e6/calls)
	}
	return nil
}
