package evdns

import (
	"net"
	"net/netip"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/miekg/dns"
)

// A scriptServer is a UDP nameserver written in the test: each query is
// handed to a script that plays the server byte by byte (right or wrong
// ids, questions, sources, garbage, late replies).
type scriptServer struct {
	pc      net.PacketConn
	addr    string
	queries atomic.Int32
	wg      sync.WaitGroup
}

// scriptFunc answers one query; pc is the server's socket, from the
// client's address.
type scriptFunc func(pc net.PacketConn, from net.Addr, q *dns.Msg)

func startScript(t testing.TB, script scriptFunc) *scriptServer {
	t.Helper()
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &scriptServer{pc: pc, addr: pc.LocalAddr().String()}
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		buf := make([]byte, 65536)
		for {
			n, from, err := pc.ReadFrom(buf)
			if err != nil {
				return
			}
			q := new(dns.Msg)
			if q.Unpack(buf[:n]) != nil {
				continue
			}
			s.queries.Add(1)
			script(pc, from, q)
		}
	}()
	t.Cleanup(func() {
		pc.Close()
		s.wg.Wait()
	})
	return s
}

// answerA returns the reply to q with one A record per address, TTL ttl.
func answerA(q *dns.Msg, ttl uint32, addrs ...string) *dns.Msg {
	m := new(dns.Msg)
	m.SetReply(q)
	for _, a := range addrs {
		m.Answer = append(m.Answer, &dns.A{
			Hdr: dns.RR_Header{Name: q.Question[0].Name, Rrtype: dns.TypeA, Class: dns.ClassINET, Ttl: ttl},
			A:   netip.MustParseAddr(a).AsSlice(),
		})
	}
	return m
}

func send(pc net.PacketConn, to net.Addr, m *dns.Msg) {
	b, err := m.Pack()
	if err != nil {
		panic(err) // test bug: the scripts build valid messages
	}
	_, _ = pc.WriteTo(b, to)
}
