// Command report turns the raw output of dns/run.sh into the markdown
// tables of the side-by-side DNS benchmark.
//
// Usage: report [-cmd LINE] [-dur S] [-names N] [-upstream NAME] DIR
//
// DIR holds, per run of the server test, server_SERVER_ROUND.dnsperf
// (dnsperf's output) with server_SERVER_ROUND.txt (cpu_ticks=N hz=N: the
// server's utime+stime over the dnsperf run), and per run of the resolver
// test resolver_IMPL_ROUND.txt (the resolver program's line, then hz=N and
// server_ticks=N). A cell is the median of the rounds with their min–max;
// a ratio divides two medians from the same session. Besides the tables on
// stdout it writes DIR/summary.tsv (bench/internal/summary).
package main

import (
	"flag"
	"fmt"
	"os"
	"strings"

	"github.com/goevent/goevent/bench/internal/dnsperf"
	"github.com/goevent/goevent/bench/internal/stats"
	"github.com/goevent/goevent/bench/internal/summary"
)

// servers and resolvers in row order; the first of each is ours.
var (
	servers = []row{
		{"goevent", "goevent evdns.ServerPort"},
		{"miekg", "miekg/dns v1.1.73 server"},
		{"unbound", "unbound (local-data)"},
	}
	resolvers = []row{
		{"goevent", "goevent evdns.Resolver (cache off)"},
		{"netgo", "Go net.Resolver (PreferGo)"},
	}
)

type row struct{ name, title string }

const ours = "goevent"

func main() {
	cmd := flag.String("cmd", "", "the command line that made the raw output")
	dur := flag.Int("dur", 5, "seconds per run")
	names := flag.Int("names", 10000, "names in the zone")
	upstream := flag.String("upstream", "goevent", "the server the resolver test asked")
	flag.Parse()
	if flag.NArg() != 1 {
		fmt.Fprintln(os.Stderr, "usage: report [-cmd LINE] [-dur S] [-names N] [-upstream NAME] DIR")
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
	printServer(os.Stdout, res, *dur, *names)
	printResolver(os.Stdout, res, *dur, *names, *upstream)
	if err := summary.WriteFile(flag.Arg(0), summaryRows(res)); err != nil {
		fmt.Fprintln(os.Stderr, "report:", err)
		os.Exit(1)
	}
}

// results[test][program] holds the runs of one program in one test.
type results map[string]map[string]*runs

// runs collects one value per round for each figure, and totals of what
// went wrong.
type runs struct {
	rate, cpuPer, srvPer []float64
	mem                  map[string][]float64 // resolver: key -> per-round bytes per lookup in flight
	peakRSS              []float64            // resolver: the process's VmHWM, MiB
	goroutines           []float64
	lost, notNoError     float64
	failed               float64
}

func (res results) at(test, name string) *runs {
	if res[test] == nil {
		res[test] = map[string]*runs{}
	}
	if res[test][name] == nil {
		res[test][name] = &runs{mem: map[string][]float64{}}
	}
	return res[test][name]
}

// load reads every run in dir.
func load(dir string) (results, error) {
	files, err := stats.RunFiles(dir, ".txt")
	if err != nil {
		return nil, fmt.Errorf("report: %w", err)
	}
	res := results{}
	for _, rf := range files {
		f := rf.Path
		kv, err := stats.ReadKV(f)
		if err != nil {
			return nil, fmt.Errorf("report: %w", err)
		}
		switch rf.Test {
		case "server":
			out, err := os.ReadFile(strings.TrimSuffix(f, ".txt") + ".dnsperf")
			if err != nil {
				return nil, fmt.Errorf("report: %w", err)
			}
			d, err := dnsperf.Parse(string(out))
			if err != nil {
				return nil, fmt.Errorf("%s: %w", f, err)
			}
			res.at("server", rf.Subject).addServer(d, kv)
		case "resolver":
			res.at("resolver", rf.Subject).addResolver(kv)
		}
	}
	if len(res) == 0 {
		return nil, fmt.Errorf("report: no result files in %s", dir)
	}
	return res, nil
}

func (r *runs) addServer(d dnsperf.Run, kv map[string]float64) {
	r.lost += d.Lost
	r.notNoError += d.Completed - d.Rcodes["NOERROR"]
	r.rate = append(r.rate, d.QPS)
	if hz := kv["hz"]; hz > 0 && d.Completed > 0 {
		r.cpuPer = append(r.cpuPer, kv["cpu_ticks"]/hz*1e6/d.Completed)
	}
}

func (r *runs) addResolver(kv map[string]float64) {
	n, hz, secs, inflight := kv["lookups"], kv["hz"], kv["seconds"], kv["inflight"]
	r.failed += kv["failed"]
	if n <= 0 || hz <= 0 || secs <= 0 || inflight <= 0 {
		return
	}
	r.rate = append(r.rate, n/secs)
	r.cpuPer = append(r.cpuPer, kv["cpu_ticks"]/hz*1e6/n)
	r.srvPer = append(r.srvPer, kv["server_ticks"]/hz*1e6/n)
	for _, k := range []string{"rss", "heap_inuse", "heap_alloc", "stack_inuse"} {
		r.mem[k] = append(r.mem[k], (kv[k]-kv["base_"+k])/inflight)
	}
	r.goroutines = append(r.goroutines, kv["goroutines"])
	if p := kv["peak_rss"]; p > 0 {
		r.peakRSS = append(r.peakRSS, p/(1<<20))
	}
}
