package authority

import (
	"strings"
	"testing"

	"github.com/miekg/dns"
)

// FuzzParseZone: any zone text either fails to parse or gives a zone
// whose lookups answer without panicking.
func FuzzParseZone(f *testing.F) {
	f.Add(testZone, "www.example.test.", uint16(dns.TypeA))
	f.Add(subZone, "x.sub.example.test.", uint16(dns.TypeANY))
	f.Add("a.test. 1 IN SOA ns.x. h.x. 1 1 1 1 1\n*.a.test. 1 IN CNAME *.a.test.\n", "q.a.test.", uint16(dns.TypeA))
	f.Fuzz(func(t *testing.T, text, name string, qtype uint16) {
		z, err := parseZone(strings.NewReader(text), "fuzz.zone")
		if err != nil {
			return
		}
		if _, ok := dns.IsDomainName(name); !ok {
			return
		}
		name = dns.Fqdn(name)
		if !dns.IsSubDomain(z.apex, strings.ToLower(name)) {
			return
		}
		a := z.lookup(dns.Question{Name: name, Qtype: qtype, Qclass: dns.ClassINET}, strings.ToLower(name))
		if len(a.Answer) > maxCNAMEChain*1000 {
			t.Fatalf("%d answers", len(a.Answer))
		}
	})
}

// FuzzParseHosts: any hosts text either fails with ErrHostsSyntax or
// gives entries that answer.
func FuzzParseHosts(f *testing.F) {
	f.Add("192.0.2.10 myhost myhost.lan\n2001:db8::10 myhost\n", "myhost.")
	f.Add("# c\n::1 localhost\n", "localhost")
	f.Fuzz(func(t *testing.T, text, name string) {
		h, err := parseHosts(strings.NewReader(text), 1)
		if err != nil {
			return
		}
		for _, qt := range []uint16{dns.TypeA, dns.TypeAAAA, dns.TypePTR, dns.TypeANY} {
			a, ok := h.lookup(dns.Question{Name: name, Qtype: qt, Qclass: dns.ClassINET}, strings.ToLower(dns.Fqdn(name)))
			if !ok && len(a.Answer) > 0 {
				t.Fatal("answers without ok")
			}
		}
	})
}
