package evdns

import (
	"errors"
	"net"
	"net/netip"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/miekg/dns"
)

// fakeClock is a Clock the test moves by hand.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func newFakeClock() *fakeClock { return &fakeClock{now: time.Unix(1_000_000, 0)} }

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) advance(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

func rrA(name string, ttl uint32, addr string) dns.RR {
	return &dns.A{Hdr: dns.RR_Header{Name: name, Rrtype: dns.TypeA, Class: dns.ClassINET, Ttl: ttl}, A: net.ParseIP(addr)}
}

func soa(zone string, ttl, minimum uint32) dns.RR {
	return &dns.SOA{Hdr: dns.RR_Header{Name: zone, Rrtype: dns.TypeSOA, Class: dns.ClassINET, Ttl: ttl},
		Ns: "ns." + zone, Mbox: "host." + zone, Serial: 1, Refresh: 1, Retry: 1, Expire: 1, Minttl: minimum}
}

func reply(rcode int, answer, ns []dns.RR) *dns.Msg {
	m := new(dns.Msg)
	m.SetQuestion("q.test.", dns.TypeA)
	m.Response = true
	m.Rcode = rcode
	m.Answer, m.Ns = answer, ns
	return m
}

func TestCacheTTL(t *testing.T) {
	tests := []struct {
		name string
		msg  *dns.Msg
		want time.Duration // how long it is kept; 0 = not at all
	}{
		{"positive, smallest TTL", reply(dns.RcodeSuccess, []dns.RR{rrA("q.test.", 30, "192.0.2.1"), rrA("q.test.", 10, "192.0.2.2")}, nil), 10 * time.Second},
		{"positive, TTL 0", reply(dns.RcodeSuccess, []dns.RR{rrA("q.test.", 0, "192.0.2.1")}, nil), 0},
		{"positive over MaxTTL", reply(dns.RcodeSuccess, []dns.RR{rrA("q.test.", 1<<30, "192.0.2.1")}, nil), time.Hour},
		{"NXDOMAIN, SOA minimum", reply(dns.RcodeNameError, nil, []dns.RR{soa("test.", 600, 20)}), 20 * time.Second},
		{"NXDOMAIN, SOA TTL", reply(dns.RcodeNameError, nil, []dns.RR{soa("test.", 15, 600)}), 15 * time.Second},
		{"NODATA, SOA", reply(dns.RcodeSuccess, nil, []dns.RR{soa("test.", 600, 40)}), 40 * time.Second},
		{"NXDOMAIN without SOA", reply(dns.RcodeNameError, nil, nil), 0},
		{"negative over MaxNegTTL", reply(dns.RcodeNameError, nil, []dns.RR{soa("test.", 1<<20, 1<<20)}), 30 * time.Minute},
		{"SERVFAIL", reply(dns.RcodeServerFailure, nil, []dns.RR{soa("test.", 60, 60)}), 0},
		{"truncated", func() *dns.Msg {
			m := reply(dns.RcodeSuccess, []dns.RR{rrA("q.test.", 30, "192.0.2.1")}, nil)
			m.Truncated = true
			return m
		}(), 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clk := newFakeClock()
			c := NewCache(&CacheConfig{Clock: clk, MaxTTL: time.Hour, MaxNegTTL: 30 * time.Minute})
			c.Put("Q.test", dns.TypeA, tt.msg)
			if tt.want == 0 {
				if c.Len() != 0 {
					t.Fatal("stored, want not cached")
				}
				return
			}
			clk.advance(tt.want - time.Second)
			m := c.Get("q.TEST.", dns.TypeA)
			if m == nil {
				t.Fatalf("gone after %v", tt.want-time.Second)
			}
			elapsed := uint32((tt.want - time.Second) / time.Second)
			for _, rr := range append(m.Answer, m.Ns...) {
				if want := min(ttlOf(tt.msg, rr)-elapsed, 1); rr.Header().Ttl != want {
					t.Errorf("TTL %d, want %d (decremented, capped at the 1s left)", rr.Header().Ttl, want)
				}
			}
			clk.advance(time.Second)
			if c.Get("q.test", dns.TypeA) != nil {
				t.Fatalf("still served after %v", tt.want)
			}
		})
	}
}

// ttlOf returns the original TTL of the record in orig that rr copies.
func ttlOf(orig *dns.Msg, rr dns.RR) uint32 {
	for _, o := range append(orig.Answer, orig.Ns...) {
		if o.Header().Rrtype == rr.Header().Rrtype && dns.IsDuplicate(withTTL(o, 0), withTTL(rr, 0)) {
			return o.Header().Ttl
		}
	}
	return 0
}

func withTTL(rr dns.RR, ttl uint32) dns.RR {
	c := dns.Copy(rr)
	c.Header().Ttl = ttl
	return c
}

func TestCacheDecrementsTTL(t *testing.T) {
	clk := newFakeClock()
	c := NewCache(&CacheConfig{Clock: clk})
	c.Put("q.test.", dns.TypeA, reply(dns.RcodeSuccess, []dns.RR{rrA("q.test.", 100, "192.0.2.1")}, []dns.RR{soa("test.", 300, 300)}))
	clk.advance(42*time.Second + 500*time.Millisecond)
	m := c.Get("q.test.", dns.TypeA)
	if m == nil {
		t.Fatal("miss")
	}
	if got := m.Answer[0].Header().Ttl; got != 58 {
		t.Errorf("answer TTL %d, want 58", got)
	}
	if got := m.Ns[0].Header().Ttl; got != 58 {
		t.Errorf("authority TTL %d, want 58 (capped at the entry's time left)", got)
	}
	// The stored copy is untouched by what the caller does with its copy.
	m.Answer[0].Header().Ttl = 9999
	if again := c.Get("q.test.", dns.TypeA); again.Answer[0].Header().Ttl != 58 {
		t.Errorf("cache entry modified through a returned copy")
	}
}

func TestCacheLRU(t *testing.T) {
	c := NewCache(&CacheConfig{Size: 3, Clock: newFakeClock()})
	pos := func(name string) *dns.Msg {
		return reply(dns.RcodeSuccess, []dns.RR{rrA(name, 60, "192.0.2.1")}, nil)
	}
	for _, n := range []string{"a.test.", "b.test.", "c.test."} {
		c.Put(n, dns.TypeA, pos(n))
	}
	c.Get("a.test.", dns.TypeA) // a is now the most recent
	c.Put("d.test.", dns.TypeA, pos("d.test."))
	if c.Len() != 3 {
		t.Fatalf("len %d, want 3", c.Len())
	}
	if c.Get("b.test.", dns.TypeA) != nil {
		t.Error("b (least recently used) not evicted")
	}
	for _, n := range []string{"a.test.", "c.test.", "d.test."} {
		if c.Get(n, dns.TypeA) == nil {
			t.Errorf("%s evicted", n)
		}
	}
	if s := c.Stats(); s.Evictions != 1 {
		t.Errorf("stats %+v", s)
	}
	c.Flush()
	if c.Len() != 0 || c.Get("a.test.", dns.TypeA) != nil {
		t.Error("Flush left entries")
	}
}

// TestCacheConcurrent: several goroutines share one Cache (run with -race).
func TestCacheConcurrent(t *testing.T) {
	c := NewCache(&CacheConfig{Size: 64})
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 500 {
				name := string(rune('a'+(i+g)%26)) + ".test."
				c.Put(name, dns.TypeA, reply(dns.RcodeSuccess, []dns.RR{rrA(name, 60, "192.0.2.1")}, nil))
				if m := c.Get(name, dns.TypeA); m != nil && len(m.Answer) != 1 {
					t.Error("bad entry")
				}
				if i%100 == 0 {
					c.Flush()
				}
			}
		}()
	}
	wg.Wait()
}

// TestResolverCache: a second lookup within the TTL is answered from the
// cache, NXDOMAIN with an SOA is cached negatively, and the cache can be
// shared by resolvers on two Bases and disabled.
func isNX(err error) bool { return errors.Is(err, ErrNXDomain) }

func TestResolverCache(t *testing.T) {
	var queries atomic.Int32
	srv := startScript(t, func(pc net.PacketConn, from net.Addr, q *dns.Msg) {
		queries.Add(1)
		if equalFoldName(q.Question[0].Name, "missing.test.") {
			m := new(dns.Msg)
			m.SetRcode(q, dns.RcodeNameError)
			m.Ns = []dns.RR{soa("test.", 3600, 60)}
			send(pc, from, m)
			return
		}
		send(pc, from, answerA(q, 120, "192.0.2.40"))
	})
	clk := newFakeClock()
	cache := NewCache(&CacheConfig{Clock: clk})
	lookup := func(r *Resolver, base interface{ LoopBreak() error }, name string) ([]netip.Addr, time.Duration, error) {
		var got []netip.Addr
		var ttl time.Duration
		var gotErr error
		r.ResolveIPv4(name, func(a []netip.Addr, tt time.Duration, err error) {
			got, ttl, gotErr = a, tt, err
			base.LoopBreak()
		})
		run(t, r.Base())
		return got, ttl, gotErr
	}
	base1, base2 := newBase(t), newBase(t)
	r1 := newResolver(t, base1, &Config{Nameservers: []string{srv.addr}, Cache: cache})
	r2 := newResolver(t, base2, &Config{Nameservers: []string{srv.addr}, Cache: cache})
	if _, ttl, err := lookup(r1, base1, "cached.test."); err != nil || ttl != 120*time.Second {
		t.Fatalf("first lookup: ttl %v, %v", ttl, err)
	}
	clk.advance(100 * time.Second)
	a, ttl, err := lookup(r2, base2, "cached.test.")
	if err != nil || len(a) != 1 || ttl != 20*time.Second {
		t.Fatalf("from the shared cache: %v, ttl %v, %v", a, ttl, err)
	}
	if n := queries.Load(); n != 1 {
		t.Fatalf("%d queries, want 1 (second from cache)", n)
	}
	clk.advance(21 * time.Second)
	if _, _, err := lookup(r1, base1, "cached.test."); err != nil {
		t.Fatal(err)
	}
	if n := queries.Load(); n != 2 {
		t.Fatalf("%d queries after expiry, want 2", n)
	}
	// Negative caching.
	for range 2 {
		if _, _, err := lookup(r1, base1, "missing.test."); !isNX(err) {
			t.Fatalf("got %v, want NXDOMAIN", err)
		}
	}
	if n := queries.Load(); n != 3 {
		t.Fatalf("%d queries, want 3 (NXDOMAIN cached)", n)
	}
	clk.advance(61 * time.Second)
	lookup(r1, base1, "missing.test.")
	if n := queries.Load(); n != 4 {
		t.Fatalf("%d queries, want 4 (negative entry expired)", n)
	}
	// Disabled.
	base3 := newBase(t)
	r3 := newResolver(t, base3, &Config{Nameservers: []string{srv.addr}, NoCache: true})
	if r3.Cache() != nil {
		t.Fatal("NoCache resolver has a cache")
	}
	lookup(r3, base3, "cached.test.")
	lookup(r3, base3, "cached.test.")
	if n := queries.Load(); n != 6 {
		t.Fatalf("%d queries, want 6 (no cache)", n)
	}
}
