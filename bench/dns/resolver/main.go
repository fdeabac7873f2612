// Command resolver is the resolver test of the DNS benchmark: it keeps
// -inflight A lookups in flight against one loopback DNS server for -dur,
// each completed lookup checked (the name's one address) and replaced by a
// lookup of the next name, and prints what it measured on one line.
//
//	-impl goevent  evdns.Resolver on one core.Base: ResolveIPv4, the server
//	               as its only nameserver, the cache off (every lookup is a
//	               query), other options at their defaults (so at most
//	               Config.MaxInflight queries on the wire, the rest queued;
//	               -max-inflight changes that).
//	-impl netgo    Go's net.Resolver with PreferGo and a Dial that always
//	               connects to the server: LookupNetIP(ctx, "ip4", name),
//	               one goroutine per lookup in flight.
//
// Neither ever asks the machine's resolv.conf nameservers: every query goes
// to -server. Names are fully qualified, so no search list applies.
//
// The line holds lookups, failed, cpu_ticks and seconds for the window,
// then the memory with the lookups in flight (after runtime.GC):
// rss, heap_inuse, heap_alloc, stack_inuse and goroutines, each also as
// base_* taken before the first lookup, and last peak_rss, the most
// resident memory the process had (VmHWM) over its life. run.sh pins it
// to one CPU.
package main

import (
	"errors"
	"flag"
	"fmt"
	"net/netip"
	"os"
	"runtime"
	"time"

	"github.com/goevent/goevent/bench/dns/internal/proc"
	"github.com/goevent/goevent/bench/dns/internal/zone"
)

// errWrong is wrapped by the error for a wrong answer.
var errWrong = errors.New("resolver: wrong answer")

// options are the command line.
type options struct {
	server      string
	impl        string
	inflight    int
	names       int
	dur         time.Duration
	maxInflight int
}

// result is what one run measured.
type result struct {
	lookups, failed int64
	ticks           int64
	elapsed         time.Duration
	base, loaded    memory
	firstErr        error
}

// memory is a snapshot of the process's memory.
type memory struct {
	rss                              int64
	heapInuse, heapAlloc, stackInuse uint64
	goroutines                       int
}

func main() {
	var o options
	flag.StringVar(&o.server, "server", "127.0.0.1:5353", "the DNS server host:port (loopback)")
	flag.StringVar(&o.impl, "impl", "goevent", "goevent or netgo")
	flag.IntVar(&o.inflight, "inflight", 10000, "lookups kept in flight")
	flag.IntVar(&o.names, "names", 10000, "names in the zone (asked in turn)")
	flag.DurationVar(&o.dur, "dur", 5*time.Second, "measured window")
	flag.IntVar(&o.maxInflight, "max-inflight", 0, "goevent: Config.MaxInflight (0: the default)")
	flag.Parse()
	if o.inflight < 1 || o.dur <= 0 {
		fatal(fmt.Errorf("resolver: -inflight must be at least 1 and -dur positive"))
	}
	if _, err := zone.New(o.names); err != nil {
		fatal(err)
	}
	if err := proc.RaiseNoFile(); err != nil {
		fatal(err)
	}
	var (
		r   result
		err error
	)
	switch o.impl {
	case "goevent":
		r, err = runGoevent(o)
	case "netgo":
		r, err = runNetGo(o)
	default:
		err = fmt.Errorf("resolver: unknown -impl %q", o.impl)
	}
	if err != nil {
		fatal(err)
	}
	peak, err := proc.PeakRSS()
	if err != nil {
		fatal(err)
	}
	fmt.Printf("lookups=%d failed=%d cpu_ticks=%d seconds=%.6f inflight=%d %s %s peak_rss=%d\n",
		r.lookups, r.failed, r.ticks, r.elapsed.Seconds(), o.inflight, r.base.kv("base_"), r.loaded.kv(""), peak)
	if r.failed > 0 {
		fmt.Fprintf(os.Stderr, "resolver: %d lookups failed; first: %v\n", r.failed, r.firstErr)
		os.Exit(1)
	}
}

// snapshot collects garbage and reads the process's memory.
func snapshot() (memory, error) {
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	rss, err := proc.RSS()
	return memory{rss: rss, heapInuse: ms.HeapInuse, heapAlloc: ms.HeapAlloc,
		stackInuse: ms.StackInuse, goroutines: runtime.NumGoroutine()}, err
}

func (m memory) kv(prefix string) string {
	return fmt.Sprintf("%srss=%d %sheap_inuse=%d %sheap_alloc=%d %sstack_inuse=%d %sgoroutines=%d",
		prefix, m.rss, prefix, m.heapInuse, prefix, m.heapAlloc, prefix, m.stackInuse, prefix, m.goroutines)
}

// check reports whether addrs is exactly the i-th name's address.
func check(i int, addrs []netip.Addr) error {
	if len(addrs) != 1 || addrs[0].Unmap() != zone.Addr(i) {
		return fmt.Errorf("%w: %s: got %v, want %v", errWrong, zone.Name(i), addrs, zone.Addr(i))
	}
	return nil
}

func fatal(err error) {
	fmt.Fprintln(os.Stderr, err)
	os.Exit(1)
}
