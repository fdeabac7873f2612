// Package workload holds what the Go programs of the event-dispatch
// benchmark share: the flags of libevent's test/bench.c and the socketpairs.
package workload

import (
	"flag"
	"fmt"
	"os"
	"time"

	"golang.org/x/sys/unix"
)

// Config is the workload's shape, from the command line.
type Config struct {
	Pairs  int  // -n: socketpairs
	Active int  // -a: pairs seeded with a byte each round, evenly spaced
	Writes int  // -w: cascade writes per round (default: Pairs)
	Rounds int  // -r: rounds to run and print
	Drain  bool // -d: time only the drain (bench.c's own timing)
}

// Parse reads the common flags (after the caller has defined its own).
func Parse() Config {
	var c Config
	flag.IntVar(&c.Pairs, "n", 100, "number of socketpairs")
	flag.IntVar(&c.Active, "a", 1, "number of active (seeded) pairs per round")
	flag.IntVar(&c.Writes, "w", -1, "writes per round (default: the number of pairs; bench.c uses 100)")
	flag.IntVar(&c.Rounds, "r", 25, "rounds")
	flag.BoolVar(&c.Drain, "d", false, "time only the drain, from the seed writes on, as bench.c does")
	flag.Parse()
	if c.Writes < 0 {
		c.Writes = c.Pairs
	}
	if c.Pairs < 1 || c.Active < 1 || c.Active > c.Pairs || c.Rounds < 1 {
		Fatal(fmt.Errorf("need 1 <= -a <= -n and -r >= 1"))
	}
	return c
}

// Space is the distance between seeded pairs, as in bench.c.
func (c Config) Space() int { return c.Pairs / c.Active }

// Socketpairs makes n non-blocking AF_UNIX stream socketpairs and returns
// the read ends (pair[i][0]) and write ends (pair[i][1]).
func Socketpairs(n int) (rd, wr []int, err error) {
	rd, wr = make([]int, n), make([]int, n)
	for i := range n {
		p, err := unix.Socketpair(unix.AF_UNIX, unix.SOCK_STREAM, 0)
		if err != nil {
			return nil, nil, fmt.Errorf("socketpair %d of %d: %w", i, n, err)
		}
		for _, fd := range p {
			unix.CloseOnExec(fd)
			if err := unix.SetNonblock(fd, true); err != nil {
				return nil, nil, fmt.Errorf("socketpair %d: set non-blocking: %w", i, err)
			}
		}
		rd[i], wr[i] = p[0], p[1]
	}
	return rd, wr, nil
}

// Print writes one round's time in whole microseconds, one line, as the
// C program does.
func Print(d time.Duration) {
	fmt.Println(d.Microseconds())
}

// Fatal reports err and exits.
func Fatal(err error) {
	fmt.Fprintln(os.Stderr, os.Args[0]+":", err)
	os.Exit(1)
}
