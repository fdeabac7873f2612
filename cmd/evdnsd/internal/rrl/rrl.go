// Package rrl limits the rate of responses a DNS server sends to each
// client network, as response rate limiting in authoritative servers does:
// a /24 for IPv4, a /56 for IPv6. Beyond the rate, every Slip-th response
// is sent truncated (TC=1, so that a real client retries over TCP) and
// the others are dropped, so a server cannot be used to reflect traffic
// at a forged address.
package rrl

import (
	"net/netip"
	"sync"
	"time"
)

// Decision is what to do with one response.
type Decision int

// Decisions.
const (
	Allow    Decision = iota // send the response
	Truncate                 // send it empty with TC=1
	Drop                     // send nothing
)

var decisionNames = [...]string{Allow: "allow", Truncate: "truncate", Drop: "drop"}

// String returns "allow", "truncate" or "drop".
func (d Decision) String() string {
	if d >= 0 && int(d) < len(decisionNames) {
		return decisionNames[d]
	}
	return "decision(?)"
}

// Defaults.
const (
	DefaultSlip      = 2
	DefaultMaxTables = 1 << 16
)

// Config configures a Limiter.
type Config struct {
	// Rate is the responses per second allowed to one client network,
	// also the burst allowed at once. It must be positive.
	Rate int
	// Slip: one response in Slip beyond the rate is truncated, the rest
	// dropped; 1 truncates them all. Default 2.
	Slip int
	// MaxClients bounds the networks tracked; when full, networks idle for
	// a second or more are forgotten, and if none is, the newcomer is
	// limited as if it had used up its rate. Default 65536.
	MaxClients int
	// Now gives the time; nil means time.Now.
	Now func() time.Time
}

// A Limiter decides, response by response, whether each client network
// is over its rate. It is safe for concurrent use: a server's loops share
// one.
type Limiter struct {
	cfg Config // immutable

	mu      sync.Mutex
	clients map[netip.Prefix]*bucket // guarded by mu
}

// A bucket is a token bucket: tokens refill at Rate per second up to Rate.
type bucket struct {
	tokens float64
	last   time.Time
	over   int // responses over the rate, for Slip
}

// New returns a Limiter configured by cfg.
func New(cfg Config) *Limiter {
	if cfg.Rate < 1 {
		cfg.Rate = 1
	}
	if cfg.Slip < 1 {
		cfg.Slip = DefaultSlip
	}
	if cfg.MaxClients < 1 {
		cfg.MaxClients = DefaultMaxTables
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	return &Limiter{cfg: cfg, clients: map[netip.Prefix]*bucket{}}
}

// Network returns the network addr is limited as: its /24 (IPv4 and
// IPv4-mapped addresses) or /56 (IPv6).
func Network(addr netip.Addr) netip.Prefix {
	addr = addr.Unmap()
	bits := 56
	if addr.Is4() {
		bits = 24
	}
	p, _ := addr.Prefix(bits)
	return p
}

// Check counts one response to addr and says what to do with it.
func (l *Limiter) Check(addr netip.Addr) Decision {
	net := Network(addr)
	now := l.cfg.Now()
	rate := float64(l.cfg.Rate)
	l.mu.Lock()
	defer l.mu.Unlock()
	b := l.clients[net]
	if b == nil {
		if len(l.clients) >= l.cfg.MaxClients {
			l.pruneLocked(now)
		}
		b = &bucket{tokens: rate, last: now}
		if len(l.clients) >= l.cfg.MaxClients {
			b.tokens = 0 // no room to track it: no credit either
		} else {
			l.clients[net] = b
		}
	}
	if elapsed := now.Sub(b.last); elapsed > 0 {
		b.tokens = min(rate, b.tokens+elapsed.Seconds()*rate)
		b.last = now
	}
	if b.tokens >= 1 {
		b.tokens--
		b.over = 0
		return Allow
	}
	b.over++
	if b.over%l.cfg.Slip == 0 {
		return Truncate
	}
	return Drop
}

// pruneLocked forgets the networks whose buckets have refilled (idle
// for a second or more).
func (l *Limiter) pruneLocked(now time.Time) {
	for net, b := range l.clients {
		if now.Sub(b.last) >= time.Second {
			delete(l.clients, net)
		}
	}
}

// Clients returns the number of networks tracked.
func (l *Limiter) Clients() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.clients)
}
