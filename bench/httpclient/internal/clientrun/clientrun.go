// Package clientrun is what the clients of the HTTP client benchmark share:
// their flags, the check of every reply, the measured window, and the one
// line of figures each prints for run.sh.
package clientrun

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Body is the reply body every request must get.
const Body = "Hello, World!"

// ErrReply is wrapped by Check's errors.
var ErrReply = errors.New("clientrun: unexpected reply")

// Flags are the command line of every client.
type Flags struct {
	Addr  string        // server host:port
	Conns int           // concurrent keep-alive connections
	Dur   time.Duration // measured window
}

// ParseFlags parses the common flags from the command line.
func ParseFlags() Flags {
	var f Flags
	flag.StringVar(&f.Addr, "addr", "127.0.0.1:8080", "server host:port")
	flag.IntVar(&f.Conns, "conns", 1, "concurrent keep-alive connections")
	flag.DurationVar(&f.Dur, "dur", 5*time.Second, "measured window")
	flag.Parse()
	if f.Conns < 1 || f.Dur <= 0 {
		fmt.Fprintln(os.Stderr, "clientrun: -conns must be at least 1 and -dur positive")
		os.Exit(2)
	}
	return f
}

// Check reports whether a reply is the one the server must send: status
// 200 and the body Body.
func Check(status int, body []byte) error {
	if status != 200 || !bytes.Equal(body, []byte(Body)) {
		return fmt.Errorf("%w: status %d, body %q", ErrReply, status, body)
	}
	return nil
}

// CPUTicks returns utime+stime of this process (all its threads) from
// /proc/self/stat, in clock ticks.
func CPUTicks() (int64, error) {
	b, err := os.ReadFile("/proc/self/stat")
	if err != nil {
		return 0, fmt.Errorf("clientrun: %w", err)
	}
	// After "pid (comm) " the state is field 1, utime 12 and stime 13;
	// comm may hold spaces and parentheses, so cut at the last ')'.
	i := bytes.LastIndexByte(b, ')')
	if i < 0 {
		return 0, fmt.Errorf("clientrun: malformed /proc/self/stat")
	}
	f := strings.Fields(string(b[i+1:]))
	if len(f) < 13 {
		return 0, fmt.Errorf("clientrun: short /proc/self/stat")
	}
	u, err1 := strconv.ParseInt(f[11], 10, 64)
	s, err2 := strconv.ParseInt(f[12], 10, 64)
	if err := errors.Join(err1, err2); err != nil {
		return 0, fmt.Errorf("clientrun: /proc/self/stat: %w", err)
	}
	return u + s, nil
}

// Result is what one client run measured, from the start of the window
// until the last request issued in it completed.
type Result struct {
	Requests int64         // requests completed and checked
	Failed   int64         // requests that failed or got a wrong reply
	Ticks    int64         // CPU ticks of the process over the window
	Elapsed  time.Duration // wall time of the window
	FirstErr error         // the first failure, if any
}

// Print writes the result line that run.sh stores and the report reads.
func (r Result) Print(w io.Writer) {
	fmt.Fprintf(w, "requests=%d failed=%d cpu_ticks=%d seconds=%.6f\n",
		r.Requests, r.Failed, r.Ticks, r.Elapsed.Seconds())
}

// Finish prints r to stdout and exits: 1 if any request failed (the first
// error goes to stderr), 0 otherwise.
func Finish(name string, r Result) {
	r.Print(os.Stdout)
	if r.Failed > 0 || r.FirstErr != nil {
		fmt.Fprintf(os.Stderr, "%s: %d requests failed; first: %v\n", name, r.Failed, r.FirstErr)
		os.Exit(1)
	}
}

// RunWorkers runs f.Conns goroutines, each calling do back to back. Every
// worker makes one request before the window opens (to connect); then the
// window runs f.Dur, and each worker stops at its first request completed
// after it. Workers keep going after a failure, which is counted.
func RunWorkers(f Flags, do func(worker int) error) Result {
	var (
		warm, done sync.WaitGroup
		start      = make(chan struct{})
		stop       atomic.Bool
		counts     = make([][2]int64, f.Conns) // requests, failed
		errOnce    sync.Once
		firstErr   error
	)
	fail := func(err error) { errOnce.Do(func() { firstErr = err }) }
	warm.Add(f.Conns)
	done.Add(f.Conns)
	for w := range f.Conns {
		go func() {
			defer done.Done()
			err := do(w)
			warm.Done()
			if err != nil {
				counts[w][1]++
				fail(err)
			}
			<-start
			for !stop.Load() {
				if err := do(w); err != nil {
					counts[w][1]++
					fail(err)
					continue
				}
				counts[w][0]++
			}
		}()
	}
	warm.Wait()
	t0, err := CPUTicks()
	if err != nil {
		fail(err)
	}
	began := time.Now()
	timer := time.AfterFunc(f.Dur, func() { stop.Store(true) })
	defer timer.Stop()
	close(start)
	done.Wait()
	r := Result{Elapsed: time.Since(began)}
	t1, err := CPUTicks()
	if err != nil {
		fail(err)
	}
	r.Ticks = t1 - t0
	for _, c := range counts {
		r.Requests += c[0]
		r.Failed += c[1]
	}
	r.FirstErr = firstErr
	return r
}
