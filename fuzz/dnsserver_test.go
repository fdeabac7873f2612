package fuzz

import (
	"encoding/binary"
	"maps"
	"net"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/goevent/goevent/core"
	"github.com/goevent/goevent/evdns"
	"github.com/goevent/goevent/internal/basetest"
	"github.com/miekg/dns"
)

// zoneHandler answers from a small in-memory zone.test: www (A, AAAA),
// big (100 A records), slow (A, answered on the next loop pass, so that
// answers leave in another order than the queries came), drop (never
// answered: Drop), and NXDOMAIN for the rest.
type zoneHandler struct{ base *core.Base }

func (h zoneHandler) ServeDNS(req *evdns.Request) {
	q := req.Question()
	name := strings.ToLower(q.Name)
	hdr := func(t uint16) dns.RR_Header {
		return dns.RR_Header{Name: q.Name, Rrtype: t, Class: dns.ClassINET, Ttl: 300}
	}
	req.Reply.Authoritative = true
	switch {
	case name == "drop.zone.test.":
		req.Drop()
		return
	case name == "slow.zone.test.":
		req.AddAnswer(&dns.A{Hdr: hdr(dns.TypeA), A: net.IPv4(192, 0, 2, 9)})
		_ = h.base.Post(func() { _ = req.Respond() })
		return
	case name == "www.zone.test." && q.Qtype == dns.TypeA:
		req.AddAnswer(&dns.A{Hdr: hdr(dns.TypeA), A: net.IPv4(192, 0, 2, 1)})
	case name == "www.zone.test." && q.Qtype == dns.TypeAAAA:
		req.AddAnswer(&dns.AAAA{Hdr: hdr(dns.TypeAAAA), AAAA: net.ParseIP("2001:db8::1")})
	case name == "big.zone.test." && q.Qtype == dns.TypeA:
		for i := range 100 {
			req.AddAnswer(&dns.A{Hdr: hdr(dns.TypeA), A: net.IPv4(10, 0, byte(i/256), byte(i))})
		}
	case name == "www.zone.test." || name == "big.zone.test." || name == "slow.zone.test.":
		req.AddAuthority(zoneSOA())
	default:
		req.SetRcode(dns.RcodeNameError)
		req.AddAuthority(zoneSOA())
	}
	_ = req.Respond()
}

func zoneSOA() dns.RR {
	return &dns.SOA{Hdr: dns.RR_Header{Name: "zone.test.", Rrtype: dns.TypeSOA, Class: dns.ClassINET, Ttl: 300},
		Ns: "ns.zone.test.", Mbox: "host.zone.test.", Serial: 1, Refresh: 1, Retry: 1, Expire: 1, Minttl: 60}
}

// startZoneServer serves zoneHandler over TCP on loopback, its loop on its
// own goroutine until the test ends, and returns the listener's address.
func startZoneServer(t testing.TB) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close() // the ServerPort has its own descriptor
	base := basetest.New(t)
	p, err := evdns.NewServerPort(base, nil, zoneHandler{base})
	if err != nil {
		t.Fatal(err)
	}
	if err := p.ServeTCP(ln); err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = base.Loop(core.LoopNoExitOnEmpty)
	}()
	t.Cleanup(func() {
		_ = base.Post(func() { p.Close(); base.LoopBreak() })
		<-done
	})
	return ln.Addr().String()
}

// tcpMessages splits a DNS-over-TCP stream into its length-prefixed
// messages and returns them and the bytes of an incomplete last one.
func tcpMessages(b []byte) (msgs [][]byte, rest []byte) {
	for len(b) >= 2 {
		n := int(binary.BigEndian.Uint16(b))
		if len(b) < 2+n {
			break
		}
		msgs = append(msgs, b[2:2+n])
		b = b[2+n:]
	}
	return msgs, b
}

// mustAnswer reports whether the server must answer msg: a query (QR
// clear, opcode QUERY) that parses with one question, not for the name
// zoneHandler drops.
func mustAnswer(msg []byte) bool {
	m := new(dns.Msg)
	if m.Unpack(msg) != nil || m.Response || m.Opcode != dns.OpcodeQuery || len(m.Question) != 1 {
		return false
	}
	return !strings.EqualFold(m.Question[0].Name, "drop.zone.test.")
}

// FuzzServerPortTCP writes an arbitrary byte stream to an evdns ServerPort
// over TCP, as a client pipelining length-prefixed messages, then
// half-closes. The server must close the connection once it has answered,
// and what it wrote must be whole length-prefixed DNS responses, each to a
// distinct message of the stream (by id), answering at least every
// well-formed query the zone handler answers.
func FuzzServerPortTCP(f *testing.F) {
	for _, s := range [][]byte{
		tcpStream(f, query(0x0101, "www.zone.test.", dns.TypeA, 0)),
		tcpStream(f, query(0x0102, "slow.zone.test.", dns.TypeA, 0), query(0x0103, "www.zone.test.", dns.TypeAAAA, 0),
			query(0x0104, "big.zone.test.", dns.TypeA, 1232), query(0x0105, "drop.zone.test.", dns.TypeA, 0)),
		tcpStream(f, query(0x0106, "nope.zone.test.", dns.TypeMX, 512)),
		append(tcpStream(f, query(0x0107, "www.zone.test.", dns.TypeA, 0)), 0x00, 0x20, 0x01),
		{0x00, 0x0e, 0xbe, 0xef, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0, 0xc0, 0x0c},
		{0x00, 0x00, 0x00, 0x02, 0x12, 0x34},
	} {
		f.Add(s)
	}
	addr := startZoneServer(f)
	f.Fuzz(func(t *testing.T, in []byte) {
		out := streamExchange(t, addr, in, 5*time.Second)
		sent, _ := tcpMessages(in)
		replies, rest := tcpMessages(out)
		if len(rest) != 0 {
			t.Fatalf("server wrote %d bytes of an incomplete message", len(rest))
		}
		ids := make(map[uint16]int) // messages sent, by id, not yet answered
		must := make(map[uint16]int)
		for _, m := range sent {
			if len(m) >= 2 {
				ids[binary.BigEndian.Uint16(m)]++
				if mustAnswer(m) {
					must[binary.BigEndian.Uint16(m)]++
				}
			}
		}
		for _, b := range replies {
			r := new(dns.Msg)
			if err := r.Unpack(b); err != nil {
				t.Fatalf("reply does not parse: %v (% x)", err, b)
			}
			if !r.Response {
				t.Fatalf("reply without QR: %v", r.MsgHdr)
			}
			if ids[r.Id] == 0 {
				t.Fatalf("reply with id %#04x to no query left unanswered", r.Id)
			}
			ids[r.Id]--
			if must[r.Id] > 0 {
				must[r.Id]--
			}
		}
		for id, n := range must {
			if n > 0 {
				t.Fatalf("%d well-formed queries with id %#04x unanswered", n, id)
			}
		}
	})
}

// query returns a query message for name and qtype, with EDNS0 of the
// given UDP size unless it is 0.
func query(id uint16, name string, qtype uint16, edns uint16) *dns.Msg {
	m := new(dns.Msg)
	m.SetQuestion(name, qtype)
	m.Id = id
	if edns != 0 {
		m.SetEdns0(edns, false)
	}
	return m
}

// tcpStream packs msgs, each with its two-byte length.
func tcpStream(t testing.TB, msgs ...*dns.Msg) []byte {
	var b []byte
	for _, m := range msgs {
		w, err := m.Pack()
		if err != nil {
			t.Fatal(err)
		}
		b = binary.BigEndian.AppendUint16(b, uint16(len(w)))
		b = append(b, w...)
	}
	return b
}

// TestServerPortTCPAnswers pins what FuzzServerPortTCP's harness sees for
// a pipelined stream, so that a harness that never reaches the handler
// fails.
func TestServerPortTCPAnswers(t *testing.T) {
	addr := startZoneServer(t)
	in := tcpStream(t, query(0x0102, "slow.zone.test.", dns.TypeA, 0), query(0x0103, "www.zone.test.", dns.TypeAAAA, 0),
		query(0x0104, "big.zone.test.", dns.TypeA, 1232), query(0x0105, "drop.zone.test.", dns.TypeA, 0))
	in = append(in, 0x00, 0x0e, 0xbe, 0xef, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0, 0xc0, 0x0c) // a pointer loop
	in = append(in, 0x00, 0x40, 0x01)                                                       // cut short
	replies, rest := tcpMessages(streamExchange(t, addr, in, 5*time.Second))
	if len(rest) != 0 {
		t.Fatalf("%d stray bytes", len(rest))
	}
	want := map[uint16]string{0x0102: "NOERROR/1", 0x0103: "NOERROR/1", 0x0104: "NOERROR/100", 0xbeef: "FORMERR/0"}
	got := make(map[uint16]string)
	for _, b := range replies {
		r := new(dns.Msg)
		if err := r.Unpack(b); err != nil {
			t.Fatal(err)
		}
		got[r.Id] = dns.RcodeToString[r.Rcode] + "/" + strconv.Itoa(len(r.Answer))
	}
	if !maps.Equal(got, want) {
		t.Fatalf("replies %v, want %v", got, want)
	}
}
