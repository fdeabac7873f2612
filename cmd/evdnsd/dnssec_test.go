package main

import (
	"strings"
	"sync/atomic"
	"testing"

	"github.com/miekg/dns"
)

// signedUpstream answers like a validating resolver: with DO it adds
// RRSIGs (and NSEC for NXDOMAIN) and sets AD; it counts the queries that
// carried DO and CD.
func signedUpstream(t *testing.T, withDO, withCD *atomic.Int32) *countingUpstream {
	t.Helper()
	sig := func(name string, covered uint16) dns.RR {
		return &dns.RRSIG{Hdr: dns.RR_Header{Name: name, Rrtype: dns.TypeRRSIG, Class: dns.ClassINET, Ttl: 300},
			TypeCovered: covered, Algorithm: dns.ECDSAP256SHA256, Labels: 2, OrigTtl: 300,
			Expiration: 2000000000, Inception: 1700000000, KeyTag: 12345, SignerName: "signed.example.",
			Signature: "c2lnbmF0dXJl"}
	}
	return startCountingUpstream(t, func(query, m *dns.Msg) {
		q := query.Question[0]
		opt := query.IsEdns0()
		do := opt != nil && opt.Do()
		if do {
			withDO.Add(1)
		}
		if query.CheckingDisabled {
			withCD.Add(1)
		}
		m.AuthenticatedData = true
		if do {
			m.SetEdns0(1232, true)
		}
		switch strings.ToLower(q.Name) {
		case "www.signed.example.":
			m.Answer = []dns.RR{&dns.A{Hdr: dns.RR_Header{Name: q.Name, Rrtype: dns.TypeA, Class: dns.ClassINET, Ttl: 300}, A: []byte{192, 0, 2, 7}}}
			if do {
				m.Answer = append(m.Answer, sig(q.Name, dns.TypeA))
			}
		default:
			m.Rcode = dns.RcodeNameError
			m.Ns = []dns.RR{&dns.SOA{Hdr: dns.RR_Header{Name: "signed.example.", Rrtype: dns.TypeSOA, Class: dns.ClassINET, Ttl: 60},
				Ns: "ns.signed.example.", Mbox: "h.signed.example.", Serial: 1, Refresh: 1, Retry: 1, Expire: 1, Minttl: 60}}
			if do {
				m.Ns = append(m.Ns, sig("signed.example.", dns.TypeSOA),
					&dns.NSEC{Hdr: dns.RR_Header{Name: "signed.example.", Rrtype: dns.TypeNSEC, Class: dns.ClassINET, Ttl: 60},
						NextDomain: "www.signed.example.", TypeBitMap: []uint16{dns.TypeSOA, dns.TypeNS}},
					sig("signed.example.", dns.TypeNSEC))
			}
		}
	})
}

// TestDNSSECPassThrough: DO reaches the upstream and RRSIG and NSEC come
// back; AD reaches only clients that asked (DO or AD); CD is forwarded;
// a plain query gets neither signatures nor AD.
func TestDNSSECPassThrough(t *testing.T) {
	var withDO, withCD atomic.Int32
	up := signedUpstream(t, &withDO, &withCD)
	d := startDaemon(t, "-upstream", up.addr)

	out := d.kdig(t, "+dnssec", "www.signed.example", "A")
	if !strings.Contains(out, "RRSIG") || !strings.Contains(out, "flags: do;") || !strings.Contains(out, " ad;") {
		t.Errorf("DO query: want RRSIG, DO and AD:\n%s", out)
	}
	out = d.dig(t, "+dnssec", "nx.signed.example", "A")
	if !strings.Contains(out, "NXDOMAIN") || !strings.Contains(out, "NSEC") || !strings.Contains(out, "RRSIG") {
		t.Errorf("DO NXDOMAIN: want NSEC and RRSIG:\n%s", out)
	}
	if withDO.Load() != 2 {
		t.Errorf("%d queries reached the upstream with DO, want 2", withDO.Load())
	}

	m := new(dns.Msg)
	m.SetQuestion("www.signed.example.", dns.TypeA)
	m.SetEdns0(1232, false)
	r := d.exchange(t, "udp", m)
	if len(r.Answer) != 1 || r.AuthenticatedData {
		t.Errorf("plain query: %d records (want the A alone), AD %v (want clear)", len(r.Answer), r.AuthenticatedData)
	}
	// A client setting AD gets the upstream's AD (this upstream sets it
	// on every reply; a real one sets it only when asked with AD or DO).
	m.AuthenticatedData = true
	m.Id = dns.Id()
	if r := d.exchange(t, "udp", m); !r.AuthenticatedData {
		t.Errorf("AD query: AD clear though the upstream set it")
	}

	out = d.kdig(t, "+cdflag", "www.signed.example", "A")
	if !strings.Contains(out, " cd;") {
		t.Errorf("CD not echoed:\n%s", out)
	}
	if withCD.Load() != 1 {
		t.Errorf("%d queries reached the upstream with CD, want 1", withCD.Load())
	}
}
