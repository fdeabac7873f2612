package evdns

import (
	"errors"
	"fmt"
	"net"
	"net/netip"
	"testing"
	"time"

	"github.com/goevent/goevent/core"
	"github.com/miekg/dns"
	"golang.org/x/sys/unix"
)

// burst sends n queries for name from one socket at once, then reads
// every reply, and returns them by id.
func burst(t *testing.T, addr string, n int, name string) map[uint16]*dns.Msg {
	t.Helper()
	c, err := net.Dial("udp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if uc, ok := c.(*net.UDPConn); ok {
		_ = uc.SetReadBuffer(1 << 20)
	}
	for i := range n {
		q := new(dns.Msg)
		q.SetQuestion(name, dns.TypeA)
		q.Id = uint16(i + 1)
		if i%2 == 1 {
			q.SetEdns0(1232, false)
		}
		b, _ := q.Pack()
		if _, err := c.Write(b); err != nil {
			t.Fatal(err)
		}
	}
	got := map[uint16]*dns.Msg{}
	buf := make([]byte, 65536)
	_ = c.SetReadDeadline(time.Now().Add(10 * time.Second))
	for len(got) < n {
		k, err := c.Read(buf)
		if err != nil {
			t.Fatalf("after %d of %d replies: %v", len(got), n, err)
		}
		m := new(dns.Msg)
		if err := m.Unpack(buf[:k]); err != nil {
			t.Fatal(err)
		}
		if got[m.Id] != nil {
			t.Fatalf("reply %d twice", m.Id)
		}
		got[m.Id] = m
	}
	return got
}

// TestServerUDPBatch: a burst of queries, more than one receive batch,
// is answered in full, each reply matching its query, whether the Handler
// answers at once (the replies leave together) or later (each alone).
func TestServerUDPBatch(t *testing.T) {
	for _, mode := range []string{"sync", "async"} {
		t.Run(mode, func(t *testing.T) {
			h := HandlerFunc(zone)
			if mode == "async" {
				h = func(req *Request) { _ = req.port.base.Post(func() { zone(req) }) }
			}
			s := startServer(t, h, nil)
			const n = 3*udpBatch + 5
			got := burst(t, s.udp, n, "www.zone.test.")
			for id, m := range got {
				if id < 1 || id > n || m.Rcode != dns.RcodeSuccess || len(m.Answer) != 1 {
					t.Fatalf("reply %d: %v", id, m)
				}
				if a, ok := m.Answer[0].(*dns.A); !ok || !a.A.Equal(net.IPv4(192, 0, 2, 1)) {
					t.Fatalf("reply %d: answer %v", id, m.Answer[0])
				}
				if (id%2 == 0) != (m.IsEdns0() != nil) {
					t.Fatalf("reply %d: OPT %v", id, m.IsEdns0())
				}
			}
		})
	}
}

// TestServerUDPPauseResume: while replies wait for writability the port
// stops reading; once the write event has drained the queue it reads
// again, so a query sent meanwhile is answered.
func TestServerUDPPauseResume(t *testing.T) {
	s := startServer(t, HandlerFunc(zone), nil)
	paused := make(chan bool)
	_ = s.base.Post(func() {
		s.port.pauseUDP()
		paused <- s.port.udp.blocked && s.port.udpEv.Pending(core.Read) == 0
	})
	if !<-paused {
		t.Fatal("pauseUDP left reading on")
	}
	m := new(dns.Msg)
	m.SetQuestion("www.zone.test.", dns.TypeA)
	r := exchange1(t, "udp", s.udp, m)
	if r.Rcode != dns.RcodeSuccess || len(r.Answer) != 1 {
		t.Fatalf("reply after resume: %v", r)
	}
	state := make(chan bool)
	_ = s.base.Post(func() { state <- s.port.udp.blocked })
	if <-state {
		t.Fatal("still paused after the queue drained")
	}
}

// TestServerUDPQueueFull: with every send slot taken, a reply is dropped
// with EAGAIN rather than queued without bound.
func TestServerUDPQueueFull(t *testing.T) {
	errc := make(chan error, 1)
	s := startServer(t, HandlerFunc(func(req *Request) {
		q := &req.port.udp
		q.tail, q.blocked = len(q.out.Msgs), true // as if the socket had been full for a while
		err := req.Respond()
		q.tail, q.blocked = 0, false
		errc <- err
	}), nil)
	c, err := net.Dial("udp", s.udp)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	q := new(dns.Msg)
	q.SetQuestion("a.test.", dns.TypeA)
	b, _ := q.Pack()
	if _, err := c.Write(b); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-errc:
		if !errors.Is(err, unix.EAGAIN) {
			t.Fatalf("Respond with the queue full: %v, want EAGAIN", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the query never reached the Handler")
	}
}

// TestServerUDPPartialSend: a reply the kernel refuses in the middle of a
// batch is dropped, its error reported, and the replies after it still
// leave.
func TestServerUDPPartialSend(t *testing.T) {
	s := startServer(t, HandlerFunc(zone), nil)
	c, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	to := netip.MustParseAddrPort(c.LocalAddr().String())
	errc := make(chan error, 1)
	_ = s.base.Post(func() {
		q := &s.port.udp
		for i, port := range []uint16{to.Port(), 0, to.Port()} {
			d := &q.out.Msgs[i]
			d.N = copy(d.Buf, fmt.Sprintf("reply %d", i))
			d.Addr = netip.AddrPortFrom(to.Addr(), port)
		}
		q.tail = 3
		errc <- s.port.flushUDP()
	})
	if err := <-errc; err == nil {
		t.Fatal("flushUDP reported no error for a refused reply")
	}
	_ = c.SetReadDeadline(time.Now().Add(10 * time.Second))
	buf := make([]byte, 64)
	for _, want := range []string{"reply 0", "reply 2"} {
		n, _, err := c.ReadFrom(buf)
		if err != nil || string(buf[:n]) != want {
			t.Fatalf("read %q, %v; want %q", buf[:n], err, want)
		}
	}
	state := make(chan [2]int)
	_ = s.base.Post(func() { state <- [2]int{s.port.udp.head, s.port.udp.tail} })
	if st := <-state; st != [2]int{0, 0} {
		t.Fatalf("queue head, tail = %v after the flush, want empty", st)
	}
}
