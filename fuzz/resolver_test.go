package fuzz

import (
	"errors"
	"io"
	"syscall"
	"testing"
	"time"

	"github.com/goevent/goevent/core"
	"github.com/goevent/goevent/evdns"
	"github.com/goevent/goevent/internal/basetest"
	"github.com/miekg/dns"
)

// resolverErrors are the causes a query may fail with when its one
// nameserver answers: the package's sentinels for replies, and the system
// errors of a connection the server closes or resets. (ErrTimeout cannot
// happen: the harness fails a query still running before the timeout.)
var resolverErrors = []error{evdns.ErrNXDomain, evdns.ErrNoData, evdns.ErrServFail, evdns.ErrRefused,
	evdns.ErrNotImp, evdns.ErrFormErr, evdns.ErrRcode, evdns.ErrCNAMEChain,
	io.EOF, io.ErrUnexpectedEOF, syscall.ECONNRESET, syscall.ECONNREFUSED, syscall.EPIPE}

var resolverTypes = []uint16{dns.TypeA, dns.TypeAAAA, dns.TypeMX, dns.TypeTXT, dns.TypeSRV, dns.TypeCNAME}

// resolverName is the name FuzzResolverReply queries.
const resolverName = "www.example.test."

// FuzzResolverReply makes a query through an evdns Resolver whose one
// nameserver answers with a fuzzed reply (replyFor: the query's id and
// question, the fuzz's flags, counts and records) over UDP, over TCP after
// a truncated UDP reply, or over TCP only; a REFUSED reply follows the
// fuzzed one unless mode 2 has the server close the connection instead.
// The query must end exactly once, before the resolver's timeout, with a
// reply that has answers and the question's own spelling, or with a
// *evdns.Error wrapping one of resolverErrors (with the reply for NXDOMAIN
// and NODATA). Shutting the Resolver down must leave no event on the Base.
func FuzzResolverReply(f *testing.F) {
	seed := func(m *dns.Msg, qt, mode uint8) {
		m.Id = 0
		m.Question = []dns.Question{{Name: resolverName, Qtype: dns.TypeA, Qclass: dns.ClassINET}}
		b, err := m.Pack()
		if err != nil {
			f.Fatal(err)
		}
		// Drop the id, qdcount and question replyFor puts back.
		f.Add(append(append([]byte(nil), b[2:4]...), append(b[6:12], b[12+len(resolverName)+1+4:]...)...), qt, mode)
	}
	rr := func(s string) dns.RR {
		r, err := dns.NewRR(s)
		if err != nil {
			f.Fatal(err)
		}
		return r
	}
	a := new(dns.Msg)
	a.Response, a.RecursionAvailable = true, true
	a.Answer = []dns.RR{rr(resolverName + " 60 IN A 192.0.2.1"), rr(resolverName + " 60 IN A 192.0.2.2")}
	seed(a, 0, 0)
	cn := new(dns.Msg)
	cn.Response = true
	cn.Answer = []dns.RR{rr(resolverName + " 60 IN CNAME b.example.test."), rr("b.example.test. 60 IN A 192.0.2.3")}
	seed(cn, 0, 1)
	loop := new(dns.Msg)
	loop.Response = true
	loop.Answer = []dns.RR{rr(resolverName + " 60 IN CNAME b.example.test."), rr("b.example.test. 60 IN CNAME " + resolverName)}
	seed(loop, 0, 0)
	nx := new(dns.Msg)
	nx.Response, nx.Rcode = true, dns.RcodeNameError
	nx.Ns = []dns.RR{rr("example.test. 60 IN SOA ns.example.test. h.example.test. 1 1 1 1 30")}
	seed(nx, 1, 0)
	tc := new(dns.Msg)
	tc.Response, tc.Truncated = true, true
	tc.Answer = []dns.RR{rr(resolverName + " 60 IN MX 10 mx.example.test.")}
	seed(tc, 2, 0)
	edns := new(dns.Msg)
	edns.Response = true
	edns.Answer = []dns.RR{rr(resolverName + ` 60 IN TXT "a" "b"`)}
	edns.SetEdns0(1232, true)
	seed(edns, 3, 1)
	sf := new(dns.Msg)
	sf.Response, sf.Rcode = true, dns.RcodeServerFailure
	seed(sf, 4, 2)
	up := startDNSUpstream(f)
	base := basetest.New(f)
	f.Fuzz(func(t *testing.T, reply []byte, qt uint8, mode uint8) {
		// mode 0: UDP (TCP after TC), 1: TCP, 2: TCP with no REFUSED
		// after the reply. UDP always has it: without, a reply the
		// resolver ignores would cost its whole timeout.
		mode %= 3
		resolverExchange(t, base, up, reply, mode != 2, resolverTypes[int(qt)%len(resolverTypes)], mode != 0)
	})
}

// resolverOutcome is how one query through a Resolver ended.
type resolverOutcome struct {
	answers int // records in the reply's answer section; -1 without a reply
	err     error
}

// resolverExchange queries resolverName for qtype through a new Resolver
// on base whose nameserver is up, answering with reply (and a REFUSED
// reply after it if fallback), checks FuzzResolverReply's properties and
// returns the outcome.
func resolverExchange(t *testing.T, base *core.Base, up *dnsUpstream, reply []byte, fallback bool, qtype uint16, useTCP bool) resolverOutcome {
	t.Helper()
	up.serve(reply, fallback)
	before, _ := base.NumEvents()
	r, err := evdns.NewResolver(base, &evdns.Config{
		Nameservers: []string{up.addr()},
		Timeout:     5 * time.Second,
		Attempts:    1,
		UseTCP:      useTCP,
		NoCache:     true,
	})
	if err != nil {
		t.Fatal(err)
	}
	ends := 0
	out := resolverOutcome{answers: -1}
	r.Query(resolverName, qtype, func(m *dns.Msg, err error) {
		ends++
		out.err = err
		if m != nil {
			out.answers = len(m.Answer)
			if len(m.Question) != 1 || m.Question[0].Name != resolverName {
				t.Errorf("reply question %v, want %s as asked", m.Question, resolverName)
			}
		}
		base.LoopBreak()
	})
	// Under the resolver's timeout: the server's replies must end it.
	basetest.Run(t, base, 4*time.Second)
	if err := base.Loop(core.LoopNonblock); err != nil {
		t.Fatal(err)
	}
	if ends != 1 {
		t.Fatalf("query ended %d times", ends)
	}
	var e *evdns.Error
	switch {
	case out.err == nil && out.answers <= 0:
		t.Fatalf("success with %d answers", out.answers)
	case out.err != nil && !errors.As(out.err, &e):
		t.Fatalf("error %v is not an *evdns.Error", out.err)
	case out.err != nil && !isOneOf(out.err, resolverErrors):
		t.Fatalf("error %v wraps none of the resolver's causes", out.err)
	case (errors.Is(out.err, evdns.ErrNXDomain) || errors.Is(out.err, evdns.ErrNoData)) && out.answers < 0:
		t.Fatalf("%v without the reply", out.err)
	}
	r.Shutdown()
	if err := base.Loop(core.LoopNonblock); err != nil {
		t.Fatal(err)
	}
	if after, _ := base.NumEvents(); after != before {
		t.Fatalf("%d events on the Base before the query, %d after Shutdown", before, after)
	}
	return out
}

// TestResolverReplyOutcomes pins what FuzzResolverReply's harness sees for
// a few replies, so that a harness that never reaches the resolver's
// parsing fails.
func TestResolverReplyOutcomes(t *testing.T) {
	up := startDNSUpstream(t)
	base := basetest.New(t)
	aRecord := []byte{0xc0, 0x0c, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4, 192, 0, 2, 1}
	tests := []struct {
		name     string
		reply    []byte
		fallback bool
		qtype    uint16
		tcp      bool
		answers  int
		err      error
	}{
		{"answer by pointer", append([]byte{0x81, 0x80, 0, 1, 0, 0, 0, 0}, aRecord...), false, dns.TypeA, false, 1, nil},
		{"answer over TCP", append([]byte{0x81, 0x80, 0, 1, 0, 0, 0, 0}, aRecord...), true, dns.TypeA, true, 1, nil},
		{"truncated then TCP", append([]byte{0x83, 0x80, 0, 1, 0, 0, 0, 0}, aRecord...), true, dns.TypeA, false, 1, nil},
		{"nxdomain", []byte{0x81, 0x83, 0, 0, 0, 0, 0, 0}, true, dns.TypeA, false, 0, evdns.ErrNXDomain},
		{"nodata", []byte{0x81, 0x80, 0, 0, 0, 0, 0, 0}, true, dns.TypeAAAA, false, 0, evdns.ErrNoData},
		{"servfail", []byte{0x81, 0x82, 0, 0, 0, 0, 0, 0}, true, dns.TypeA, false, -1, evdns.ErrServFail},
		{"garbage ignored, then refused", []byte{0x81, 0x80, 0, 1}, true, dns.TypeA, false, -1, evdns.ErrRefused},
		{"garbage ignored over TCP, then refused", []byte{0x81, 0x80, 0, 1}, true, dns.TypeA, true, -1, evdns.ErrRefused},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := resolverExchange(t, base, up, tt.reply, tt.fallback, tt.qtype, tt.tcp)
			if got.answers != tt.answers || !errors.Is(got.err, tt.err) || (tt.err == nil) != (got.err == nil) {
				t.Fatalf("got %d answers, error %v; want %d, %v", got.answers, got.err, tt.answers, tt.err)
			}
		})
	}
}
