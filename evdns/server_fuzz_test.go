package evdns

import (
	"net/netip"
	"testing"

	"github.com/miekg/dns"
)

// FuzzServerQuery feeds arbitrary messages to the server's query path:
// parsing, the port's own FORMERR/NOTIMP/BADVERS answers, a handler that
// answers from memory, and the reply's packing. Nothing may panic; every
// reply must be a response with the query's id that fits the client's
// size and parses back.
func FuzzServerQuery(f *testing.F) {
	seed := func(m *dns.Msg) {
		if b, err := m.Pack(); err == nil {
			f.Add(b, false)
			f.Add(b, true)
		}
	}
	q := new(dns.Msg)
	q.SetQuestion("www.zone.test.", dns.TypeA)
	seed(q)
	big := new(dns.Msg)
	big.SetQuestion("big.zone.test.", dns.TypeA)
	big.SetEdns0(600, true)
	seed(big)
	nx := new(dns.Msg)
	nx.SetQuestion("nope.zone.test.", dns.TypeAAAA)
	nx.Opcode = dns.OpcodeNotify
	seed(nx)
	f.Add([]byte{0xbe, 0xef, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0, 0xc0, 0x0c}, false)
	from := netip.MustParseAddrPort("127.0.0.1:5353")
	f.Fuzz(func(t *testing.T, b []byte, overTCP bool) {
		p := &ServerPort{udpFD: -1}
		var conn *serverConn
		if overTCP {
			conn = &serverConn{port: p}
		}
		req, answered := p.parse(b, from, conn)
		if req == nil {
			if len(b) >= 12 && b[2]&0x80 == 0 {
				t.Fatal("a query got no Request")
			}
			return
		}
		if !answered {
			if len(req.Query.Question) == 0 {
				t.Fatal("handler given a query without a question")
			}
			zoneNoRespond(req)
		}
		out, err := req.pack(nil)
		if err != nil {
			// Only a handler's records can fail to pack, and the zone's
			// cannot; the port's own answers never may.
			t.Fatalf("pack: %v", err)
		}
		if len(out) > req.MaxSize() {
			t.Fatalf("reply of %d bytes over the client's %d", len(out), req.MaxSize())
		}
		r := new(dns.Msg)
		if err := r.Unpack(out); err != nil {
			t.Fatalf("reply does not parse: %v", err)
		}
		if !r.Response || r.Id != uint16(b[0])<<8|uint16(b[1]) {
			t.Fatalf("reply header %v", r.MsgHdr)
		}
	})
}

// zoneNoRespond is zone without the Respond.
func zoneNoRespond(req *Request) {
	req.done = true // zone's Respond then returns ErrResponded and sends nothing
	zone(req)
}
