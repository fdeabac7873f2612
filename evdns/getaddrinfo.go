package evdns

import (
	"errors"
	"net/netip"
	"strings"
	"sync/atomic"
	"time"

	"github.com/goevent/goevent/core"
	"github.com/miekg/dns"
)

// LookupHost resolves host to addresses of family (unix.AF_INET,
// unix.AF_INET6 or unix.AF_UNSPEC for both), implementing
// bufferevent.Resolver. A numeric address is returned without a query; a
// name in the hosts table from the table; otherwise A and AAAA queries
// run in parallel and, once one has answered, the other gets
// Config.LookupSkew more before it is dropped. IPv4 addresses come first.
// The error, when no address was found, is the A query's unless that one
// only said NODATA.
//
// done runs once on base's loop goroutine, never before LookupHost
// returns, unless cancel runs first; after cancel returns done is never
// called. LookupHost and cancel are called on base's loop goroutine. base
// may be another loop's: the lookup then runs on the Resolver's loop and
// its result is handed over with Post (nil base means the Resolver's).
func (r *Resolver) LookupHost(base *core.Base, host string, family int, done func([]netip.Addr, error)) (cancel func()) {
	if base == nil || base == r.base {
		return r.lookupHost(host, family, done)
	}
	// Another loop: both sides touch state only on their own goroutine;
	// the flag and the cancel func cross between them.
	var cancelled atomic.Bool
	var stop atomic.Pointer[func()]
	err := r.base.Post(func() {
		if cancelled.Load() {
			return
		}
		c := r.lookupHost(host, family, func(addrs []netip.Addr, err error) {
			if err := base.Post(func() {
				if !cancelled.Swap(true) {
					done(addrs, err)
				}
			}); err != nil {
				return // the caller's Base is closed; nobody is waiting
			}
		})
		stop.Store(&c)
	})
	if err != nil {
		_ = base.Post(func() {
			if !cancelled.Swap(true) {
				done(nil, &Error{Op: "lookup", Name: host, Rcode: -1, Err: ErrShutdown})
			}
		})
	}
	return func() {
		cancelled.Store(true)
		_ = r.base.Post(func() {
			if c := stop.Load(); c != nil {
				(*c)()
			}
		})
	}
}

// lookupHost is LookupHost on the Resolver's own loop.
func (r *Resolver) lookupHost(host string, family int, done func([]netip.Addr, error)) (cancel func()) {
	lk := &hostLookup{r: r, host: host, done: done}
	lk.start(family)
	return lk.cancel
}

// A hostLookup is one LookupHost: up to two requests (A and AAAA) and
// the skew timer between their answers.
type hostLookup struct {
	r     *Resolver
	host  string
	done  func([]netip.Addr, error) // nil once finished or cancelled
	stop  func()                    // pending immediate result
	reqs  [2]*request               // A, AAAA; nil when not asked or finished
	addrs [2][]netip.Addr
	errs  [2]error
	waits int
	skew  *core.Event
}

func (lk *hostLookup) start(family int) {
	r := lk.r
	host := strings.TrimSuffix(strings.TrimPrefix(lk.host, "["), "]")
	if a, err := netip.ParseAddr(host); err == nil {
		a = a.Unmap()
		var addrs []netip.Addr
		var err error
		if family == afUnspec || (family == afInet) == a.Is4() {
			addrs = []netip.Addr{a}
		} else {
			err = &Error{Op: "lookup", Name: lk.host, Rcode: -1, Err: ErrNoData}
		}
		lk.stop = r.later(func() { lk.finish(addrs, err) })
		return
	}
	if name, ok := canonicalName(lk.host); ok {
		if addrs := r.hosts.lookup(name, family); len(addrs) > 0 {
			lk.stop = r.later(func() { lk.finish(addrs, nil) })
			return
		}
	}
	for i, qtype := range [2]uint16{dns.TypeA, dns.TypeAAAA} {
		if (i == 0 && family == afInet6) || (i == 1 && family == afInet) {
			continue
		}
		q := r.newRequest("lookup")
		lk.reqs[i] = q
		lk.waits++
		q.resolveAddrs(lk.host, qtype, func(addrs []netip.Addr, _ time.Duration, err error) {
			lk.answered(i, addrs, err)
		})
	}
}

// answered records one family's result; the first success arms the skew
// timer for the other.
func (lk *hostLookup) answered(i int, addrs []netip.Addr, err error) {
	if lk.done == nil || lk.reqs[i] == nil {
		return
	}
	lk.reqs[i] = nil
	lk.addrs[i], lk.errs[i] = addrs, err
	lk.waits--
	if lk.waits == 0 {
		lk.complete()
		return
	}
	if err == nil && lk.skew == nil {
		lk.skew = lk.r.base.NewTimer(func(int, core.Flags) { lk.skewExpired() })
		_ = lk.skew.AddTimeout(lk.r.cfg.LookupSkew)
	}
}

// skewExpired drops the slower query.
func (lk *hostLookup) skewExpired() {
	for i, q := range lk.reqs {
		if q != nil {
			q.cancel()
			lk.answered(i, nil, ErrCancelled)
		}
	}
}

// complete merges both results and reports them.
func (lk *hostLookup) complete() {
	addrs := append(append([]netip.Addr(nil), lk.addrs[0]...), lk.addrs[1]...)
	if len(addrs) > 0 {
		lk.finish(addrs, nil)
		return
	}
	err := lk.errs[0]
	if err == nil || errors.Is(err, ErrNoData) || errors.Is(err, ErrCancelled) {
		if lk.errs[1] != nil {
			err = lk.errs[1]
		}
	}
	if err == nil {
		err = &Error{Op: "lookup", Name: lk.host, Rcode: -1, Err: ErrNoData}
	}
	lk.finish(nil, err)
}

func (lk *hostLookup) finish(addrs []netip.Addr, err error) {
	done := lk.done
	if done == nil {
		return
	}
	lk.release()
	done(addrs, err)
}

func (lk *hostLookup) cancel() {
	lk.release()
}

func (lk *hostLookup) release() {
	lk.done = nil
	if lk.stop != nil {
		lk.stop()
		lk.stop = nil
	}
	for i, q := range lk.reqs {
		if q != nil {
			q.cancel()
			lk.reqs[i] = nil
		}
	}
	if lk.skew != nil {
		lk.skew.Free()
		lk.skew = nil
	}
}
