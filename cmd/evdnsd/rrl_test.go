package main

import (
	"net"
	"net/netip"
	"testing"
	"time"

	"github.com/miekg/dns"
)

// TestRRL: a burst from one client gets -rrl full answers, then every
// second response truncated and the rest dropped; TCP is not limited.
func TestRRL(t *testing.T) {
	zone := writeFile(t, "example.zone", exampleZone)
	up := startCountingUpstream(t, func(_, _ *dns.Msg) {})
	const rate, burst = 5, 40
	d := startDaemon(t, "-upstream", up.addr, "-zone", zone, "-rrl", "5")
	conn, err := net.Dial("udp", d.addr())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	start := time.Now()
	for i := range burst {
		m := new(dns.Msg)
		m.SetQuestion("www.example.test.", dns.TypeA)
		m.Id = uint16(i + 1)
		b, _ := m.Pack()
		if _, err := conn.Write(b); err != nil {
			t.Fatal(err)
		}
	}
	full, truncated := 0, 0
	var last time.Time
	buf := make([]byte, 4096)
	for {
		conn.SetReadDeadline(time.Now().Add(time.Second))
		n, err := conn.Read(buf)
		if err != nil {
			break
		}
		last = time.Now()
		r := new(dns.Msg)
		if err := r.Unpack(buf[:n]); err != nil {
			t.Fatal(err)
		}
		if r.Truncated && len(r.Answer) == 0 {
			truncated++
		} else if len(r.Answer) == 1 {
			full++
		} else {
			t.Errorf("unexpected reply %v", r)
		}
	}
	// Tokens refill at rate per second while the burst is answered.
	took := last.Sub(start)
	maxFull := rate + int(took.Seconds()*rate) + 1
	if full < rate || full > maxFull {
		t.Errorf("%d full answers, want %d..%d (burst answered in %v)", full, rate, maxFull, took)
	}
	// Every second limited response is truncated; a refill in between
	// restarts the count.
	limited, slack := burst-full, full-rate+1
	if truncated < limited/2-slack || truncated > limited/2+slack {
		t.Errorf("%d truncated of %d limited, want about half", truncated, limited)
	}
	// Another /24 has its own budget.
	other, err := net.DialUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 1, 1)}, net.UDPAddrFromAddrPort(netip.MustParseAddrPort(d.addr())))
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	m := new(dns.Msg)
	m.SetQuestion("www.example.test.", dns.TypeA)
	r, _, err := (&dns.Client{Timeout: 5 * time.Second}).ExchangeWithConn(m, &dns.Conn{Conn: other})
	if err != nil || len(r.Answer) != 1 || r.Truncated {
		t.Errorf("client in another /24: %v %v", r, err)
	}
	// TCP is not limited: its client address is proven by the handshake.
	for range 10 {
		m := new(dns.Msg)
		m.SetQuestion("www.example.test.", dns.TypeA)
		if r := d.exchange(t, "tcp", m); len(r.Answer) != 1 || r.Truncated {
			t.Fatalf("TCP answer under RRL: %v", r)
		}
	}
	d.signal(t, 10) // SIGUSR1
	d.waitLog(t, "rrl_dropped=")
}
