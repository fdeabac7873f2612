// Command client is the Go load generator of the RPC benchmark: it keeps
// -c calls of echo's Echo RPC outstanding against a server with either
// goevent's evrpc client (-impl goevent: an evrpc.Pool of -c connections
// on one loop, one call per connection as libevent's evrpc_pool; with
// -pipe D, ceil(c/D) connections carrying up to D pipelined calls each)
// or net/rpc's (-impl netrpc: -c goroutines calling through one
// rpc.Client, net/rpc's idiom, which multiplexes one connection).
// Every reply is checked against its request.
//
// It runs for -dur, or with -n makes exactly n calls (the check step).
// It prints one line:
//
//	calls=N bad=N errors=N seconds=S
//
// calls is every call answered, bad the answers that did not match their
// request, errors the calls that failed, seconds the time from the first
// call to the last answer. The exit status is 1 when a call failed or was
// answered wrongly, or with -n when fewer than n calls were answered.
package main

import (
	"flag"
	"fmt"
	"os"
	"time"
)

// result is what a run of a client measured.
type result struct {
	calls, bad, errors int
	elapsed            time.Duration
	firstErr           error
}

// load describes the calls to make: c outstanding, until the deadline
// passes (n == 0) or n calls were made.
type load struct {
	addr string
	c    int
	n    int
	dur  time.Duration
	pipe int // goevent: calls pipelined per connection (0, 1: one)
}

func main() {
	impl := flag.String("impl", "goevent", "client: goevent or netrpc")
	addr := flag.String("addr", "127.0.0.1:8080", "server host:port")
	c := flag.Int("c", 1, "calls outstanding")
	n := flag.Int("n", 0, "make exactly n calls (0: run for -dur)")
	dur := flag.Duration("dur", 5*time.Second, "how long to run")
	pipe := flag.Int("pipe", 0, "goevent: pipeline up to this many calls per connection (0: one call per connection)")
	flag.Parse()
	if *c < 1 || *n < 0 || (*n == 0 && *dur <= 0) || *pipe < 0 {
		fmt.Fprintln(os.Stderr, "client: want -c >= 1, -pipe >= 0 and -n >= 0 or -dur > 0")
		os.Exit(2)
	}
	l := load{addr: *addr, c: *c, n: *n, dur: *dur, pipe: *pipe}
	var (
		r   result
		err error
	)
	switch *impl {
	case "goevent":
		r, err = runGoevent(l)
	case "netrpc":
		r, err = runNetRPC(l)
	default:
		err = fmt.Errorf("unknown -impl %q", *impl)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "client:", err)
		os.Exit(1)
	}
	fmt.Printf("calls=%d bad=%d errors=%d seconds=%.6f\n", r.calls, r.bad, r.errors, r.elapsed.Seconds())
	if r.firstErr != nil {
		fmt.Fprintln(os.Stderr, "client: first failure:", r.firstErr)
	}
	if r.bad > 0 || r.errors > 0 || (l.n > 0 && r.calls != l.n) {
		os.Exit(1)
	}
}
