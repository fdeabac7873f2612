package evdns

import (
	"strings"
	"testing"

	"github.com/miekg/dns"
)

// fuzzExchange returns an exchange whose current query is for
// "WwW.ExAmPle.test." type A with id 0x1234, as sendUDP would have sent.
func fuzzExchange() *exchange {
	ex := &exchange{name: "www.example.test.", qtype: dns.TypeA, udpFD: -1}
	ex.wireName = "WwW.ExAmPle.test."
	ex.sent = new(dns.Msg)
	ex.sent.Id = 0x1234
	ex.sent.RecursionDesired = true
	ex.sent.Question = []dns.Question{{Name: ex.wireName, Qtype: dns.TypeA, Qclass: dns.ClassINET}}
	return ex
}

func TestParseReplyMalformed(t *testing.T) {
	ex := fuzzExchange()
	good := answerA(ex.sent, 60, "192.0.2.1")
	goodWire, _ := good.Pack()
	tests := []struct {
		name string
		in   []byte
		ok   bool
	}{
		{"valid", goodWire, true},
		{"empty", nil, false},
		{"header only", goodWire[:12], false},
		{"cut in question", goodWire[:20], false},
		{"cut in answer", goodWire[:len(goodWire)-2], false},
		{"qdcount 0", func() []byte { b := clone(goodWire); b[4], b[5] = 0, 0; return b }(), false},
		{"QR clear", func() []byte { b := clone(goodWire); b[2] &^= 0x80; return b }(), false},
		{"opcode STATUS", func() []byte { b := clone(goodWire); b[2] |= 2 << 3; return b }(), false},
		{"compression loop", append(clone(goodWire[:12]), 0xc0, 12, 0, 1, 0, 1), false},
		{"ancount too big", func() []byte { b := clone(goodWire); b[7] = 9; return b }(), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := ex.parseReply(tt.in) != nil; got != tt.ok {
				t.Fatalf("accepted %v, want %v", got, tt.ok)
			}
		})
	}
}

func clone(b []byte) []byte { return append([]byte(nil), b...) }

// FuzzReply feeds arbitrary datagrams to the reply path: matching, the
// 0x20 restore, CNAME chasing and the cache. Nothing may panic, and an
// accepted reply must carry the query's id and exact question.
func FuzzReply(f *testing.F) {
	ex := fuzzExchange()
	seed := func(m *dns.Msg) {
		b, err := m.Pack()
		if err == nil {
			f.Add(b)
		}
	}
	seed(answerA(ex.sent, 60, "192.0.2.1"))
	cn := answerA(ex.sent, 60)
	cn.Answer = []dns.RR{
		&dns.CNAME{Hdr: dns.RR_Header{Name: ex.wireName, Rrtype: dns.TypeCNAME, Class: dns.ClassINET, Ttl: 30}, Target: "b.test."},
		&dns.CNAME{Hdr: dns.RR_Header{Name: "b.test.", Rrtype: dns.TypeCNAME, Class: dns.ClassINET, Ttl: 30}, Target: ex.wireName},
	}
	seed(cn)
	nx := new(dns.Msg)
	nx.SetRcode(ex.sent, dns.RcodeNameError)
	nx.Ns = []dns.RR{soa("test.", 60, 30)}
	seed(nx)
	f.Add([]byte{0x12, 0x34, 0x81, 0x80, 0, 1, 0, 1, 0, 0, 0, 0})
	f.Fuzz(func(t *testing.T, b []byte) {
		ex := fuzzExchange()
		m := ex.parseReply(b)
		if m == nil {
			return
		}
		if m.Id != 0x1234 || m.Question[0].Name != ex.wireName || m.Question[0].Qtype != dns.TypeA {
			t.Fatalf("accepted a reply to another query: %v", m.Question)
		}
		ex.restoreCase(m)
		if m.Question[0].Name != ex.name {
			t.Fatalf("question name %q not restored", m.Question[0].Name)
		}
		rrs, _, end, hops, _ := chase(m, ex.name, dns.TypeA, 8)
		if hops > 8 {
			t.Fatalf("chase went %d links past its bound", hops)
		}
		for _, rr := range rrs {
			if rr.Header().Rrtype != dns.TypeA || !strings.EqualFold(rr.Header().Name, end) {
				t.Fatalf("chase returned %v for %s", rr, end)
			}
		}
		c := NewCache(&CacheConfig{Clock: newFakeClock()})
		c.Put(ex.name, dns.TypeA, m)
		if got := c.Get(ex.name, dns.TypeA); got != nil && got.Rcode != m.Rcode {
			t.Fatalf("cache changed the rcode")
		}
		_ = replyError(m)
	})
}

// FuzzResolvConf: the resolv.conf parser takes any input without
// panicking, and every nameserver it returns is a valid address.
func FuzzResolvConf(f *testing.F) {
	f.Add("nameserver 127.0.0.1\nsearch a b\noptions ndots:2 rotate\n")
	f.Add("nameserver [::1]:53\ndomain x\n# c\n")
	f.Fuzz(func(t *testing.T, s string) {
		rc, err := parseResolvConf(strings.NewReader(s))
		if err != nil {
			return
		}
		for _, ns := range rc.nameservers {
			if !ns.IsValid() || ns.Port() == 0 {
				t.Fatalf("invalid nameserver %v", ns)
			}
		}
		var c Config
		for _, o := range rc.options {
			_ = c.applyOption(o[0], o[1])
		}
		c.normalize()
		if c.Timeout <= 0 || c.Attempts < 1 || c.Ndots < 0 {
			t.Fatalf("normalized config out of range: %+v", c)
		}
	})
}

// FuzzHosts: the hosts parser takes any input without panicking, and
// stores only valid names and zone-free, unmapped addresses.
func FuzzHosts(f *testing.F) {
	f.Add("127.0.0.1 localhost\n::1 localhost ip6-localhost # c\n")
	f.Add("::ffff:1.2.3.4 x\nfe80::1%eth0 y\n")
	f.Fuzz(func(t *testing.T, s string) {
		h := newHostsTable()
		if h.parse(strings.NewReader(s)) != nil {
			return
		}
		for name, addrs := range h.byName {
			if _, ok := dns.IsDomainName(name); !ok || !strings.HasSuffix(name, ".") {
				t.Fatalf("stored name %q", name)
			}
			for _, a := range addrs {
				if a.Zone() != "" || a.Is4In6() {
					t.Fatalf("stored address %v", a)
				}
			}
		}
	})
}
