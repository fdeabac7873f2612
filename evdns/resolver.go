package evdns

import (
	"fmt"
	"net/netip"
	"strings"

	"github.com/goevent/goevent/bufferevent"
	"github.com/goevent/goevent/core"
)

// Address families, as golang.org/x/sys/unix and bufferevent.Resolver
// number them (AF_UNSPEC, AF_INET, AF_INET6 on Linux).
const (
	afUnspec = 0
	afInet   = 2
	afInet6  = 10
)

// A Resolver is an asynchronous DNS stub resolver on one Base: libevent's
// evdns_base. Queries go out over UDP from non-blocking sockets watched by
// the Base (TCP when a reply is truncated), so no goroutine is ever
// started; callbacks run on the Base's loop goroutine.
//
// A Resolver belongs to its Base's loop goroutine: call its methods from
// callbacks on that loop, or before the loop runs, and from other
// goroutines only through Base.Post. Its Cache may be shared with the
// Resolvers of other loops.
type Resolver struct {
	base *core.Base // immutable, never nil

	raw Config // the configuration as given and changed by SetOption
	cfg Config // raw, normalized

	servers  []*nameserver
	next     int // round-robin start for Rotate
	hosts    *hostsTable
	services *servicesTable
	rand     *randSource
	cache    *Cache // nil when caching is off

	inflight int                    // exchanges on the wire
	queue    []*exchange            // exchanges waiting for an in-flight slot, FIFO
	live     map[*exchange]struct{} // every exchange queued or on the wire
	closed   bool

	buf []byte // datagram receive buffer, loop-owned
}

var _ bufferevent.Resolver = (*Resolver)(nil)

// NewResolver returns a Resolver on base configured by cfg (nil: all
// defaults). Nameservers in cfg that do not parse are an error wrapping
// ErrBadOption. No system file is read: call ParseResolvConf and
// ParseHosts for that.
func NewResolver(base *core.Base, cfg *Config) (*Resolver, error) {
	r := &Resolver{
		base:     base,
		hosts:    newHostsTable(),
		services: newServicesTable(),
		rand:     newRandSource(),
		live:     map[*exchange]struct{}{},
		buf:      make([]byte, 65536),
	}
	if cfg != nil {
		r.raw = *cfg
		r.raw.Nameservers = nil
		r.raw.Search = nil
	}
	r.cfg = r.raw
	r.cfg.normalize()
	if cfg != nil {
		for _, s := range cfg.Nameservers {
			if err := r.AddNameserver(s); err != nil {
				return nil, err
			}
		}
		r.SetSearch(cfg.Search...)
	}
	switch {
	case r.cfg.NoCache:
	case r.cfg.Cache != nil:
		r.cache = r.cfg.Cache
	default:
		r.cache = NewCache(nil)
	}
	return r, nil
}

// Base returns the Base the Resolver runs on.
func (r *Resolver) Base() *core.Base { return r.base }

// Cache returns the Resolver's cache, nil when caching is off.
func (r *Resolver) Cache() *Cache { return r.cache }

// AddNameserver adds a nameserver: "ip", "ip:port" or "[ipv6]:port"
// (port 53 by default). Adding one already present does nothing.
func (r *Resolver) AddNameserver(addr string) error {
	ap, ok := parseNameserver(addr)
	if !ok {
		return fmt.Errorf("%w: nameserver %q", ErrBadOption, addr)
	}
	r.addNameserver(ap)
	return nil
}

func (r *Resolver) addNameserver(ap netip.AddrPort) {
	for _, ns := range r.servers {
		if ns.addr == ap {
			return
		}
	}
	r.servers = append(r.servers, &nameserver{r: r, addr: ap})
}

// ClearNameservers removes every nameserver. Queries on the wire finish
// their current attempt; their retries go to the nameservers present
// then, and fail with ErrNoNameservers if there are none.
func (r *Resolver) ClearNameservers() {
	for _, ns := range r.servers {
		ns.removed = true
		ns.stopProbing()
	}
	r.servers = nil
}

// SetSearch replaces the search list (resolv.conf "search"); no argument
// clears it.
func (r *Resolver) SetSearch(domains ...string) {
	r.cfg.Search = r.cfg.Search[:0]
	for _, d := range domains {
		if d = strings.Trim(d, "."); d != "" {
			r.cfg.Search = append(r.cfg.Search, d)
		}
	}
	r.raw.Search = r.cfg.Search
}

// SetOption sets one option by its libevent or resolv.conf name: ndots,
// timeout (seconds, fractions allowed), attempts, rotate, edns0,
// edns-udp-size, randomize-case (0 or 1), max-timeouts, max-inflight,
// initial-probe-timeout, max-probe-timeout, probe-backoff-factor,
// getaddrinfo-allow-skew, use-vc, ignore-tc, probe-name. A trailing ':'
// on the name is ignored. Unknown names and bad values return an error
// wrapping ErrBadOption and change nothing.
func (r *Resolver) SetOption(name, value string) error {
	c := r.raw
	if err := c.applyOption(name, value); err != nil {
		return err
	}
	r.raw = c
	search := r.cfg.Search
	r.cfg = c
	r.cfg.Search = search
	r.cfg.normalize()
	return nil
}

// Config returns the configuration in effect, defaults filled in.
func (r *Resolver) Config() Config {
	c := r.cfg
	c.Nameservers = nil
	for _, ns := range r.servers {
		c.Nameservers = append(c.Nameservers, ns.addr.String())
	}
	c.Search = append([]string(nil), r.cfg.Search...)
	return c
}

// NameserverState describes one nameserver, as Nameservers reports it.
type NameserverState struct {
	Addr     netip.AddrPort
	Up       bool // false while the server is marked down and probed
	Timeouts int  // consecutive timeouts
}

// Nameservers reports the nameservers and whether each is up.
func (r *Resolver) Nameservers() []NameserverState {
	out := make([]NameserverState, len(r.servers))
	for i, ns := range r.servers {
		out[i] = NameserverState{Addr: ns.addr, Up: !ns.down, Timeouts: ns.timeouts}
	}
	return out
}

// Shutdown fails every pending request with an error wrapping ErrShutdown
// (their callbacks run before Shutdown returns), stops probing, and
// releases every socket and event the Resolver holds. Requests made
// afterwards fail with ErrShutdown. Shutdown is idempotent.
func (r *Resolver) Shutdown() {
	if r.closed {
		return
	}
	r.closed = true
	for _, ns := range r.servers {
		ns.stopProbing()
	}
	for len(r.live) > 0 {
		for ex := range r.live {
			ex.finish(nil, ErrShutdown)
			break
		}
	}
}

// later runs fn on the loop goroutine after the current callback, unless
// the returned cancel runs first. Results known at once (numeric hosts,
// hosts file, cache hits) are delivered through it, so a callback never
// runs inside the call that asked for it.
func (r *Resolver) later(fn func()) (cancel func()) {
	stopped := false
	if err := r.base.Post(func() {
		if !stopped {
			stopped = true
			fn()
		}
	}); err != nil {
		// The Base is closed: nothing runs on it any more.
		return func() {}
	}
	return func() { stopped = true }
}
