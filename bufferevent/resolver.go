package bufferevent

import (
	"context"
	"net"
	"net/netip"
	"sync/atomic"

	"github.com/goevent/goevent/core"
	"golang.org/x/sys/unix"
)

// A Resolver looks up host names for ConnectHostname and for evhttp's
// client; evdns satisfies it without importing either.
//
// LookupHost resolves host to addresses of family (unix.AF_INET,
// unix.AF_INET6 or unix.AF_UNSPEC) and calls done exactly once, on base's
// loop goroutine, unless cancel ran first; after cancel returns, done is
// never called. LookupHost and cancel are called on base's loop goroutine.
type Resolver interface {
	LookupHost(base *core.Base, host string, family int, done func([]netip.Addr, error)) (cancel func())
}

// NetResolver is the default Resolver: it runs a lookup of the standard
// library's net.Resolver on a goroutine of its own and hands the result to
// the loop with base.Post. It is meant to be replaced by evdns's resolver,
// which needs no goroutine, once that lands.
//
// Goroutines: one per lookup in flight; cancel stops it (the lookup's
// context is cancelled), and it ends as soon as the net.Resolver returns.
type NetResolver struct {
	// Resolver does the lookups; nil means net.DefaultResolver.
	Resolver *net.Resolver
}

// LookupHost implements Resolver. Call it on base's loop goroutine.
func (r NetResolver) LookupHost(base *core.Base, host string, family int, done func([]netip.Addr, error)) (cancel func()) {
	res := r.Resolver
	if res == nil {
		res = net.DefaultResolver
	}
	network := "ip"
	switch family {
	case unix.AF_INET:
		network = "ip4"
	case unix.AF_INET6:
		network = "ip6"
	}
	ctx, stop := context.WithCancel(context.Background())
	var cancelled atomic.Bool
	go func() {
		addrs, err := res.LookupNetIP(ctx, network, host)
		stop()
		for i, a := range addrs {
			addrs[i] = a.Unmap() // LookupNetIP may give IPv4 as v4-mapped
		}
		if cancelled.Load() {
			return
		}
		// If the Base is closed the result has nowhere to go; drop it.
		_ = base.Post(func() {
			if !cancelled.Swap(true) {
				done(addrs, err)
			}
		})
	}()
	return func() {
		cancelled.Store(true)
		stop()
	}
}
