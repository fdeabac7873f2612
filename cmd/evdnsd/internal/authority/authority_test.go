package authority

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/miekg/dns"
)

const testZone = `$ORIGIN example.test.
$TTL 300
@        IN SOA ns1 hostmaster 1 3600 600 86400 60
@        IN NS  ns1
ns1      IN A   192.0.2.53
www      IN A   192.0.2.80
www      IN AAAA 2001:db8::80
alias    IN CNAME www
chain    IN CNAME alias
out      IN CNAME www.elsewhere.example.
dangling IN CNAME missing
*.wild   IN TXT "wildcard"
a.b.deep IN A   192.0.2.99
`

const subZone = `sub.example.test. 60 IN SOA ns.x. hm.x. 1 1 1 1 10
www.sub.example.test. 60 IN A 192.0.2.200
`

func load(t *testing.T, hostsText string) *Data {
	t.Helper()
	dir := t.TempDir()
	z1 := filepath.Join(dir, "example.zone")
	z2 := filepath.Join(dir, "sub.zone")
	h := filepath.Join(dir, "hosts")
	for p, s := range map[string]string{z1: testZone, z2: subZone, h: hostsText} {
		if err := os.WriteFile(p, []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	d, err := Load([]string{z1, z2}, h, 42)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func TestLookup(t *testing.T) {
	d := load(t, "192.0.2.10 myhost myhost.lan\n2001:db8::10 myhost\n192.0.2.11 other\n")
	type want struct {
		ok      bool
		rcode   int
		answers []string // "owner type", in order
		soa     bool
	}
	cases := []struct {
		name  string
		qtype uint16
		want  want
	}{
		{"www.example.test.", dns.TypeA, want{true, dns.RcodeSuccess, []string{"www.example.test. A"}, false}},
		{"WWW.Example.Test.", dns.TypeAAAA, want{true, dns.RcodeSuccess, []string{"WWW.Example.Test. AAAA"}, false}},
		{"www.example.test.", dns.TypeMX, want{true, dns.RcodeSuccess, nil, true}},
		{"nope.example.test.", dns.TypeA, want{true, dns.RcodeNameError, nil, true}},
		{"deep.example.test.", dns.TypeA, want{true, dns.RcodeSuccess, nil, true}},
		{"b.deep.example.test.", dns.TypeA, want{true, dns.RcodeSuccess, nil, true}},
		{"a.b.deep.example.test.", dns.TypeA, want{true, dns.RcodeSuccess, []string{"a.b.deep.example.test. A"}, false}},
		{"alias.example.test.", dns.TypeA, want{true, dns.RcodeSuccess, []string{"alias.example.test. CNAME", "www.example.test. A"}, false}},
		{"chain.example.test.", dns.TypeAAAA, want{true, dns.RcodeSuccess, []string{"chain.example.test. CNAME", "alias.example.test. CNAME", "www.example.test. AAAA"}, false}},
		{"alias.example.test.", dns.TypeCNAME, want{true, dns.RcodeSuccess, []string{"alias.example.test. CNAME"}, false}},
		{"out.example.test.", dns.TypeA, want{true, dns.RcodeSuccess, []string{"out.example.test. CNAME"}, false}},
		{"dangling.example.test.", dns.TypeA, want{true, dns.RcodeNameError, []string{"dangling.example.test. CNAME"}, true}},
		{"x.wild.example.test.", dns.TypeTXT, want{true, dns.RcodeSuccess, []string{"x.wild.example.test. TXT"}, false}},
		{"y.x.wild.example.test.", dns.TypeTXT, want{true, dns.RcodeSuccess, []string{"y.x.wild.example.test. TXT"}, false}},
		{"x.wild.example.test.", dns.TypeA, want{true, dns.RcodeSuccess, nil, true}},
		{"www.example.test.", dns.TypeANY, want{true, dns.RcodeSuccess, []string{"www.example.test. A", "www.example.test. AAAA"}, false}},
		{"www.sub.example.test.", dns.TypeA, want{true, dns.RcodeSuccess, []string{"www.sub.example.test. A"}, false}},
		{"nope.sub.example.test.", dns.TypeA, want{true, dns.RcodeNameError, nil, true}},
		{"example.test.", dns.TypeSOA, want{true, dns.RcodeSuccess, []string{"example.test. SOA"}, false}},
		{"myhost.", dns.TypeA, want{true, dns.RcodeSuccess, []string{"myhost. A"}, false}},
		{"MyHost.", dns.TypeAAAA, want{true, dns.RcodeSuccess, []string{"MyHost. AAAA"}, false}},
		{"myhost.lan.", dns.TypeAAAA, want{true, dns.RcodeSuccess, nil, false}},
		{"myhost.", dns.TypeANY, want{true, dns.RcodeSuccess, []string{"myhost. A", "myhost. AAAA"}, false}},
		{"10.2.0.192.in-addr.arpa.", dns.TypePTR, want{true, dns.RcodeSuccess, []string{"10.2.0.192.in-addr.arpa. PTR"}, false}},
		{"myhost.", dns.TypeMX, want{false, 0, nil, false}},
		{"10.2.0.192.in-addr.arpa.", dns.TypeA, want{false, 0, nil, false}},
		{"elsewhere.example.", dns.TypeA, want{false, 0, nil, false}},
		{"test.", dns.TypeA, want{false, 0, nil, false}},
	}
	for _, tc := range cases {
		a, ok := d.Lookup(dns.Question{Name: tc.name, Qtype: tc.qtype, Qclass: dns.ClassINET})
		var got []string
		for _, rr := range a.Answer {
			got = append(got, rr.Header().Name+" "+dns.Type(rr.Header().Rrtype).String())
		}
		hasSOA := len(a.Ns) == 1 && a.Ns[0].Header().Rrtype == dns.TypeSOA
		if ok != tc.want.ok || a.Rcode != tc.want.rcode || strings.Join(got, ",") != strings.Join(tc.want.answers, ",") || hasSOA != tc.want.soa {
			t.Errorf("%s %s: ok %v rcode %d answers %v soa %v, want %+v", tc.name, dns.Type(tc.qtype), ok, a.Rcode, got, hasSOA, tc.want)
		}
		if hasSOA {
			if ttl := a.Ns[0].Header().Ttl; ttl != 60 && ttl != 10 {
				t.Errorf("%s: negative SOA TTL %d, want the MINIMUM", tc.name, ttl)
			}
		}
	}
	if a, _ := d.Lookup(dns.Question{Name: "myhost.", Qtype: dns.TypeA, Qclass: dns.ClassINET}); a.Answer[0].Header().Ttl != 42 {
		t.Errorf("hosts TTL %d, want 42", a.Answer[0].Header().Ttl)
	}
	if _, ok := d.Lookup(dns.Question{Name: "www.example.test.", Qtype: dns.TypeA, Qclass: dns.ClassCHAOS}); ok {
		t.Error("CHAOS class answered from IN data")
	}
	// The stored records are not changed by the spelling of a question.
	d.Lookup(dns.Question{Name: "WWW.EXAMPLE.TEST.", Qtype: dns.TypeA, Qclass: dns.ClassINET})
	if a, _ := d.Lookup(dns.Question{Name: "www.example.test.", Qtype: dns.TypeA, Qclass: dns.ClassINET}); a.Answer[0].Header().Name != "www.example.test." {
		t.Errorf("stored record renamed: %v", a.Answer[0])
	}
	if z := d.Zones(); len(z) != 2 || z[0] != "sub.example.test." {
		t.Errorf("Zones %v: want the longest first", z)
	}
	if n := d.HostNames(); n != 3 {
		t.Errorf("HostNames %d, want 3", n)
	}
	var empty Data
	if _, ok := empty.Lookup(dns.Question{Name: "www.example.test.", Qtype: dns.TypeA, Qclass: dns.ClassINET}); ok {
		t.Error("zero Data answered")
	}
}

func TestParseZoneMalformed(t *testing.T) {
	cases := []struct {
		name, text string
		err        error // nil: any error
	}{
		{"empty", "", ErrNoSOA},
		{"comment only", "; nothing\n", ErrNoSOA},
		{"no SOA first", "$ORIGIN a.test.\nwww 1 IN A 192.0.2.1\n", ErrNoSOA},
		{"second SOA", "a.test. 1 IN SOA ns.x. h.x. 1 1 1 1 1\na.test. 1 IN SOA ns.x. h.x. 2 1 1 1 1\n", nil},
		{"out of zone", "a.test. 1 IN SOA ns.x. h.x. 1 1 1 1 1\nb.test. 1 IN A 192.0.2.1\n", ErrOutOfZone},
		{"bad address", "a.test. 1 IN SOA ns.x. h.x. 1 1 1 1 1\nwww.a.test. 1 IN A 300.1.1.1\n", nil},
		{"bad type", "a.test. 1 IN SOA ns.x. h.x. 1 1 1 1 1\nwww.a.test. 1 IN BOGUS x\n", nil},
		{"relative without origin", "www 1 IN A 192.0.2.1\n", nil},
		{"unclosed paren", "a.test. 1 IN SOA ns.x. h.x. ( 1 1 1 1 1\n", nil},
		{"include", "a.test. 1 IN SOA ns.x. h.x. 1 1 1 1 1\n$INCLUDE /etc/passwd\n", nil},
		{"class CH", "a.test. 1 CH SOA ns.x. h.x. 1 1 1 1 1\n", nil},
		{"CNAME and data", "a.test. 1 IN SOA ns.x. h.x. 1 1 1 1 1\nx.a.test. 1 IN CNAME a.test.\nx.a.test. 1 IN A 192.0.2.1\n", nil},
	}
	for _, tc := range cases {
		_, err := parseZone(strings.NewReader(tc.text), "t.zone")
		if err == nil {
			t.Errorf("%s: no error", tc.name)
			continue
		}
		if tc.err != nil && !errors.Is(err, tc.err) {
			t.Errorf("%s: %v, want %v", tc.name, err, tc.err)
		}
		if !strings.Contains(err.Error(), "t.zone") {
			t.Errorf("%s: %q does not name the file", tc.name, err)
		}
	}
}

func TestParseHostsMalformed(t *testing.T) {
	for _, text := range []string{
		"192.0.2.1\n",
		"not-an-ip host\n",
		"fe80::1%eth0 host\n",
		"192.0.2.1 bad..name\n",
		"192.0.2.1 .\n",
		"192.0.2.1 " + strings.Repeat("a", 64) + "\n",
		"192.0.2.1 " + strings.Repeat("x", maxHostsLine) + "\n",
	} {
		if _, err := parseHosts(strings.NewReader(text), 1); !errors.Is(err, ErrHostsSyntax) {
			t.Errorf("%.40q: %v, want ErrHostsSyntax", text, err)
		}
	}
	h, err := parseHosts(strings.NewReader("# comment\n\n  \t\n::ffff:192.0.2.1 mapped # trailing\n192.0.2.1 mapped\n"), 1)
	if err != nil {
		t.Fatal(err)
	}
	if e := h.names["mapped."]; e == nil || len(e.a) != 1 || len(e.aaaa) != 0 {
		t.Errorf("v4-mapped address: %+v (want one A, duplicates merged)", e)
	}
}

func TestLoadErrors(t *testing.T) {
	dir := t.TempDir()
	z := filepath.Join(dir, "a.zone")
	os.WriteFile(z, []byte(subZone), 0o644)
	if _, err := Load([]string{z, z}, "", 1); !errors.Is(err, ErrDuplicateZone) {
		t.Errorf("same zone twice: %v", err)
	}
	if _, err := Load(nil, filepath.Join(dir, "missing"), 1); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("missing hosts: %v", err)
	}
	if _, err := Load([]string{filepath.Join(dir, "missing")}, "", 1); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("missing zone: %v", err)
	}
}
