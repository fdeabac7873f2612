// Command report turns the raw output of dnsd/run.sh into the markdown
// table of the caching-forwarder benchmark, and writes DIR/summary.tsv for
// bench/run.
//
// Usage: report [-cmd LINE] [-dur S] [-names N] DIR
//
// DIR holds, per measured run, cached_SERVER_ROUND.dnsperf (dnsperf's
// output) with cached_SERVER_ROUND.txt (cpu_ticks=N hz=N
// upstream_queries=N: the forwarder's utime+stime over the run and the
// queries the upstream answered meanwhile), and per warm-up
// warmup_SERVER_ROUND.dnsperf. A cell is the median of the rounds with
// their min–max; a ratio divides two medians from the same session.
package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
)

// servers in row order; the first is ours.
var servers = []struct{ name, title string }{
	{"goevent", "evdnsd (goevent, -loops 1)"},
	{"unbound", "unbound (forward-zone, 1 thread)"},
	{"dnsmasq", "dnsmasq"},
}

const ours = "goevent"

func main() {
	cmd := flag.String("cmd", "", "the command line that made the raw output")
	dur := flag.Int("dur", 5, "dnsperf -l seconds used")
	names := flag.Int("names", 10000, "names in the query file")
	flag.Parse()
	if flag.NArg() != 1 {
		fmt.Fprintln(os.Stderr, "usage: report [-cmd LINE] [-dur S] [-names N] DIR")
		os.Exit(2)
	}
	dir := flag.Arg(0)
	res, err := load(dir)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	if *cmd != "" {
		fmt.Printf("Command: `%s`\n\n", *cmd)
	}
	fmt.Printf("`dnsperf -l %d -c 4 -q 200 -T 1` over %d names (A), each forwarder's cache filled first by one pass "+
		"(`-n 1`). Forwarder CPU is utime+stime of its process (all threads) from /proc/PID/stat over the dnsperf "+
		"run, divided by the queries dnsperf completed.\n\n", *dur, *names)
	printTable(os.Stdout, res)
	printChecks(os.Stdout, res)
	if err := writeSummary(filepath.Join(dir, "summary.tsv"), res); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
