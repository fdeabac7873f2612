// Command gorpoller runs libevent's test/bench.c workload the way plain Go
// would: one goroutine per socketpair, blocked in Read on the runtime
// poller, writing the next pair's byte itself. It is the "goroutine per fd"
// row of the side-by-side table in ../README.md.
//
// The per-round re-add of bench.c has no direct equivalent here; its
// stand-in is what a Go server does per connection: SetReadDeadline(60s) on
// every read end (a timer update in the runtime poller).
package main

import (
	"fmt"
	"os"
	"sync/atomic"
	"time"

	"github.com/goevent/goevent/bench/core/internal/workload"
)

func main() {
	cfg := workload.Parse()
	rd, wr, err := workload.Socketpairs(cfg.Pairs)
	if err != nil {
		workload.Fatal(err)
	}
	// os.NewFile on a non-blocking fd registers it with the runtime poller
	// without a dup (net.FileConn would dup, doubling the fds).
	rf, wf := make([]*os.File, cfg.Pairs), make([]*os.File, cfg.Pairs)
	for i := range cfg.Pairs {
		rf[i] = os.NewFile(uintptr(rd[i]), fmt.Sprintf("pair%d[0]", i))
		wf[i] = os.NewFile(uintptr(wr[i]), fmt.Sprintf("pair%d[1]", i))
	}
	fmt.Fprintln(os.Stderr, "gorpoller: goroutine per fd on the runtime poller")

	var (
		writes  atomic.Int64 // cascade writes left this round
		pending atomic.Int64 // bytes written and not yet read
		count   atomic.Int64 // bytes read this round (for the sanity check)
		done    = make(chan struct{}, 1)
	)
	for i := range cfg.Pairs {
		next := wf[(i+1)%cfg.Pairs]
		go func(r *os.File) {
			var buf [1]byte
			for {
				n, err := r.Read(buf[:])
				if err != nil {
					workload.Fatal(err)
				}
				count.Add(int64(n))
				if writes.Add(-1) >= 0 {
					// The byte read is replaced by the one written:
					// pending stays the same.
					if _, err := next.Write(buf[:]); err != nil {
						workload.Fatal(err)
					}
				} else if pending.Add(-1) == 0 {
					done <- struct{}{}
				}
			}
		}(rf[i])
	}

	space := cfg.Space()
	seed := []byte{'e'}
	for range cfg.Rounds {
		start := time.Now()
		deadline := start.Add(60 * time.Second)
		for _, f := range rf {
			if err := f.SetReadDeadline(deadline); err != nil {
				workload.Fatal(err)
			}
		}
		count.Store(0)
		writes.Store(int64(cfg.Writes))
		pending.Store(int64(cfg.Active))
		for i := range cfg.Active {
			if _, err := wf[i*space].Write(seed); err != nil {
				workload.Fatal(err)
			}
		}
		drain := time.Now()
		<-done
		end := time.Now()
		if cfg.Drain {
			start = drain
		}
		if got, want := count.Load(), int64(cfg.Active+cfg.Writes); got != want {
			workload.Fatal(fmt.Errorf("round read %d bytes, want %d", got, want))
		}
		workload.Print(end.Sub(start))
	}
}
