// Command report turns the raw output of http/run.sh into the markdown
// tables of the side-by-side HTTP benchmark.
//
// Usage: report [-cmd LINE] [-conns C] [-dur D] [-depth P] DIR
//
// DIR holds, per run, TEST_SERVER_ROUND.wrk (wrk's output) with
// TEST_SERVER_ROUND.txt (cpu_ticks=N hz=N: the server's utime+stime over the
// run) for the plain and pipeline tests and the scaling test's wrk points
// (scale-cN: N connections, scale-lN: N loops), and idle_SERVER_ROUND.txt
// (n=N and the server's memory figures before_*= and after_*=) for the idle
// test and the scaling test's idle points (scale-iN). A cell is the median
// of the rounds with their min–max; a ratio divides two medians from the
// same session. Besides the tables on stdout it writes DIR/summary.tsv
// (bench/internal/summary).
package main

import (
	"flag"
	"fmt"
	"os"
	"strings"

	"github.com/goevent/goevent/bench/internal/stats"
	"github.com/goevent/goevent/bench/internal/summary"
	"github.com/goevent/goevent/bench/internal/wrk"
)

// servers in row order; the first is ours.
var servers = []struct{ name, title string }{
	{"goevent", "goevent evhttp (default Config)"},
	{"nginx", "nginx"},
	{"gnet", "gnet v2.9.7 (fixed reply, no HTTP parsing)"},
	{"fasthttp", "fasthttp v1.78.0"},
	{"nethttp", "Go net/http"},
	{"nbio", "nbio v1.6.8 nbhttp"},
	{"libevent", "libevent evhttp (C)"},
}

const ours = "goevent"

func main() {
	cmd := flag.String("cmd", "", "the command line that made the raw output")
	conns := flag.Int("conns", 100, "wrk connections used")
	dur := flag.String("dur", "5s", "wrk duration used")
	depth := flag.Int("depth", 16, "pipeline depth used")
	cpus := flag.Int("cpus", 2, "CPUs the servers had in the loops test")
	flag.Parse()
	if flag.NArg() != 1 {
		fmt.Fprintln(os.Stderr, "usage: report [-cmd LINE] [-conns C] [-dur D] [-depth P] [-cpus N] DIR")
		os.Exit(2)
	}
	res, err := load(flag.Arg(0))
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	if *cmd != "" {
		fmt.Printf("Command: `%s`\n\n", *cmd)
	}
	if res["plain"] != nil || res["pipeline"] != nil || res["idle"] != nil {
		fmt.Printf("wrk, plain: `wrk -t1 -c%d -d%s --latency http://127.0.0.1:PORT/`; pipelined: the same with "+
			"`-s http/pipeline.lua ... -- %d` (%d requests per write). Server CPU is utime+stime of the server process "+
			"(nginx: its worker) from /proc/PID/stat over the wrk run, divided by the requests wrk counted.\n\n",
			*conns, *dur, *depth, *depth)
		printMain(os.Stdout, res, *depth)
		printLatency(os.Stdout, res, *depth)
		printIdle(os.Stdout, res)
	}
	printScale(os.Stdout, res, *conns, *dur, *cpus)
	printErrors(os.Stdout, res)
	if err := summary.WriteFile(flag.Arg(0), summaryRows(res)); err != nil {
		fmt.Fprintln(os.Stderr, "report:", err)
		os.Exit(1)
	}
}

// results[test][server] holds the runs of one server in one test.
type results map[string]map[string]*runs

// runs collects one value per round for each figure.
type runs struct {
	rps, cpuPerReq, p50, p99 []float64
	socketErrors, non2xx     float64
	idleRuns                 int                  // wrk runs that counted no request at all
	mem                      map[string][]float64 // idle: key -> per-round bytes per connection or MiB
}

func (r results) at(test, server string) *runs {
	if r[test] == nil {
		r[test] = map[string]*runs{}
	}
	if r[test][server] == nil {
		r[test][server] = &runs{mem: map[string][]float64{}}
	}
	return r[test][server]
}

// load reads every run in dir.
func load(dir string) (results, error) {
	res := results{}
	files, err := stats.RunFiles(dir, ".txt")
	if err != nil {
		return nil, fmt.Errorf("report: %w", err)
	}
	for _, f := range files {
		test := f.Test
		kv, err := stats.ReadKV(f.Path)
		if err != nil {
			return nil, fmt.Errorf("report: %w", err)
		}
		r := res.at(test, f.Subject)
		switch {
		case test == "plain", test == "pipeline", strings.HasPrefix(test, "scale-c"), strings.HasPrefix(test, "scale-l"):
			if err := r.addWrk(strings.TrimSuffix(f.Path, ".txt")+".wrk", kv); err != nil {
				return nil, err
			}
		case test == "idle", strings.HasPrefix(test, "scale-i"):
			r.addIdle(kv)
		}
	}
	if len(res) == 0 {
		return nil, fmt.Errorf("report: no result files in %s", dir)
	}
	return res, nil
}

func (r *runs) addWrk(path string, kv map[string]float64) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("report: %w", err)
	}
	w, err := wrk.Parse(string(b))
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	r.rps = append(r.rps, w.RPS)
	if w.Requests == 0 {
		r.idleRuns++
	}
	// wrk prints 0.00us for a percentile it has no sample for (no batch
	// completed, or past its histogram's range): leave those out.
	if w.P50 > 0 {
		r.p50 = append(r.p50, float64(w.P50.Microseconds()))
	}
	if w.P99 > 0 {
		r.p99 = append(r.p99, float64(w.P99.Microseconds()))
	}
	r.socketErrors += w.SocketErrors
	r.non2xx += w.Non2xx
	ticks, hz := kv["cpu_ticks"], kv["hz"]
	if hz > 0 && w.Requests > 0 {
		r.cpuPerReq = append(r.cpuPerReq, ticks/hz*1e6/w.Requests)
	}
	return nil
}

func (r *runs) addIdle(kv map[string]float64) {
	n := kv["n"]
	if n <= 0 {
		return
	}
	for _, k := range []string{"rss", "heap_inuse", "heap_alloc", "stack_inuse"} {
		before, ok1 := kv["before_"+k]
		after, ok2 := kv["after_"+k]
		if ok1 && ok2 {
			r.mem[k] = append(r.mem[k], (after-before)/n)
		}
	}
	if after, ok := kv["after_rss"]; ok {
		r.mem["rss_after_mib"] = append(r.mem["rss_after_mib"], after/(1<<20))
	}
}
