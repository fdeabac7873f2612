package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"slices"
	"strconv"
	"strings"
	"time"
)

// upstreamLookupTimeout bounds the resolution of the -upstream host names,
// at start-up and on SIGHUP.
const upstreamLookupTimeout = 10 * time.Second

// Errors of parseUpstream and resolveUpstreams.
var (
	// errUpstreamSyntax: an -upstream value is neither an address nor a
	// host name, with an optional port.
	errUpstreamSyntax = errors.New("want ip, ip:port, [ipv6]:port, host or host:port")
	// errNoAddresses: a host name resolved to no address.
	errNoAddresses = errors.New("no address")
)

// An upstream is one -upstream value: a literal address, or a host name
// that is resolved when evdnsd starts and again on SIGHUP, each of its
// addresses becoming an upstream.
type upstream struct {
	host string         // host name; "" for a literal address
	addr netip.AddrPort // the literal address when host is ""
	port uint16         // the port, for a host name
}

// String returns the value as given, normalised.
func (u upstream) String() string {
	if u.host == "" {
		return u.addr.String()
	}
	return net.JoinHostPort(u.host, strconv.Itoa(int(u.port)))
}

// parseUpstream reads "ip", "ip:port", "[ipv6]:port", "host" or
// "host:port"; the port is 53 when not given.
func parseUpstream(s string) (upstream, error) {
	bad := func() (upstream, error) {
		return upstream{}, fmt.Errorf("-upstream %q: %w", s, errUpstreamSyntax)
	}
	if ap, err := netip.ParseAddrPort(s); err == nil {
		if ap.Addr().Zone() != "" || ap.Port() == 0 {
			return bad()
		}
		return upstream{addr: netip.AddrPortFrom(ap.Addr().Unmap(), ap.Port())}, nil
	}
	if a, err := netip.ParseAddr(strings.TrimSuffix(strings.TrimPrefix(s, "["), "]")); err == nil {
		if a.Zone() != "" {
			return bad()
		}
		return upstream{addr: netip.AddrPortFrom(a.Unmap(), 53)}, nil
	}
	if strings.ContainsAny(s, "[]") { // brackets only around an IPv6 address
		return bad()
	}
	host, port := s, uint16(53)
	if h, p, err := net.SplitHostPort(s); err == nil {
		n, err := strconv.ParseUint(p, 10, 16)
		if err != nil || n == 0 {
			return bad()
		}
		host, port = h, uint16(n)
	}
	if !validHostName(host) {
		return bad()
	}
	return upstream{host: strings.TrimSuffix(host, "."), port: port}, nil
}

// validHostName reports whether s is a host name in the sense of RFC 1123
// section 2.1 (letters, digits and hyphens in labels of 1 to 63 octets, no
// hyphen at either end of a label), with an optional final dot, and not
// all-numeric in its last label (which would read as an IPv4 address).
// Underscores are allowed, as resolvers accept them.
func validHostName(s string) bool {
	s = strings.TrimSuffix(s, ".")
	if s == "" || len(s) > 253 {
		return false
	}
	labels := strings.Split(s, ".")
	for _, l := range labels {
		if l == "" || len(l) > 63 || l[0] == '-' || l[len(l)-1] == '-' {
			return false
		}
		for i := range len(l) {
			c := l[i]
			if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' || c == '_') {
				return false
			}
		}
	}
	last := labels[len(labels)-1]
	return strings.Trim(last, "0123456789") != ""
}

// lookupFunc resolves a host name to its addresses: net.Resolver's
// LookupNetIP.
type lookupFunc func(ctx context.Context, network, host string) ([]netip.Addr, error)

// resolveUpstreams returns the addresses of ups in order, each host name
// replaced by all of its addresses (from lookup, network "ip"; scoped IPv6
// addresses left out), without duplicates. A name that does not resolve
// is an error naming it.
func resolveUpstreams(ctx context.Context, lookup lookupFunc, ups []upstream) ([]netip.AddrPort, error) {
	var out []netip.AddrPort
	add := func(ap netip.AddrPort) {
		if !slices.Contains(out, ap) {
			out = append(out, ap)
		}
	}
	for _, u := range ups {
		if u.host == "" {
			add(u.addr)
			continue
		}
		addrs, err := lookup(ctx, "ip", u.host)
		if err != nil {
			return nil, fmt.Errorf("-upstream %q: %w", u.String(), err)
		}
		n := 0
		for _, a := range addrs {
			if a.Zone() != "" { // scoped IPv6, skipped as in resolv.conf
				continue
			}
			add(netip.AddrPortFrom(a.Unmap(), u.port))
			n++
		}
		if n == 0 {
			return nil, fmt.Errorf("-upstream %q: %w", u.String(), errNoAddresses)
		}
	}
	return out, nil
}

// hasHostNames reports whether any of ups is a host name.
func hasHostNames(ups []upstream) bool {
	return slices.ContainsFunc(ups, func(u upstream) bool { return u.host != "" })
}

// lookupUpstreams resolves ups with lookup (nil: through /etc/hosts and
// the system's resolver, net.DefaultResolver), within
// upstreamLookupTimeout. It runs on the main goroutine, never on a loop.
func lookupUpstreams(lookup lookupFunc, ups []upstream) ([]netip.AddrPort, error) {
	if lookup == nil {
		lookup = net.DefaultResolver.LookupNetIP
	}
	ctx, cancel := context.WithTimeout(context.Background(), upstreamLookupTimeout)
	defer cancel()
	return resolveUpstreams(ctx, lookup, ups)
}
