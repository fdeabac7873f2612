package main

import (
	"os"
	"regexp"
	"strings"
	"syscall"
	"testing"

	"github.com/miekg/dns"
)

const exampleZone = `$ORIGIN example.test.
$TTL 300
@       IN SOA ns1 hostmaster 1 3600 600 86400 60
@       IN NS  ns1
ns1     IN A   192.0.2.53
www     IN A   192.0.2.80
www     IN AAAA 2001:db8::80
alias   IN CNAME www
*.wild  IN TXT "wildcard"
a.b.deep IN A  192.0.2.99
`

// TestZoneAnswers: names in a zone file are answered with authority,
// NXDOMAIN and NODATA carry the SOA, nothing reaches the upstream.
func TestZoneAnswers(t *testing.T) {
	up := startCountingUpstream(t, func(_, _ *dns.Msg) {})
	zone := writeFile(t, "example.zone", exampleZone)
	d := startDaemon(t, "-upstream", up.addr, "-zone", zone)

	out := d.dig(t, "+norec", "WwW.Example.TEST", "A")
	if !strings.Contains(out, "flags: qr aa") || !strings.Contains(out, "WwW.Example.TEST.\t300\tIN\tA\t192.0.2.80") {
		t.Errorf("www A:\n%s", out)
	}
	out = d.kdig(t, "alias.example.test", "AAAA")
	if !strings.Contains(out, "CNAME") || !strings.Contains(out, "2001:db8::80") {
		t.Errorf("alias AAAA:\n%s", out)
	}
	out = d.dig(t, "nope.example.test", "A")
	if !strings.Contains(out, "status: NXDOMAIN") || !strings.Contains(out, "aa") || !strings.Contains(out, "SOA") {
		t.Errorf("NXDOMAIN:\n%s", out)
	}
	if ttl := ttlOf(t, out, "example.test."); ttl != 60 {
		t.Errorf("negative SOA TTL %d, want the MINIMUM 60", ttl)
	}
	for _, q := range [][2]string{{"www.example.test", "MX"}, {"deep.example.test", "A"}} {
		out = d.dig(t, q[0], q[1])
		if !strings.Contains(out, "status: NOERROR") || !strings.Contains(out, "ANSWER: 0") || !strings.Contains(out, "SOA") {
			t.Errorf("NODATA %v:\n%s", q, out)
		}
	}
	r := d.ask(t, "x.wild.example.test.", dns.TypeTXT)
	if len(r.Answer) != 1 || r.Answer[0].Header().Name != "x.wild.example.test." || !r.Authoritative {
		t.Errorf("wildcard: %v", r)
	}
	// ANY over UDP: one RRset; over TCP: all.
	m := new(dns.Msg)
	m.SetQuestion("www.example.test.", dns.TypeANY)
	if r := d.exchange(t, "udp", m); len(r.Answer) != 1 {
		t.Errorf("ANY over UDP: %d records, want 1 RRset", len(r.Answer))
	}
	if r := d.exchange(t, "tcp", m); len(r.Answer) != 2 {
		t.Errorf("ANY over TCP: %d records, want 2", len(r.Answer))
	}
	up.mu.Lock()
	defer up.mu.Unlock()
	if len(up.seen) != 0 {
		t.Errorf("local names went upstream: %v", up.seen)
	}
}

// TestHostsAnswers: names of the -hosts file (A, AAAA, PTR) are answered
// authoritatively; other types of them are forwarded.
func TestHostsAnswers(t *testing.T) {
	up := startCountingUpstream(t, func(_, _ *dns.Msg) {})
	hosts := writeFile(t, "hosts", "# test\n192.0.2.10 myhost myhost.lan\n2001:db8::10 myhost\n")
	d := startDaemon(t, "-upstream", up.addr, "-hosts", hosts, "-hosts-ttl", "30s")
	out := d.dig(t, "MyHost", "A")
	if !strings.Contains(out, "aa") || !strings.Contains(out, "MyHost.\t\t\t30\tIN\tA\t192.0.2.10") {
		t.Errorf("A:\n%s", out)
	}
	if out := d.kdig(t, "myhost.lan", "AAAA"); !strings.Contains(out, "NOERROR") || !strings.Contains(out, "ANSWER: 0") {
		t.Errorf("AAAA of a v4-only alias:\n%s", out)
	}
	if out := d.dig(t, "-x", "2001:db8::10"); !regexp.MustCompile(`PTR\s+myhost\.`).MatchString(out) {
		t.Errorf("PTR:\n%s", out)
	}
	d.ask(t, "myhost.", dns.TypeMX)
	if n := up.count("myhost.", dns.TypeMX); n != 1 {
		t.Errorf("MX of a hosts name asked upstream %d times, want 1", n)
	}
	if n := up.count("myhost.", dns.TypeA); n != 0 {
		t.Errorf("hosts name asked upstream")
	}
}

// TestReload: SIGHUP reads the zone and hosts again and keeps the cache;
// a broken file leaves the old data in place.
func TestReload(t *testing.T) {
	up := startDnsmasq(t)
	zone := writeFile(t, "example.zone", exampleZone)
	hosts := writeFile(t, "hosts", "192.0.2.10 myhost\n")
	d := startDaemon(t, "-upstream", up.addr, "-zone", zone, "-hosts", hosts)
	if r := d.ask(t, "host.test.", dns.TypeA); len(r.Answer) != 1 {
		t.Fatalf("forwarded: %v", r)
	}
	if r := d.ask(t, "new.example.test.", dns.TypeA); r.Rcode != dns.RcodeNameError {
		t.Fatalf("before reload: %v", r)
	}
	if err := os.WriteFile(zone, []byte(exampleZone+"new IN A 192.0.2.123\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(hosts, []byte("192.0.2.11 myhost\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	d.signal(t, syscall.SIGHUP)
	d.waitLog(t, "msg=reloaded")
	if r := d.ask(t, "new.example.test.", dns.TypeA); len(r.Answer) != 1 || r.Answer[0].(*dns.A).A.String() != "192.0.2.123" {
		t.Errorf("after reload: %v", r)
	}
	if r := d.ask(t, "myhost.", dns.TypeA); len(r.Answer) != 1 || r.Answer[0].(*dns.A).A.String() != "192.0.2.11" {
		t.Errorf("hosts after reload: %v", r)
	}
	if r := d.ask(t, "host.test.", dns.TypeA); len(r.Answer) != 1 {
		t.Fatalf("forwarded after reload: %v", r)
	}
	up.waitQueries(t, "host.test", "A", 1) // the cache survived

	// A broken zone: logged, the old data stays.
	if err := os.WriteFile(zone, []byte("this is not a zone\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	d.signal(t, syscall.SIGHUP)
	d.waitLog(t, "reload failed")
	if r := d.ask(t, "new.example.test.", dns.TypeA); len(r.Answer) != 1 {
		t.Errorf("after a failed reload: %v", r)
	}
	d.signal(t, syscall.SIGTERM)
	if code := d.wait(t, 20e9); code != 0 {
		t.Errorf("exit status %d after SIGTERM", code)
	}
}
