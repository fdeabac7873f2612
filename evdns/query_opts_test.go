package evdns

import (
	"net"
	"sync"
	"testing"
	"time"

	"github.com/miekg/dns"
)

// TestQueryWithDNSSECBits: QueryWith sends DO (with EDNS0 even under
// NoEDNS), CD and AD on the wire, and the cache keeps answers to queries
// with different bits apart.
func TestQueryWithDNSSECBits(t *testing.T) {
	type seen struct{ do, cd, ad, edns bool }
	var mu sync.Mutex
	var got []seen
	srv := startScript(t, func(pc net.PacketConn, from net.Addr, q *dns.Msg) {
		s := seen{cd: q.CheckingDisabled, ad: q.AuthenticatedData}
		if opt := q.IsEdns0(); opt != nil {
			s.edns, s.do = true, opt.Do()
		}
		mu.Lock()
		got = append(got, s)
		mu.Unlock()
		m := answerA(q, 300, "192.0.2.9")
		if s.do {
			m.Answer = append(m.Answer, &dns.RRSIG{
				Hdr:         dns.RR_Header{Name: q.Question[0].Name, Rrtype: dns.TypeRRSIG, Class: dns.ClassINET, Ttl: 300},
				TypeCovered: dns.TypeA, Algorithm: dns.ECDSAP256SHA256, Labels: 2, OrigTtl: 300,
				Expiration: uint32(time.Now().Add(time.Hour).Unix()), Inception: uint32(time.Now().Unix()),
				KeyTag: 1, SignerName: "test.", Signature: "AAAA",
			})
			m.SetEdns0(1232, true)
		}
		send(pc, from, m)
	})
	base := newBase(t)
	r := newResolver(t, base, &Config{Nameservers: []string{srv.addr}, Timeout: 5 * time.Second, NoEDNS: true})
	ask := func(opts QueryOptions) *dns.Msg {
		t.Helper()
		var m *dns.Msg
		var err error
		r.QueryWith("signed.test.", dns.TypeA, opts, func(rm *dns.Msg, e error) {
			m, err = rm, e
			base.LoopBreak()
		})
		run(t, base)
		if err != nil {
			t.Fatalf("QueryWith(%+v): %v", opts, err)
		}
		return m
	}
	plain := ask(QueryOptions{})
	dnssec := ask(QueryOptions{DO: true, CD: true})
	again := ask(QueryOptions{DO: true, CD: true}) // from the cache
	ask(QueryOptions{})                            // from the cache too
	hasSig := func(m *dns.Msg) bool {
		for _, rr := range m.Answer {
			if rr.Header().Rrtype == dns.TypeRRSIG {
				return true
			}
		}
		return false
	}
	if hasSig(plain) || !hasSig(dnssec) || !hasSig(again) {
		t.Fatalf("RRSIG in plain %v, dnssec %v, cached dnssec %v", hasSig(plain), hasSig(dnssec), hasSig(again))
	}
	mu.Lock()
	defer mu.Unlock()
	want := []seen{{}, {do: true, cd: true, edns: true}}
	if len(got) != len(want) {
		t.Fatalf("upstream saw %d queries (%+v), want %d: the cache must keep DO/CD answers apart and serve both", len(got), got, len(want))
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("query %d: %+v, want %+v", i, got[i], want[i])
		}
	}
}
