package evdns

import (
	"errors"
	"net/netip"
	"slices"
	"testing"
	"time"

	"github.com/goevent/goevent/core"
	"github.com/miekg/dns"
	"golang.org/x/sys/unix"
)

func newResolver(t testing.TB, base *core.Base, cfg *Config) *Resolver {
	t.Helper()
	r, err := NewResolver(base, cfg)
	if err != nil {
		t.Fatalf("NewResolver: %v", err)
	}
	t.Cleanup(r.Shutdown)
	return r
}

// TestResolverDnsmasq runs the resolver's lookups against a real dnsmasq.
func TestResolverDnsmasq(t *testing.T) {
	ns := startDnsmasq(t)
	addrs := func(ss ...string) []netip.Addr {
		var out []netip.Addr
		for _, s := range ss {
			out = append(out, netip.MustParseAddr(s))
		}
		return out
	}
	type result struct {
		addrs []netip.Addr
		names []string
		ttl   time.Duration
		msg   *dns.Msg
		err   error
	}
	tests := []struct {
		name  string
		cfg   Config
		start func(r *Resolver, base *core.Base, done func(result)) func()
		check func(t *testing.T, res result)
	}{
		{"A", Config{}, func(r *Resolver, _ *core.Base, done func(result)) func() {
			return r.ResolveIPv4("host.test", func(a []netip.Addr, ttl time.Duration, err error) { done(result{addrs: a, ttl: ttl, err: err}) })
		}, func(t *testing.T, res result) {
			if res.err != nil || !slices.Equal(res.addrs, addrs("192.0.2.1")) {
				t.Fatalf("got %v, %v", res.addrs, res.err)
			}
			if res.ttl <= 0 || res.ttl > 300*time.Second {
				t.Fatalf("ttl %v", res.ttl)
			}
		}},
		{"AAAA", Config{}, func(r *Resolver, _ *core.Base, done func(result)) func() {
			return r.ResolveIPv6("host.test", func(a []netip.Addr, ttl time.Duration, err error) { done(result{addrs: a, err: err}) })
		}, func(t *testing.T, res result) {
			if res.err != nil || !slices.Equal(res.addrs, addrs("2001:db8::1")) {
				t.Fatalf("got %v, %v", res.addrs, res.err)
			}
		}},
		{"PTR v4", Config{}, func(r *Resolver, _ *core.Base, done func(result)) func() {
			return r.ResolveReverse(netip.MustParseAddr("192.0.2.1"), func(n []string, _ time.Duration, err error) { done(result{names: n, err: err}) })
		}, func(t *testing.T, res result) {
			if res.err != nil || !slices.Equal(res.names, []string{"host.test."}) {
				t.Fatalf("got %v, %v", res.names, res.err)
			}
		}},
		{"PTR v6", Config{}, func(r *Resolver, _ *core.Base, done func(result)) func() {
			return r.ResolveReverse(netip.MustParseAddr("2001:db8::1"), func(n []string, _ time.Duration, err error) { done(result{names: n, err: err}) })
		}, func(t *testing.T, res result) {
			if res.err != nil || !slices.Equal(res.names, []string{"host.test."}) {
				t.Fatalf("got %v, %v", res.names, res.err)
			}
		}},
		{"CNAME chain", Config{}, func(r *Resolver, _ *core.Base, done func(result)) func() {
			return r.ResolveIPv4("alias1.test", func(a []netip.Addr, _ time.Duration, err error) { done(result{addrs: a, err: err}) })
		}, func(t *testing.T, res result) {
			if res.err != nil || !slices.Equal(res.addrs, addrs("192.0.2.1")) {
				t.Fatalf("got %v, %v", res.addrs, res.err)
			}
		}},
		{"CNAME chain over the bound", Config{MaxCNAMEChain: 2}, func(r *Resolver, _ *core.Base, done func(result)) func() {
			return r.ResolveIPv4("alias1.test", func(a []netip.Addr, _ time.Duration, err error) { done(result{addrs: a, err: err}) })
		}, func(t *testing.T, res result) {
			if !errors.Is(res.err, ErrCNAMEChain) {
				t.Fatalf("got %v, %v; want ErrCNAMEChain", res.addrs, res.err)
			}
		}},
		{"NXDOMAIN", Config{}, func(r *Resolver, _ *core.Base, done func(result)) func() {
			return r.ResolveIPv4("nonexistent.test", func(a []netip.Addr, _ time.Duration, err error) { done(result{addrs: a, err: err}) })
		}, func(t *testing.T, res result) {
			var e *Error
			if !errors.Is(res.err, ErrNXDomain) || !errors.As(res.err, &e) || e.Name != "nonexistent.test." {
				t.Fatalf("got %v, %v; want ErrNXDomain", res.addrs, res.err)
			}
		}},
		{"NODATA", Config{}, func(r *Resolver, _ *core.Base, done func(result)) func() {
			return r.ResolveIPv6("v4only.test", func(a []netip.Addr, _ time.Duration, err error) { done(result{addrs: a, err: err}) })
		}, func(t *testing.T, res result) {
			if !errors.Is(res.err, ErrNoData) {
				t.Fatalf("got %v, %v; want ErrNoData", res.addrs, res.err)
			}
		}},
		{"search list", Config{Search: []string{"nowhere.test", "corp.test"}}, func(r *Resolver, _ *core.Base, done func(result)) func() {
			return r.ResolveIPv4("www", func(a []netip.Addr, _ time.Duration, err error) { done(result{addrs: a, err: err}) })
		}, func(t *testing.T, res result) {
			if res.err != nil || !slices.Equal(res.addrs, addrs("192.0.2.3")) {
				t.Fatalf("got %v, %v", res.addrs, res.err)
			}
		}},
		{"LookupHost both families", Config{}, func(r *Resolver, base *core.Base, done func(result)) func() {
			return r.LookupHost(base, "host.test", unix.AF_UNSPEC, func(a []netip.Addr, err error) { done(result{addrs: a, err: err}) })
		}, func(t *testing.T, res result) {
			if res.err != nil || !slices.Equal(res.addrs, addrs("192.0.2.1", "2001:db8::1")) {
				t.Fatalf("got %v, %v", res.addrs, res.err)
			}
		}},
		{"LookupHost v4 name without v6", Config{}, func(r *Resolver, base *core.Base, done func(result)) func() {
			return r.LookupHost(base, "v4only.test", unix.AF_UNSPEC, func(a []netip.Addr, err error) { done(result{addrs: a, err: err}) })
		}, func(t *testing.T, res result) {
			if res.err != nil || !slices.Equal(res.addrs, addrs("192.0.2.2")) {
				t.Fatalf("got %v, %v", res.addrs, res.err)
			}
		}},
		{"LookupHost NXDOMAIN", Config{}, func(r *Resolver, base *core.Base, done func(result)) func() {
			return r.LookupHost(base, "nonexistent.test", unix.AF_INET6, func(a []netip.Addr, err error) { done(result{addrs: a, err: err}) })
		}, func(t *testing.T, res result) {
			if !errors.Is(res.err, ErrNXDomain) {
				t.Fatalf("got %v, %v", res.addrs, res.err)
			}
		}},
		{"TC then TCP", Config{}, func(r *Resolver, _ *core.Base, done func(result)) func() {
			return r.Query("big.test", dns.TypeTXT, func(m *dns.Msg, err error) { done(result{msg: m, err: err}) })
		}, func(t *testing.T, res result) {
			if res.err != nil || res.msg.Truncated || len(res.msg.Answer) != bigTXT {
				t.Fatalf("got %v answers, err %v", len(res.msg.Answer), res.err)
			}
		}},
		{"TC ignored", Config{IgnoreTC: true}, func(r *Resolver, _ *core.Base, done func(result)) func() {
			return r.Query("big.test", dns.TypeTXT, func(m *dns.Msg, err error) { done(result{msg: m, err: err}) })
		}, func(t *testing.T, res result) {
			if res.msg == nil || !res.msg.Truncated {
				t.Fatalf("want the truncated reply, got %v, %v", res.msg, res.err)
			}
		}},
		{"TCP only", Config{UseTCP: true}, func(r *Resolver, _ *core.Base, done func(result)) func() {
			return r.Query("small.test.", dns.TypeTXT, func(m *dns.Msg, err error) { done(result{msg: m, err: err}) })
		}, func(t *testing.T, res result) {
			if res.err != nil || len(res.msg.Answer) != 1 || res.msg.Question[0].Name != "small.test." {
				t.Fatalf("got %v, %v", res.msg, res.err)
			}
		}},
		{"no EDNS, no 0x20", Config{NoEDNS: true, NoCaseRandomization: true}, func(r *Resolver, _ *core.Base, done func(result)) func() {
			return r.ResolveIPv4("host.test", func(a []netip.Addr, _ time.Duration, err error) { done(result{addrs: a, err: err}) })
		}, func(t *testing.T, res result) {
			if res.err != nil || !slices.Equal(res.addrs, addrs("192.0.2.1")) {
				t.Fatalf("got %v, %v", res.addrs, res.err)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			base := newBase(t)
			cfg := tt.cfg
			cfg.Nameservers = []string{ns}
			cfg.Timeout = 2 * time.Second
			r := newResolver(t, base, &cfg)
			var got result
			calls := 0
			tt.start(r, base, func(res result) {
				got = res
				calls++
				base.LoopBreak()
			})
			run(t, base)
			if calls != 1 {
				t.Fatalf("callback ran %d times", calls)
			}
			tt.check(t, got)
		})
	}
}
