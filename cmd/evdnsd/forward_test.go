package main

import (
	"net"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/miekg/dns"
)

// TestCacheHits proves with dnsmasq's query log that repeated questions,
// from dig and kdig, on both loops and over UDP and TCP, reach the
// upstream once.
func TestCacheHits(t *testing.T) {
	up := startDnsmasq(t)
	d := startDaemon(t, "-upstream", up.addr)
	for i := range 6 {
		var out string
		switch i % 3 {
		case 0:
			out = d.dig(t, "host.test", "A")
		case 1:
			out = d.kdig(t, "host.test", "A")
		default:
			out = d.kdig(t, "+tcp", "host.test", "A")
		}
		if !strings.Contains(out, "192.0.2.1") || !strings.Contains(out, "NOERROR") {
			t.Fatalf("query %d:\n%s", i, out)
		}
	}
	up.waitQueries(t, "host.test", "A", 1)
	// Another type is another question.
	if out := d.dig(t, "host.test", "AAAA"); !strings.Contains(out, "2001:db8::1") {
		t.Fatalf("AAAA:\n%s", out)
	}
	up.waitQueries(t, "host.test", "AAAA", 1)
	up.waitQueries(t, "host.test", "A", 1)
}

// TestNoCache: with -cache-size 0 every question goes upstream.
func TestNoCache(t *testing.T) {
	up := startDnsmasq(t)
	d := startDaemon(t, "-upstream", up.addr, "-cache-size", "0")
	for range 3 {
		if r := d.ask(t, "host.test.", dns.TypeA); len(r.Answer) != 1 {
			t.Fatalf("reply %v", r)
		}
	}
	up.waitQueries(t, "host.test", "A", 3)
}

// ttlOf returns the TTL dig printed for the first record of name.
func ttlOf(t *testing.T, out, name string) int {
	t.Helper()
	re := regexp.MustCompile(`(?m)^` + regexp.QuoteMeta(name) + `\s+(\d+)\s+IN\s`)
	m := re.FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("no record for %s in:\n%s", name, out)
	}
	n, _ := strconv.Atoi(m[1])
	return n
}

// TestTTLDecrement: cached answers leave with TTLs reduced by their time
// in the cache.
func TestTTLDecrement(t *testing.T) {
	up := startDnsmasq(t)
	d := startDaemon(t, "-upstream", up.addr)
	first := ttlOf(t, d.dig(t, "+noall", "+answer", "host.test", "A"), "host.test.")
	if first != 300 {
		t.Fatalf("first TTL %d, want 300", first)
	}
	time.Sleep(2100 * time.Millisecond) // let TTLs age by whole seconds
	second := ttlOf(t, d.kdig(t, "host.test", "A"), "host.test.")
	if second > 298 || second < 250 {
		t.Fatalf("TTL after 2 s in the cache: %d, want 250..298", second)
	}
	up.waitQueries(t, "host.test", "A", 1)
}

// TestNegativeCaching: NXDOMAIN and NODATA with an SOA are cached for
// the SOA's negative TTL (RFC 2308), then asked again.
func TestNegativeCaching(t *testing.T) {
	soa := func(ttl uint32) dns.RR {
		return &dns.SOA{Hdr: dns.RR_Header{Name: "neg.example.", Rrtype: dns.TypeSOA, Class: dns.ClassINET, Ttl: 300},
			Ns: "ns.neg.example.", Mbox: "h.neg.example.", Serial: 1, Refresh: 60, Retry: 60, Expire: 60, Minttl: ttl}
	}
	up := startCountingUpstream(t, func(query, m *dns.Msg) {
		switch strings.ToLower(query.Question[0].Name) {
		case "nx.neg.example.":
			m.Rcode = dns.RcodeNameError
			m.Ns = []dns.RR{soa(300)}
		case "nodata.neg.example.":
			m.Ns = []dns.RR{soa(300)}
		case "brief.neg.example.":
			m.Rcode = dns.RcodeNameError
			m.Ns = []dns.RR{soa(1)}
		}
	})
	d := startDaemon(t, "-upstream", up.addr)
	for range 3 {
		r := d.ask(t, "nx.neg.example.", dns.TypeA)
		if r.Rcode != dns.RcodeNameError || len(r.Ns) != 1 {
			t.Fatalf("NXDOMAIN: %v", r)
		}
		r = d.ask(t, "nodata.neg.example.", dns.TypeMX)
		if r.Rcode != dns.RcodeSuccess || len(r.Answer) != 0 || len(r.Ns) != 1 {
			t.Fatalf("NODATA: %v", r)
		}
	}
	if n := up.count("nx.neg.example.", dns.TypeA); n != 1 {
		t.Errorf("NXDOMAIN asked upstream %d times, want 1", n)
	}
	if n := up.count("nodata.neg.example.", dns.TypeMX); n != 1 {
		t.Errorf("NODATA asked upstream %d times, want 1", n)
	}
	d.ask(t, "brief.neg.example.", dns.TypeA)
	time.Sleep(1100 * time.Millisecond) // past the 1 s negative TTL
	d.ask(t, "brief.neg.example.", dns.TypeA)
	if n := up.count("brief.neg.example.", dns.TypeA); n != 2 {
		t.Errorf("expired NXDOMAIN asked upstream %d times, want 2", n)
	}
}

// TestFailover: a silent upstream and a refusing one (nothing listening:
// ICMP port unreachable) come before dnsmasq; every query still gets
// dnsmasq's answer within the timeouts.
func TestFailover(t *testing.T) {
	up := startDnsmasq(t)
	refusing := "127.0.0.1:" + strconv.Itoa(freePort(t)) // nothing listens: ICMP port unreachable
	d := startDaemon(t, "-upstream", silentUpstream(t), "-upstream", refusing, "-upstream", up.addr,
		"-timeout", "300ms", "-attempts", "2", "-cache-size", "0")
	for _, name := range []string{"host.test", "probe.test", "small.test"} {
		out := d.kdig(t, name, "ANY", "+tcp")
		if !strings.Contains(out, "NOERROR") {
			t.Fatalf("%s:\n%s", name, out)
		}
	}
	up.waitQueries(t, "small.test", "ANY", 1)
}

// TestServfail: when every upstream is silent the client gets SERVFAIL
// once the timeouts and attempts are spent.
func TestServfail(t *testing.T) {
	d := startDaemon(t, "-upstream", silentUpstream(t), "-upstream", silentUpstream(t),
		"-timeout", "200ms", "-attempts", "1")
	start := time.Now()
	out := d.dig(t, "nowhere.example", "A")
	if !strings.Contains(out, "status: SERVFAIL") {
		t.Fatalf("dig:\n%s", out)
	}
	if el := time.Since(start); el < 400*time.Millisecond {
		t.Errorf("SERVFAIL after %v, before both 200 ms timeouts ran out", el)
	}
	d.signal(t, 10) // SIGUSR1
	d.waitLog(t, "servfail=1")
	d.waitLog(t, "msg=upstream")
}

// TestTruncationAndTCP: an answer larger than the client's UDP size comes
// back truncated over UDP (evdns fetched it whole from dnsmasq over TCP),
// and whole over TCP; kdig and dig fall back to TCP by themselves.
func TestTruncationAndTCP(t *testing.T) {
	up := startDnsmasq(t)
	d := startDaemon(t, "-upstream", up.addr)
	out := d.kdig(t, "+notcp", "+ignore", "big.test", "TXT")
	if !regexp.MustCompile(`(?i)flags:[^;]*\btc\b`).MatchString(out) {
		t.Fatalf("UDP reply not truncated:\n%s", out)
	}
	out = d.kdig(t, "+tcp", "big.test", "TXT")
	if !strings.Contains(out, "ANSWER: "+strconv.Itoa(bigTXT)) {
		t.Fatalf("TCP reply not whole:\n%s", out)
	}
	out = d.dig(t, "big.test", "TXT") // UDP, then TCP after TC
	if !strings.Contains(out, "ANSWER: "+strconv.Itoa(bigTXT)) {
		t.Fatalf("dig after TC fallback:\n%s", out)
	}
	// Without EDNS0 the limit is 512 bytes: a Go client sees TC.
	m := new(dns.Msg)
	m.SetQuestion("big.test.", dns.TypeTXT)
	if r := d.exchange(t, "udp", m); !r.Truncated {
		t.Errorf("512-byte reply not truncated: %d answers", len(r.Answer))
	}
	// One upstream exchange: over UDP, truncated, then over TCP.
	up.waitQueries(t, "big.test", "TXT", 2)
}

// TestEDNSAndCase: the client's question spelling comes back, EDNS0 is
// echoed (DO too), and AD is not set for a client that did not ask.
func TestEDNSAndCase(t *testing.T) {
	up := startDnsmasq(t)
	d := startDaemon(t, "-upstream", up.addr)
	m := new(dns.Msg)
	m.SetQuestion("HoSt.TeSt.", dns.TypeA)
	m.SetEdns0(4096, true)
	r := d.exchange(t, "udp", m)
	if r.Question[0].Name != "HoSt.TeSt." {
		t.Errorf("question %q, want the case as asked", r.Question[0].Name)
	}
	if len(r.Answer) != 1 || r.Answer[0].Header().Name != "HoSt.TeSt." {
		t.Errorf("answer %v", r.Answer)
	}
	opt := r.IsEdns0()
	if opt == nil || !opt.Do() {
		t.Errorf("EDNS0 not echoed with DO: %v", opt)
	}
	if !r.RecursionAvailable || r.Authoritative || r.AuthenticatedData {
		t.Errorf("flags: ra %v aa %v ad %v", r.RecursionAvailable, r.Authoritative, r.AuthenticatedData)
	}
	m = new(dns.Msg)
	m.SetQuestion("host.test.", dns.TypeA)
	if r := d.exchange(t, "udp", m); r.IsEdns0() != nil {
		t.Errorf("OPT in the reply to a query without EDNS0")
	}
	out := d.kdig(t, "+dnssec", "+cd", "HOST.test", "A")
	if !regexp.MustCompile(`Flags: qr rd ra cd;`).MatchString(out) || !strings.Contains(out, "flags: do;") {
		t.Errorf("kdig +dnssec +cd: CD and DO not echoed:\n%s", out)
	}
}

// TestRefusedAndANY: zone transfers are refused; ANY over UDP gets the
// RFC 8482 HINFO; ANY over TCP is forwarded.
func TestRefusedAndANY(t *testing.T) {
	up := startDnsmasq(t)
	d := startDaemon(t, "-upstream", up.addr)
	if out := d.dig(t, "test", "AXFR"); !strings.Contains(out, "Transfer failed") && !strings.Contains(out, "REFUSED") {
		t.Errorf("AXFR:\n%s", out)
	}
	r := d.exchange(t, "tcp", func() *dns.Msg { m := new(dns.Msg); m.SetIxfr("test.", 1, "a.", "b."); return m }())
	if r.Rcode != dns.RcodeRefused {
		t.Errorf("IXFR rcode %s", dns.RcodeToString[r.Rcode])
	}
	out := d.kdig(t, "+notcp", "host.test", "ANY")
	if !strings.Contains(out, "RFC8482") {
		t.Errorf("ANY over UDP:\n%s", out)
	}
	out = d.kdig(t, "+tcp", "host.test", "ANY")
	if !strings.Contains(out, "192.0.2.1") {
		t.Errorf("ANY over TCP:\n%s", out)
	}
	up.waitQueries(t, "host.test", "ANY", 1)
}

// TestMalformed: garbage and cut messages get FORMERR or nothing, and the
// server goes on answering.
func TestMalformed(t *testing.T) {
	up := startDnsmasq(t)
	d := startDaemon(t, "-upstream", up.addr)
	good := new(dns.Msg)
	good.SetQuestion("host.test.", dns.TypeA)
	wire, _ := good.Pack()
	cases := []struct {
		name    string
		pkt     []byte
		formerr bool
	}{
		{"cut question", wire[:len(wire)-3], true},
		{"count too high", append(append([]byte{}, wire[:4]...), append([]byte{0, 5}, wire[6:]...)...), true},
		{"no question", []byte{0x12, 0x34, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0}, true},
		{"bad label", append(append([]byte{}, wire[:12]...), 0x70, 'x', 0, 0, 1, 0, 1), true},
		{"short", []byte{1, 2, 3}, false},
		{"response", func() []byte { b := append([]byte{}, wire...); b[2] |= 0x80; return b }(), false},
	}
	conn, err := net.Dial("udp", d.addr())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	buf := make([]byte, 4096)
	for _, tc := range cases {
		if _, err := conn.Write(tc.pkt); err != nil {
			t.Fatal(err)
		}
		conn.SetReadDeadline(time.Now().Add(500 * time.Millisecond))
		n, err := conn.Read(buf)
		if !tc.formerr {
			if err == nil {
				t.Errorf("%s: got a %d-byte reply, want none", tc.name, n)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s: %v", tc.name, err)
			continue
		}
		if n < 12 || buf[3]&0xf != dns.RcodeFormatError || buf[0] != tc.pkt[0] || buf[1] != tc.pkt[1] {
			t.Errorf("%s: reply % x, want FORMERR with the id", tc.name, buf[:min(n, 12)])
		}
	}
	// Two questions: FORMERR too.
	two := new(dns.Msg)
	two.SetQuestion("host.test.", dns.TypeA)
	two.Question = append(two.Question, dns.Question{Name: "probe.test.", Qtype: dns.TypeA, Qclass: dns.ClassINET})
	if r := d.exchange(t, "udp", two); r.Rcode != dns.RcodeFormatError {
		t.Errorf("two questions: %s", dns.RcodeToString[r.Rcode])
	}
	if r := d.ask(t, "host.test.", dns.TypeA); len(r.Answer) != 1 {
		t.Fatalf("not answering after malformed input: %v", r)
	}
}
