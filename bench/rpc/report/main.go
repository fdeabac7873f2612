// Command report turns the raw output of rpc/run.sh into the markdown
// tables of the side-by-side RPC benchmark.
//
// Usage: report [-cmd LINE] [-dur S] DIR
//
// DIR holds, per timed run, run_TEST_SERVER_ROUND.txt: the client's line
// (calls=N bad=N errors=N seconds=S) then hz=N and server_ticks=N (the
// server's utime+stime over the run), and for the cross-checks
// cross_TEST_CLIENT-to-SERVER_1.txt in the same form. A cell is the median
// of the rounds with their min–max; a ratio divides two medians from the
// same session. Besides the tables on stdout it writes DIR/summary.tsv
// (bench/internal/summary).
package main

import (
	"flag"
	"fmt"
	"os"

	"github.com/goevent/goevent/bench/internal/summary"
)

func main() {
	cmd := flag.String("cmd", "", "the command line that made the raw output")
	dur := flag.Int("dur", 5, "seconds per run")
	flag.Parse()
	if flag.NArg() != 1 {
		fmt.Fprintln(os.Stderr, "usage: report [-cmd LINE] [-dur S] DIR")
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
	printTables(os.Stdout, res, *dur)
	if err := summary.WriteFile(flag.Arg(0), summaryRows(res)); err != nil {
		fmt.Fprintln(os.Stderr, "report:", err)
		os.Exit(1)
	}
}
