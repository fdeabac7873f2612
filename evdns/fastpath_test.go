package evdns

import (
	"bytes"
	"encoding/binary"
	"net"
	"reflect"
	"strings"
	"testing"

	"github.com/miekg/dns"
)

// packQuery packs a query for name and qtype with miekg/dns, with an OPT
// record when edns is set.
func packQuery(t testing.TB, name string, qtype uint16, edns bool) []byte {
	t.Helper()
	m := new(dns.Msg)
	m.SetQuestion(name, qtype)
	m.Id = 0x1234
	if edns {
		m.SetEdns0(1232, true)
	}
	b, err := m.Pack()
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestParseQueryFast(t *testing.T) {
	for _, tt := range []struct {
		name string
		b    []byte
	}{
		{"plain", packQuery(t, "www.Example.test.", dns.TypeA, false)},
		{"edns", packQuery(t, "h1.bench.test.", dns.TypeAAAA, true)},
		{"root", packQuery(t, ".", dns.TypeNS, false)},
		{"underscore", packQuery(t, "_dmarc.example.test.", dns.TypeTXT, true)},
	} {
		var fast, ref dns.Msg
		if !parseQueryFast(tt.b, &fast, new(dns.OPT)) {
			t.Errorf("%s: the fast path declined a common query", tt.name)
			continue
		}
		if err := ref.Unpack(tt.b); err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(&fast, &ref) {
			t.Errorf("%s: fast %+v\nmiekg %+v", tt.name, &fast, &ref)
		}
	}
}

// TestParseQueryFastDeclines: malformed input and shapes the fast path
// leaves to miekg/dns are declined, q untouched.
func TestParseQueryFastDeclines(t *testing.T) {
	good := packQuery(t, "a.test.", dns.TypeA, true)
	nameEnd := 12 + len("\x01a\x04test\x00")
	mod := func(f func(b []byte) []byte) []byte { return f(append([]byte(nil), good...)) }
	for _, tt := range []struct {
		name string
		b    []byte
	}{
		{"empty", nil},
		{"header only", good[:12]},
		{"response", mod(func(b []byte) []byte { b[2] |= 0x80; return b })},
		{"two questions", mod(func(b []byte) []byte { b[5] = 2; return b })},
		{"no question", mod(func(b []byte) []byte { b[5] = 0; return b })},
		{"an answer", mod(func(b []byte) []byte { b[7] = 1; return b })},
		{"an authority", mod(func(b []byte) []byte { b[9] = 1; return b })},
		{"two additional", mod(func(b []byte) []byte { b[11] = 2; return b })},
		{"cut in the name", good[:14]},
		{"cut in the type", good[:nameEnd+2]},
		{"cut in the OPT", good[:len(good)-1]},
		{"trailing byte", append(append([]byte(nil), good...), 0)},
		{"pointer in the name", mod(func(b []byte) []byte { b[12] = 0xc0; b[13] = 12; return b })},
		{"label of 64", mod(func(b []byte) []byte { b[12] = 64; return b })},
		{"escaped byte", mod(func(b []byte) []byte { b[13] = '.'; return b })},
		{"space in label", mod(func(b []byte) []byte { b[13] = ' '; return b })},
		{"type 0", mod(func(b []byte) []byte { b[nameEnd], b[nameEnd+1] = 0, 0; return b })},
		{"class 0", mod(func(b []byte) []byte { b[nameEnd+2], b[nameEnd+3] = 0, 0; return b })},
		{"OPT not root", mod(func(b []byte) []byte { b[nameEnd+4] = 1; return b })},
		{"not OPT", mod(func(b []byte) []byte { b[nameEnd+6] = 1; return b })},
		{"extended rcode", mod(func(b []byte) []byte { b[nameEnd+9] = 1; return b })},
		{"OPT with options", mod(func(b []byte) []byte {
			binary.BigEndian.PutUint16(b[len(b)-2:], 4)
			return append(b, 0, 10, 0, 0) // an empty COOKIE option
		})},
		{"name over 255", func() []byte {
			long := strings.Repeat(strings.Repeat("a", 63)+".", 4) // 256 octets on the wire
			b := make([]byte, 12, 300)
			b[5] = 1
			for _, l := range strings.Split(strings.TrimSuffix(long, "."), ".") {
				b = append(append(b, byte(len(l))), l...)
			}
			return append(b, 0, 0, 1, 0, 1)
		}()},
	} {
		q := dns.Msg{MsgHdr: dns.MsgHdr{Id: 7}}
		if parseQueryFast(tt.b, &q, new(dns.OPT)) {
			t.Errorf("%s: accepted", tt.name)
		}
		if q.Id != 7 || q.Question != nil {
			t.Errorf("%s: q changed on decline: %+v", tt.name, q)
		}
	}
}

// fastReply builds a reply to a query for name with answers.
func fastReply(name string, rrs ...dns.RR) *dns.Msg {
	m := new(dns.Msg)
	m.SetQuestion(name, dns.TypeA)
	m.Response, m.Authoritative, m.Id = true, true, 0xbeef
	m.Answer = rrs
	m.Compress = true
	return m
}

func rrHdr(name string, t uint16) dns.RR_Header {
	return dns.RR_Header{Name: name, Rrtype: t, Class: dns.ClassINET, Ttl: 300}
}

func TestPackReplyFast(t *testing.T) {
	withOPT := fastReply("h1.bench.test.", &dns.A{Hdr: rrHdr("h1.bench.test.", dns.TypeA), A: net.IPv4(198, 18, 0, 1)})
	withOPT.SetEdns0(1232, true)
	for _, tt := range []struct {
		name string
		m    *dns.Msg
	}{
		{"no answer", fastReply("x.test.")},
		{"A", fastReply("h1.bench.test.", &dns.A{Hdr: rrHdr("h1.bench.test.", dns.TypeA), A: net.ParseIP("198.18.0.1")})},
		{"A and OPT", withOPT},
		{"CNAME chain", fastReply("www.example.test.",
			&dns.CNAME{Hdr: rrHdr("www.example.test.", dns.TypeCNAME), Target: "web.example.test."},
			&dns.A{Hdr: rrHdr("web.example.test.", dns.TypeA), A: net.IPv4(192, 0, 2, 1)},
			&dns.AAAA{Hdr: rrHdr("web.example.test.", dns.TypeAAAA), AAAA: net.ParseIP("2001:db8::1")})},
		{"other case", fastReply("WWW.test.", &dns.A{Hdr: rrHdr("www.test.", dns.TypeA), A: net.IPv4(192, 0, 2, 1)})},
		{"NXDOMAIN", func() *dns.Msg { m := fastReply("no.test."); m.Rcode = dns.RcodeNameError; return m }()},
	} {
		ref, err := tt.m.Copy().Pack()
		if err != nil {
			t.Fatal(err)
		}
		fast, ok := packReplyFast(tt.m, nil, 65535)
		if !ok {
			t.Errorf("%s: the fast path declined", tt.name)
			continue
		}
		if !bytes.Equal(fast, ref) {
			t.Errorf("%s: bytes differ\nfast  %x\nmiekg %x", tt.name, fast, ref)
		}
	}
}

func TestPackReplyFastDeclines(t *testing.T) {
	a := func(name string) *dns.A { return &dns.A{Hdr: rrHdr(name, dns.TypeA), A: net.IPv4(192, 0, 2, 1)} }
	opt := func(o ...dns.EDNS0) *dns.OPT {
		return &dns.OPT{Hdr: dns.RR_Header{Name: ".", Rrtype: dns.TypeOPT, Class: 1232}, Option: o}
	}
	for _, tt := range []struct {
		name string
		m    *dns.Msg
		max  int
	}{
		{"no question", &dns.Msg{}, 512},
		{"two questions", func() *dns.Msg { m := fastReply("a.test."); m.Question = append(m.Question, m.Question[0]); return m }(), 512},
		{"authority", func() *dns.Msg { m := fastReply("a.test."); m.Ns = []dns.RR{a("a.test.")}; return m }(), 512},
		{"MX answer", fastReply("a.test.", &dns.MX{Hdr: rrHdr("a.test.", dns.TypeMX), Mx: "m.test."}), 512},
		{"A with AAAA type", fastReply("a.test.", &dns.A{Hdr: rrHdr("a.test.", dns.TypeAAAA), A: net.IPv4(1, 2, 3, 4)}), 512},
		{"A with an IPv6 address", fastReply("a.test.", &dns.A{Hdr: rrHdr("a.test.", dns.TypeA), A: net.ParseIP("2001:db8::1")}), 512},
		{"A without address", fastReply("a.test.", &dns.A{Hdr: rrHdr("a.test.", dns.TypeA)}), 512},
		{"AAAA of 4 bytes", fastReply("a.test.", &dns.AAAA{Hdr: rrHdr("a.test.", dns.TypeAAAA), AAAA: net.IP{1, 2, 3, 4}}), 512},
		{"nil A", fastReply("a.test.", (*dns.A)(nil)), 512},
		{"not qualified", fastReply("a.test.", a("a.test")), 512},
		{"escape", fastReply("a.test.", a(`a\.b.test.`)), 512},
		{"empty label", fastReply("a.test.", a("a..test.")), 512},
		{"label of 64", fastReply("a.test.", a(strings.Repeat("x", 64)+".test.")), 512},
		{"CNAME to a bad name", fastReply("a.test.", &dns.CNAME{Hdr: rrHdr("a.test.", dns.TypeCNAME), Target: "b"}), 512},
		{"extended rcode", func() *dns.Msg { m := fastReply("a.test."); m.Rcode = dns.RcodeBadVers; return m }(), 512},
		{"OPT with an option", func() *dns.Msg {
			m := fastReply("a.test.")
			m.Extra = []dns.RR{opt(&dns.EDNS0_COOKIE{Code: dns.EDNS0COOKIE, Cookie: "0102030405060708"})}
			return m
		}(), 512},
		{"additional A", func() *dns.Msg { m := fastReply("a.test."); m.Extra = []dns.RR{a("a.test.")}; return m }(), 512},
		{"too big", fastReply("a.test.", a("a.test."), a("a.test.")), 40},
	} {
		if b, ok := packReplyFast(tt.m, nil, tt.max); ok {
			t.Errorf("%s: packed %x", tt.name, b)
		}
	}
}

// FuzzFastQuery: whatever the fast query parser accepts, miekg/dns
// accepts too, as a well-formed query, with the same fields; and every
// query of the common shape miekg/dns packs, the fast path accepts.
func FuzzFastQuery(f *testing.F) {
	f.Add(packQuery(f, "h1.bench.test.", dns.TypeA, false), "h1.bench.test.", uint16(1), false)
	f.Add(packQuery(f, "a.test.", dns.TypeAAAA, true), "A-b_c.test.", uint16(28), true)
	f.Add([]byte("\x00\x01\x00\x00\x00\x01\x00\x00\x00\x00\x00\x00\x00\x00\x01\x00\x01"), ".", uint16(2), false)
	f.Fuzz(func(t *testing.T, b []byte, name string, qtype uint16, edns bool) {
		var fast, ref dns.Msg
		if parseQueryFast(b, &fast, new(dns.OPT)) {
			if err := ref.Unpack(b); err != nil {
				t.Fatalf("fast path accepted what miekg/dns rejects (%v): %x", err, b)
			}
			if !wellFormedQuery(b, &ref) {
				t.Fatalf("fast path accepted a query the server rejects: %x", b)
			}
			if !reflect.DeepEqual(&fast, &ref) {
				t.Fatalf("fields differ for %x\nfast  %+v\nmiekg %+v", b, &fast, &ref)
			}
		}
		// The other direction, for names made of the characters the
		// fast path takes.
		if qtype == 0 || strings.TrimLeft(name, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.") != "" {
			return
		}
		name = dns.Fqdn(name)
		if _, ok := dns.IsDomainName(name); !ok || strings.Contains(name, "..") || (name != "." && name[0] == '.') {
			return
		}
		m := new(dns.Msg)
		m.SetQuestion(name, qtype)
		if edns {
			m.SetEdns0(1232, false)
		}
		wire, err := m.Pack()
		if err != nil {
			return
		}
		if !parseQueryFast(wire, &fast, new(dns.OPT)) {
			t.Fatalf("fast path declined the common query %q: %x", name, wire)
		}
	})
}

// FuzzFastReply: for any message miekg/dns can read, the fast packer
// either declines or packs what miekg/dns packs: the same bytes, or at
// least a message miekg/dns reads back the same.
func FuzzFastReply(f *testing.F) {
	seed := func(m *dns.Msg) {
		b, err := m.Pack()
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	seed(fastReply("h1.bench.test.", &dns.A{Hdr: rrHdr("h1.bench.test.", dns.TypeA), A: net.IPv4(198, 18, 0, 1)}))
	seed(fastReply("www.example.test.",
		&dns.CNAME{Hdr: rrHdr("www.example.test.", dns.TypeCNAME), Target: "web.example.test."},
		&dns.A{Hdr: rrHdr("web.example.test.", dns.TypeA), A: net.IPv4(192, 0, 2, 1)},
		&dns.AAAA{Hdr: rrHdr("web.Example.test.", dns.TypeAAAA), AAAA: net.ParseIP("2001:db8::1")}))
	withOPT := fastReply("a.test.")
	withOPT.SetEdns0(4096, true)
	seed(withOPT)
	f.Fuzz(func(t *testing.T, b []byte) {
		m := new(dns.Msg)
		if err := m.Unpack(b); err != nil {
			return
		}
		fast, ok := packReplyFast(m, nil, 65535)
		if !ok {
			return
		}
		c := m.Copy()
		c.Compress = true
		ref, err := c.Pack()
		if err != nil {
			t.Fatalf("fast path packed what miekg/dns refuses (%v): %v", err, m)
		}
		if bytes.Equal(fast, ref) {
			return
		}
		var fm, rm dns.Msg
		if err := fm.Unpack(fast); err != nil {
			t.Fatalf("miekg/dns cannot read the fast path's %x: %v", fast, err)
		}
		if err := rm.Unpack(ref); err != nil {
			t.Fatal(err)
		}
		if fm.String() != rm.String() || fm.MsgHdr != rm.MsgHdr {
			t.Fatalf("messages differ\nfast  %v\nmiekg %v", &fm, &rm)
		}
	})
}
