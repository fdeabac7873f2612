// Command goevent runs libevent's test/bench.c workload on goevent's core
// package: one persistent read event per socketpair, all on one Base,
// driven by Loop(LoopOnce|LoopNonblock) until the round has drained, with
// every event deleted and re-added (60 s timeout) at the start of each
// round, exactly as the C program in ../libevent does with libevent.
package main

import (
	"flag"
	"fmt"
	"os"
	"syscall"
	"time"

	"github.com/goevent/goevent/bench/core/internal/workload"
	"github.com/goevent/goevent/core"
)

func main() {
	backend := flag.String("backend", "", "core backend: epoll, poll or select (default: core's choice)")
	cfg := workload.Parse()

	rd, wr, err := workload.Socketpairs(cfg.Pairs)
	if err != nil {
		workload.Fatal(err)
	}
	var opts []core.Option
	if *backend != "" {
		opts = append(opts, core.WithBackend(*backend))
	}
	b, err := core.NewBase(opts...)
	if err != nil {
		workload.Fatal(err)
	}
	defer b.Close()
	fmt.Fprintf(os.Stderr, "goevent core, backend %s\n", b.Backend())

	// The loop runs every callback on this goroutine: plain variables.
	var count, fired, writes int
	var cbErr error
	evs := make([]*core.Event, cfg.Pairs)
	for i := range cfg.Pairs {
		next := wr[(i+1)%cfg.Pairs]
		evs[i] = b.NewEvent(rd[i], core.Read|core.Persist, func(fd int, _ core.Flags) {
			var c byte
			n, e := read1(fd, &c)
			if e != 0 {
				if e != syscall.EAGAIN && cbErr == nil {
					cbErr = fmt.Errorf("read fd %d: %w", fd, e)
				}
				return
			}
			count += n
			if writes > 0 {
				c = 'e'
				if _, e := write1(next, &c); e != 0 && cbErr == nil {
					cbErr = fmt.Errorf("write fd %d: %w", next, e)
				}
				writes--
				fired++
			}
		})
	}

	space := cfg.Space()
	seed := byte('e')
	for range cfg.Rounds {
		start := time.Now()
		for _, ev := range evs {
			if err := ev.Del(); err != nil {
				workload.Fatal(err)
			}
			if err := ev.AddTimeout(60 * time.Second); err != nil {
				workload.Fatal(err)
			}
		}
		if err := b.Loop(core.LoopOnce | core.LoopNonblock); err != nil {
			workload.Fatal(err)
		}

		fired = 0
		for i := range cfg.Active {
			if _, e := write1(wr[i*space], &seed); e != 0 {
				workload.Fatal(fmt.Errorf("seed write: %w", e))
			}
			fired++
		}
		count = 0
		writes = cfg.Writes
		drain := time.Now()
		for count != fired {
			if err := b.Loop(core.LoopOnce | core.LoopNonblock); err != nil {
				workload.Fatal(err)
			}
			if cbErr != nil {
				workload.Fatal(cbErr)
			}
		}
		end := time.Now()
		if cfg.Drain {
			start = drain
		}
		if want := cfg.Active + cfg.Writes; count != want {
			workload.Fatal(fmt.Errorf("round read %d bytes, want %d", count, want))
		}
		workload.Print(end.Sub(start))
	}
}
