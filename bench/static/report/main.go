// Command report turns the raw output of static/run.sh into the markdown
// tables of the static-file and reverse-proxy benchmark, and writes
// summary.tsv beside the raw files.
//
// Usage: report [-cmd LINE] [-dur D] [-conns C] [-conns1m C] DIR
//
// DIR holds, per run, TEST_SUBJECT_ROUND.wrk (wrk's output) and
// TEST_SUBJECT_ROUND.txt (cpu_ticks=N hz=N size=N: the server's
// utime+stime over the run, the clock tick rate and the body size). A
// cell is the median of the rounds with their min–max; a ratio divides
// two medians from the same session.
package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
)

func main() {
	cmd := flag.String("cmd", "", "the command line that made the raw output")
	dur := flag.String("dur", "5s", "wrk duration used")
	conns := flag.Int("conns", 64, "wrk connections used for file1k and proxy")
	conns1m := flag.Int("conns1m", 16, "wrk connections used for file1m")
	flag.Parse()
	if flag.NArg() != 1 {
		fmt.Fprintln(os.Stderr, "usage: report [-cmd LINE] [-dur D] [-conns C] [-conns1m C] DIR")
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
	fmt.Printf("wrk: `wrk -t1 -c%d -d%s --latency URL` (file1m: `-c%d`), keep-alive. Server CPU is utime+stime of "+
		"the server process (nginx: its worker) from /proc/PID/stat over the wrk run, divided by the requests wrk "+
		"counted. MB/s is body bytes (requests × file size) per second of the run, in 10^6 bytes.\n\n",
		*conns, *dur, *conns1m)
	printTables(os.Stdout, res)
	printTargets(os.Stdout, res)
	printErrors(os.Stdout, res)
	if err := writeSummary(filepath.Join(dir, "summary.tsv"), res); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
