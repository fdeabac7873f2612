package evdns

import (
	"net/netip"
	"strings"
	"time"

	"github.com/miekg/dns"
)

// chase follows the CNAME chain from the reply's question name through
// its answer section, at most limit links, and returns the records of
// qtype owned by the end of the chain, the smallest TTL of the records
// used, and the name the chain ended at. loop reports a chain that
// revisits a name.
func chase(m *dns.Msg, qname string, qtype uint16, limit int) (rrs []dns.RR, ttl uint32, end string, hops int, loop bool) {
	ttl = ^uint32(0)
	end = qname
	seen := map[string]bool{strings.ToLower(qname): true}
	for {
		var next string
		for _, rr := range m.Answer {
			h := rr.Header()
			if h.Class != dns.ClassINET || !strings.EqualFold(h.Name, end) {
				continue
			}
			if h.Rrtype == qtype {
				rrs = append(rrs, rr)
				ttl = min(ttl, h.Ttl)
			} else if c, ok := rr.(*dns.CNAME); ok && next == "" && qtype != dns.TypeCNAME {
				next = c.Target
				ttl = min(ttl, h.Ttl)
			}
		}
		if len(rrs) > 0 || next == "" {
			return rrs, ttl, end, hops, false
		}
		key := strings.ToLower(next)
		if seen[key] {
			return nil, ttl, end, hops, true
		}
		if hops >= limit {
			return nil, ttl, end, hops, true
		}
		seen[key] = true
		end = next
		hops++
	}
}

// resolveRRs looks up records of qtype for name (through the search list
// when search is set) and follows CNAME chains across queries, at most
// Config.MaxCNAMEChain links in all. done gets the records and the
// smallest TTL along the way.
func (q *request) resolveRRs(name string, qtype uint16, done func([]dns.RR, time.Duration, error)) {
	limit := q.r.cfg.MaxCNAMEChain
	hops := 0
	ttl := ^uint32(0)
	var handle func(m *dns.Msg, err error)
	handle = func(m *dns.Msg, err error) {
		if err != nil {
			done(nil, 0, err)
			return
		}
		qname := m.Question[0].Name
		rrs, t, end, n, loop := chase(m, qname, qtype, limit-hops)
		hops += n
		ttl = min(ttl, t)
		switch {
		case loop:
			done(nil, 0, &Error{Op: q.op, Name: qname, Rcode: m.Rcode, Err: ErrCNAMEChain})
		case len(rrs) > 0:
			done(rrs, time.Duration(ttl)*time.Second, nil)
		case end == qname:
			done(nil, 0, &Error{Op: q.op, Name: qname, Rcode: m.Rcode, Err: ErrNoData})
		case hops >= limit:
			done(nil, 0, &Error{Op: q.op, Name: qname, Rcode: m.Rcode, Err: ErrCNAMEChain})
		default:
			// The chain leaves this reply: ask for its end, as is.
			hops++
			target, ok := canonicalName(end)
			if !ok {
				done(nil, 0, &Error{Op: q.op, Name: end, Rcode: -1, Err: ErrInvalidName})
				return
			}
			q.searchAbsolute(target, qtype, handle)
		}
	}
	q.search(name, qtype, handle)
}

// searchAbsolute is search for a name that must not go through the
// search list.
func (q *request) searchAbsolute(name string, qtype uint16, done func(*dns.Msg, error)) {
	q.search(dns.Fqdn(name), qtype, done)
}

// resolveAddrs looks name up in the hosts table, then in the DNS, for
// qtype A or AAAA.
func (q *request) resolveAddrs(name string, qtype uint16, done func([]netip.Addr, time.Duration, error)) {
	family := afInet
	if qtype == dns.TypeAAAA {
		family = afInet6
	}
	if n, ok := canonicalName(name); ok {
		if addrs := q.r.hosts.lookup(n, family); len(addrs) > 0 {
			q.stopLater = q.r.later(func() { q.stopLater = nil; done(addrs, 0, nil) })
			return
		}
	}
	q.resolveRRs(name, qtype, func(rrs []dns.RR, ttl time.Duration, err error) {
		if err != nil {
			done(nil, 0, err)
			return
		}
		addrs := make([]netip.Addr, 0, len(rrs))
		for _, rr := range rrs {
			switch rr := rr.(type) {
			case *dns.A:
				if a, ok := netip.AddrFromSlice(rr.A.To4()); ok {
					addrs = append(addrs, a)
				}
			case *dns.AAAA:
				if a, ok := netip.AddrFromSlice(rr.AAAA.To16()); ok {
					addrs = append(addrs, a)
				}
			}
		}
		done(addrs, ttl, nil)
	})
}

// ResolveIPv4 looks up the IPv4 addresses of name: the hosts table first,
// then A queries through the search list, following CNAMEs. done gets the
// addresses and the smallest TTL of the records used (0 from the hosts
// table). done runs once on the loop goroutine, never before ResolveIPv4
// returns, unless cancel runs first. Loop goroutine only.
func (r *Resolver) ResolveIPv4(name string, done func(addrs []netip.Addr, ttl time.Duration, err error)) (cancel func()) {
	return r.resolveAddrsPublic("resolve", name, dns.TypeA, done)
}

// ResolveIPv6 is ResolveIPv4 for IPv6 addresses (AAAA records).
func (r *Resolver) ResolveIPv6(name string, done func(addrs []netip.Addr, ttl time.Duration, err error)) (cancel func()) {
	return r.resolveAddrsPublic("resolve", name, dns.TypeAAAA, done)
}

func (r *Resolver) resolveAddrsPublic(op, name string, qtype uint16, done func([]netip.Addr, time.Duration, error)) func() {
	q := r.newRequest(op)
	q.resolveAddrs(name, qtype, func(a []netip.Addr, ttl time.Duration, err error) {
		if !q.cancelled {
			done(a, ttl, err)
		}
	})
	return q.cancel
}

// ResolveReverse looks up the names of addr (PTR records under
// in-addr.arpa or ip6.arpa, never through the search list), after the
// hosts table. Names are fully qualified, with their final dot. done runs
// once on the loop goroutine, never before ResolveReverse returns, unless
// cancel runs first. Loop goroutine only.
func (r *Resolver) ResolveReverse(addr netip.Addr, done func(names []string, ttl time.Duration, err error)) (cancel func()) {
	q := r.newRequest("reverse")
	finish := func(names []string, ttl time.Duration, err error) {
		if !q.cancelled {
			done(names, ttl, err)
		}
	}
	addr = addr.Unmap().WithZone("")
	if names := r.hosts.byAddr[addr]; len(names) > 0 {
		names = append([]string(nil), names...)
		q.stopLater = r.later(func() { q.stopLater = nil; finish(names, 0, nil) })
		return q.cancel
	}
	arpa, err := dns.ReverseAddr(addr.String())
	if err != nil || !addr.IsValid() {
		q.stopLater = r.later(func() {
			q.stopLater = nil
			finish(nil, 0, &Error{Op: q.op, Name: addr.String(), Rcode: -1, Err: ErrInvalidName})
		})
		return q.cancel
	}
	q.resolveRRs(arpa, dns.TypePTR, func(rrs []dns.RR, ttl time.Duration, err error) {
		var names []string
		for _, rr := range rrs {
			if p, ok := rr.(*dns.PTR); ok {
				names = append(names, p.Ptr)
			}
		}
		finish(names, ttl, err)
	})
	return q.cancel
}
