package evdns

import (
	"fmt"
	"net/netip"

	"github.com/goevent/goevent/core"
)

// An AddrInfo is one result of GetAddrInfo: an address and port to use
// over a transport.
type AddrInfo struct {
	// Network is "tcp" or "udp".
	Network string
	// Addr is the address and port.
	Addr netip.AddrPort
}

// AddrInfoHints narrows what GetAddrInfo returns, like the hints of
// getaddrinfo(3). The zero value asks for every family and both
// transports.
type AddrInfoHints struct {
	// Family is unix.AF_INET, unix.AF_INET6, or 0 for both.
	Family int
	// Network is "tcp", "udp", or "" for both.
	Network string
	// NumericService accepts only a port number as the service
	// (getaddrinfo's AI_NUMERICSERV).
	NumericService bool
}

// GetAddrInfo resolves host as LookupHost does and service to a port, and
// calls done with every address paired with the port for each transport
// asked for: addresses in LookupHost's order, tcp before udp for each.
// service is a decimal port number ("8053"), a service name looked up per
// transport in the services table (ParseServices, AddService; a few
// well-known names such as "http" and "domain" work without one), or ""
// for port 0. A service that is neither, or that names no port for any
// transport asked for, fails with an error wrapping ErrBadService, as
// does a hints.Network other than "tcp", "udp" or "".
//
// done and cancel follow LookupHost's rules: done runs once on base's
// loop goroutine (nil base: the Resolver's), never before GetAddrInfo
// returns, and never after cancel returns.
func (r *Resolver) GetAddrInfo(base *core.Base, host, service string, hints *AddrInfoHints, done func([]AddrInfo, error)) (cancel func()) {
	var h AddrInfoHints
	if hints != nil {
		h = *hints
	}
	ports, err := r.servicePorts(service, h)
	if err != nil {
		return r.fail(base, func() { done(nil, err) })
	}
	return r.LookupHost(base, host, h.Family, func(addrs []netip.Addr, err error) {
		if err != nil {
			done(nil, err)
			return
		}
		out := make([]AddrInfo, 0, len(addrs)*len(ports))
		for _, a := range addrs {
			for _, p := range ports {
				out = append(out, AddrInfo{Network: p.network, Addr: netip.AddrPortFrom(a, p.port)})
			}
		}
		done(out, nil)
	})
}

// A servicePort is the port of a service on one transport.
type servicePort struct {
	network string
	port    uint16
}

// servicePorts resolves service for the transports h asks for.
func (r *Resolver) servicePorts(service string, h AddrInfoHints) ([]servicePort, error) {
	var networks []string
	switch h.Network {
	case "":
		networks = []string{"tcp", "udp"}
	case "tcp", "udp":
		networks = []string{h.Network}
	default:
		return nil, fmt.Errorf("%w: network %q", ErrBadService, h.Network)
	}
	ports := make([]servicePort, 0, len(networks))
	if service == "" {
		service = "0"
	}
	if p, ok := parsePort(service); ok {
		for _, n := range networks {
			ports = append(ports, servicePort{n, p})
		}
		return ports, nil
	}
	if h.NumericService {
		return nil, fmt.Errorf("%w: %q is not a port number", ErrBadService, service)
	}
	for _, n := range networks {
		if p, ok := r.services.lookup(service, n); ok {
			ports = append(ports, servicePort{n, p})
		}
	}
	if len(ports) == 0 {
		return nil, fmt.Errorf("%w: %q for %v", ErrBadService, service, networks)
	}
	return ports, nil
}

// fail runs report on base's loop goroutine (nil: the Resolver's) after
// the current callback, unless the returned cancel runs first.
func (r *Resolver) fail(base *core.Base, report func()) (cancel func()) {
	if base == nil || base == r.base {
		return r.later(report)
	}
	stopped := false // touched only on base's loop goroutine
	_ = base.Post(func() {
		if !stopped {
			stopped = true
			report()
		}
	})
	return func() { stopped = true }
}
