package evdns

import (
	"encoding/binary"
	"fmt"
	"io"
	"net"
	"net/netip"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/goevent/goevent/core"
	"github.com/miekg/dns"
)

// zone is the handler the server tests use: a few records from memory.
func zone(req *Request) {
	q := req.Question()
	name := strings.ToLower(q.Name)
	hdr := func(t uint16) dns.RR_Header {
		return dns.RR_Header{Name: q.Name, Rrtype: t, Class: dns.ClassINET, Ttl: 300}
	}
	req.Reply.Authoritative = true
	switch {
	case name == "www.zone.test." && q.Qtype == dns.TypeA:
		req.AddAnswer(&dns.A{Hdr: hdr(dns.TypeA), A: net.IPv4(192, 0, 2, 1)})
	case name == "www.zone.test." && q.Qtype == dns.TypeAAAA:
		req.AddAnswer(&dns.AAAA{Hdr: hdr(dns.TypeAAAA), AAAA: net.ParseIP("2001:db8::1")})
	case name == "big.zone.test." && q.Qtype == dns.TypeA:
		for i := range 100 {
			req.AddAnswer(&dns.A{Hdr: hdr(dns.TypeA), A: net.IPv4(10, 0, byte(i/256), byte(i))})
		}
	case name == "www.zone.test." || name == "big.zone.test.":
		req.AddAuthority(soa("zone.test.", 300, 60))
	default:
		req.SetRcode(dns.RcodeNameError)
		req.AddAuthority(soa("zone.test.", 300, 60))
	}
	_ = req.Respond()
}

// serverFixture is a ServerPort on loopback UDP and TCP, its loop
// running on its own goroutine until the test ends.
type serverFixture struct {
	base *core.Base
	port *ServerPort
	udp  string // address of the UDP socket
	tcp  string // address of the TCP listener
}

func startServer(t testing.TB, h Handler, setup func(p *ServerPort)) *serverFixture {
	t.Helper()
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer pc.Close() // the ServerPort has its own descriptor
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	base, err := core.NewBase()
	if err != nil {
		t.Fatal(err)
	}
	p, err := NewServerPort(base, pc, h)
	if err != nil {
		t.Fatal(err)
	}
	if setup != nil {
		setup(p)
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
		if added, _ := base.NumEvents(); added != 0 {
			t.Errorf("%d events left after Close", added)
		}
		base.Close()
	})
	return &serverFixture{base: base, port: p, udp: pc.LocalAddr().String(), tcp: ln.Addr().String()}
}

func exchange1(t testing.TB, network, addr string, m *dns.Msg) *dns.Msg {
	t.Helper()
	c := &dns.Client{Net: network, Timeout: 5 * time.Second, UDPSize: 65535}
	r, _, err := c.Exchange(m, addr)
	if err != nil {
		t.Fatalf("%s exchange: %v", network, err)
	}
	return r
}

func TestServerAnswers(t *testing.T) {
	s := startServer(t, HandlerFunc(zone), nil)
	for _, network := range []string{"udp", "tcp"} {
		addr := s.udp
		if network == "tcp" {
			addr = s.tcp
		}
		t.Run(network, func(t *testing.T) {
			m := new(dns.Msg)
			m.SetQuestion("WWW.zone.test.", dns.TypeA)
			r := exchange1(t, network, addr, m)
			if r.Id != m.Id || !r.Response || !r.Authoritative || !r.RecursionDesired || len(r.Answer) != 1 ||
				r.Question[0].Name != "WWW.zone.test." || r.IsEdns0() != nil {
				t.Fatalf("reply %v", r)
			}
			m.SetQuestion("nope.zone.test.", dns.TypeA)
			m.SetEdns0(4096, true)
			m.CheckingDisabled = true
			r = exchange1(t, network, addr, m)
			if r.Rcode != dns.RcodeNameError || len(r.Ns) != 1 || !r.CheckingDisabled {
				t.Fatalf("reply %v", r)
			}
			if opt := r.IsEdns0(); opt == nil || !opt.Do() || opt.UDPSize() != DefaultServerUDPSize {
				t.Fatalf("OPT not echoed: %v", r)
			}
		})
	}
}

func TestServerTruncation(t *testing.T) {
	s := startServer(t, HandlerFunc(zone), nil)
	tests := []struct {
		name    string
		network string
		edns    uint16
		tc      bool
		maxLen  int
	}{
		{"udp 512", "udp", 0, true, 512},
		{"udp edns 1000", "udp", 1000, true, 1000},
		{"udp edns 4096 capped", "udp", 4096, true, DefaultServerUDPSize},
		{"tcp", "tcp", 0, false, 65535},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := new(dns.Msg)
			m.SetQuestion("big.zone.test.", dns.TypeA)
			if tt.edns != 0 {
				m.SetEdns0(tt.edns, false)
			}
			packed := rawExchange(t, tt.network, s, m)
			r := new(dns.Msg)
			if err := r.Unpack(packed); err != nil {
				t.Fatal(err)
			}
			if r.Truncated != tt.tc || len(packed) > tt.maxLen {
				t.Fatalf("TC %v, %d bytes; want TC %v, at most %d", r.Truncated, len(packed), tt.tc, tt.maxLen)
			}
			if !tt.tc && len(r.Answer) != 100 {
				t.Fatalf("%d answers, want 100", len(r.Answer))
			}
			if tt.edns != 0 && r.IsEdns0() == nil {
				t.Fatal("OPT dropped by truncation")
			}
		})
	}
	// Compression: 100 answers for one name fit in far less than 100 names.
	m := new(dns.Msg)
	m.SetQuestion("big.zone.test.", dns.TypeA)
	if packed := rawExchange(t, "tcp", s, m); len(packed) > 100*(12+4)+64 {
		t.Fatalf("reply of %d bytes: names not compressed", len(packed))
	}
}

// rawExchange sends m over network and returns the reply's bytes as
// they came on the wire.
func rawExchange(t testing.TB, network string, s *serverFixture, m *dns.Msg) []byte {
	t.Helper()
	b, err := m.Pack()
	if err != nil {
		t.Fatal(err)
	}
	if network == "udp" {
		got := rawUDP(t, s.udp, b, 5*time.Second)
		if got == nil {
			t.Fatal("no reply")
		}
		return got
	}
	c, err := net.Dial("tcp", s.tcp)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(5 * time.Second))
	if _, err := c.Write(append(binary.BigEndian.AppendUint16(nil, uint16(len(b))), b...)); err != nil {
		t.Fatal(err)
	}
	var hdr [2]byte
	if _, err := io.ReadFull(c, hdr[:]); err != nil {
		t.Fatal(err)
	}
	got := make([]byte, binary.BigEndian.Uint16(hdr[:]))
	if _, err := io.ReadFull(c, got); err != nil {
		t.Fatal(err)
	}
	return got
}

// rawUDP sends b to addr and returns the reply, or nil after wait.
func rawUDP(t testing.TB, addr string, b []byte, wait time.Duration) []byte {
	t.Helper()
	c, err := net.Dial("udp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if _, err := c.Write(b); err != nil {
		t.Fatal(err)
	}
	_ = c.SetReadDeadline(time.Now().Add(wait))
	buf := make([]byte, 65536)
	n, err := c.Read(buf)
	if err != nil {
		return nil
	}
	return buf[:n]
}

func TestServerMalformed(t *testing.T) {
	s := startServer(t, HandlerFunc(zone), nil)
	good := new(dns.Msg)
	good.SetQuestion("www.zone.test.", dns.TypeA)
	good.Id = 0xbeef
	wire, _ := good.Pack()
	notify := good.Copy()
	notify.Opcode = dns.OpcodeNotify
	notifyWire, _ := notify.Pack()
	badVers := good.Copy()
	badVers.SetEdns0(1232, false)
	badVers.IsEdns0().SetVersion(1)
	badVersWire, _ := badVers.Pack()
	tests := []struct {
		name  string
		in    []byte
		rcode int // -1: no reply at all
	}{
		{"valid", wire, dns.RcodeSuccess},
		{"short", wire[:5], -1},
		{"response", func() []byte { b := clone(wire); b[2] |= 0x80; return b }(), -1},
		{"cut question", wire[:len(wire)-2], dns.RcodeFormatError},
		{"no question", func() []byte { b := clone(wire[:12]); b[5] = 0; return b }(), dns.RcodeFormatError},
		{"counts lie", func() []byte { b := clone(wire); b[7] = 3; return b }(), dns.RcodeFormatError},
		{"garbage after header", append(clone(wire[:12]), 0xff, 0xff, 0xff), dns.RcodeFormatError},
		{"notify", notifyWire, dns.RcodeNotImplemented},
		{"EDNS version 1", badVersWire, dns.RcodeBadVers},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			wait := 2 * time.Second
			if tt.rcode < 0 {
				wait = 200 * time.Millisecond
			}
			got := rawUDP(t, s.udp, tt.in, wait)
			if tt.rcode < 0 {
				if got != nil {
					t.Fatalf("answered %x, want silence", got)
				}
				return
			}
			r := new(dns.Msg)
			if err := r.Unpack(got); err != nil {
				t.Fatalf("reply %x: %v", got, err)
			}
			if r.Id != 0xbeef || !r.Response || r.Rcode != tt.rcode {
				t.Fatalf("reply id %x rcode %s, want %s", r.Id, dns.RcodeToString[r.Rcode], dns.RcodeToString[tt.rcode])
			}
		})
	}
}

// TestServerRespondLater: the handler answers from a timer, after
// ServeDNS returned, over UDP and over one TCP connection carrying
// several queries whose answers come back out of order.
func TestServerRespondLater(t *testing.T) {
	delays := map[string]time.Duration{"a.zone.test.": 60 * time.Millisecond, "b.zone.test.": 10 * time.Millisecond, "c.zone.test.": 30 * time.Millisecond}
	s := startServer(t, HandlerFunc(func(req *Request) {
		d := delays[req.Question().Name]
		var tm *core.Event
		tm = req.port.base.NewTimer(func(int, core.Flags) {
			tm.Free()
			req.AddAnswer(&dns.TXT{Hdr: dns.RR_Header{Name: req.Question().Name, Rrtype: dns.TypeTXT, Class: dns.ClassINET, Ttl: 1}, Txt: []string{req.Network}})
			if err := req.Respond(); err != nil {
				t.Errorf("Respond: %v", err)
			}
			if err := req.Respond(); err != ErrResponded {
				t.Errorf("second Respond: %v", err)
			}
		})
		_ = tm.AddTimeout(d)
	}), nil)
	m := new(dns.Msg)
	m.SetQuestion("a.zone.test.", dns.TypeTXT)
	if r := exchange1(t, "udp", s.udp, m); len(r.Answer) != 1 {
		t.Fatalf("udp: %v", r)
	}
	conn, err := net.Dial("tcp", s.tcp)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	var out []byte
	ids := map[uint16]string{}
	for i, name := range []string{"a.zone.test.", "b.zone.test.", "c.zone.test."} {
		q := new(dns.Msg)
		q.SetQuestion(name, dns.TypeTXT)
		q.Id = uint16(100 + i)
		ids[q.Id] = name
		b, _ := q.Pack()
		out = binary.BigEndian.AppendUint16(out, uint16(len(b)))
		out = append(out, b...)
	}
	if _, err := conn.Write(out); err != nil {
		t.Fatal(err)
	}
	_ = conn.SetReadDeadline(time.Now().Add(5 * time.Second))
	var order []string
	for range 3 {
		var hdr [2]byte
		if _, err := io.ReadFull(conn, hdr[:]); err != nil {
			t.Fatal(err)
		}
		b := make([]byte, binary.BigEndian.Uint16(hdr[:]))
		if _, err := io.ReadFull(conn, b); err != nil {
			t.Fatal(err)
		}
		r := new(dns.Msg)
		if err := r.Unpack(b); err != nil {
			t.Fatal(err)
		}
		if ids[r.Id] != r.Question[0].Name || r.Answer[0].(*dns.TXT).Txt[0] != "tcp" {
			t.Fatalf("reply %v", r)
		}
		order = append(order, r.Question[0].Name)
	}
	if strings.Join(order, " ") != "b.zone.test. c.zone.test. a.zone.test." {
		t.Fatalf("replies in order %v, want as answered", order)
	}
}

// TestServerTCPLimits: connections beyond the maximum are closed at once;
// an idle one is closed after the idle timeout.
func TestServerTCPLimits(t *testing.T) {
	s := startServer(t, HandlerFunc(zone), func(p *ServerPort) {
		p.SetMaxTCPClients(2)
		p.SetTCPIdleTimeout(200 * time.Millisecond)
	})
	query := func(c net.Conn) error {
		q := new(dns.Msg)
		q.SetQuestion("www.zone.test.", dns.TypeA)
		dc := &dns.Conn{Conn: c}
		if err := dc.WriteMsg(q); err != nil {
			return err
		}
		_ = c.SetReadDeadline(time.Now().Add(3 * time.Second))
		_, err := dc.ReadMsg()
		return err
	}
	var conns []net.Conn
	for range 2 {
		c, err := net.Dial("tcp", s.tcp)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		if err := query(c); err != nil {
			t.Fatalf("query within the limit: %v", err)
		}
		conns = append(conns, c)
	}
	extra, err := net.Dial("tcp", s.tcp)
	if err != nil {
		t.Fatal(err)
	}
	defer extra.Close()
	if err := query(extra); err == nil {
		t.Fatal("third connection served, want it closed")
	}
	// The first two go idle and are closed by the server.
	start := time.Now()
	_ = conns[0].SetReadDeadline(time.Now().Add(5 * time.Second))
	if _, err := conns[0].Read(make([]byte, 1)); err != io.EOF {
		t.Fatalf("idle connection: %v, want EOF", err)
	}
	if el := time.Since(start); el > 4*time.Second {
		t.Fatalf("closed after %v", el)
	}
}

// peerQuery runs dig or kdig against the server while its loop runs.
func peerQuery(t *testing.T, bin string, args ...string) string {
	t.Helper()
	out, err := exec.Command(bin, args...).CombinedOutput()
	if err != nil {
		t.Fatalf("%s %v: %v\n%s", bin, args, err, out)
	}
	return string(out)
}

func TestServerDigKdig(t *testing.T) {
	s := startServer(t, HandlerFunc(zone), nil)
	host, port, _ := net.SplitHostPort(s.udp)
	_, tcpPort, _ := net.SplitHostPort(s.tcp)
	for _, tool := range []string{"dig", "kdig"} {
		t.Run(tool, func(t *testing.T) {
			bin := requirePeer(t, tool)
			for _, tc := range []struct {
				name string
				args []string
				want []string
			}{
				{"udp A", []string{"-p", port, "@" + host, "www.zone.test", "A"}, []string{"192.0.2.1", "NOERROR"}},
				{"udp AAAA", []string{"-p", port, "@" + host, "www.zone.test", "AAAA"}, []string{"2001:db8::1"}},
				{"udp NXDOMAIN", []string{"-p", port, "@" + host, "nope.zone.test", "A"}, []string{"NXDOMAIN", "SOA"}},
				{"tcp A", []string{"+tcp", "-p", tcpPort, "@" + host, "www.zone.test", "A"}, []string{"192.0.2.1"}},
				{"tcp big", []string{"+tcp", "-p", tcpPort, "@" + host, "big.zone.test", "A"}, []string{"10.0.0.99"}},
				{"udp big truncated", []string{"+ignore", "+bufsize=1232", "-p", port, "@" + host, "big.zone.test", "A"}, []string{" tc", "10.0.0."}},
			} {
				out := peerQuery(t, bin, append([]string{"+time=5", "+retry=0"}, tc.args...)...)
				for _, w := range tc.want {
					if !strings.Contains(out, w) {
						t.Fatalf("%s: output lacks %q:\n%s", tc.name, w, out)
					}
				}
			}
		})
	}
}

func ExampleServerPort() {
	base, _ := core.NewBase()
	defer base.Close()
	pc, _ := net.ListenPacket("udp", "127.0.0.1:0")
	defer pc.Close()
	port, _ := NewServerPort(base, pc, HandlerFunc(func(req *Request) {
		q := req.Question()
		req.AddAnswer(&dns.A{Hdr: dns.RR_Header{Name: q.Name, Rrtype: dns.TypeA, Class: dns.ClassINET, Ttl: 60}, A: net.IPv4(192, 0, 2, 7)})
		_ = req.Respond()
	}))
	defer port.Close()

	r, _ := NewResolver(base, &Config{Nameservers: []string{pc.LocalAddr().String()}})
	r.ResolveIPv4("anything.example.", func(addrs []netip.Addr, ttl time.Duration, err error) {
		fmt.Println(addrs, ttl, err)
		r.Shutdown()
		base.LoopBreak()
	})
	_ = base.Loop(core.LoopNoExitOnEmpty)
	// Output: [192.0.2.7] 1m0s <nil>
}
