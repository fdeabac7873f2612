package evdns

import (
	"errors"
	"net"
	"net/netip"
	"sync/atomic"
	"testing"
	"time"

	"github.com/goevent/goevent/core"
	"github.com/miekg/dns"
)

// deadAddr returns a loopback UDP address nobody listens on: queries to
// it draw an ICMP port unreachable.
func deadAddr(t testing.TB) string {
	t.Helper()
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := pc.LocalAddr().String()
	pc.Close()
	return addr
}

// TestFailover: with a dead nameserver first and a live one second,
// lookups succeed, whether the dead one refuses (ICMP) or stays silent.
func TestFailover(t *testing.T) {
	live := startScript(t, func(pc net.PacketConn, from net.Addr, q *dns.Msg) {
		send(pc, from, answerA(q, 60, "192.0.2.10"))
	})
	silent := startScript(t, func(net.PacketConn, net.Addr, *dns.Msg) {})
	for _, dead := range []struct{ name, addr string }{
		{"refusing", deadAddr(t)},
		{"silent", silent.addr},
	} {
		t.Run(dead.name, func(t *testing.T) {
			base := newBase(t)
			r := newResolver(t, base, &Config{Nameservers: []string{dead.addr, live.addr}, Timeout: 300 * time.Millisecond, NoCache: true})
			var got []netip.Addr
			var gotErr error
			r.ResolveIPv4("fail.test.", func(a []netip.Addr, _ time.Duration, err error) {
				got, gotErr = a, err
				base.LoopBreak()
			})
			run(t, base)
			if gotErr != nil || len(got) != 1 || got[0] != netip.MustParseAddr("192.0.2.10") {
				t.Fatalf("got %v, %v", got, gotErr)
			}
		})
	}
}

// TestServerMarkedDownAndProbed: a server that times out MaxTimeouts
// times is marked down, skipped, probed with ProbeName, and restored once
// it answers.
func TestServerMarkedDownAndProbed(t *testing.T) {
	var flakyUp atomic.Bool
	var probes, lookups atomic.Int32
	flaky := startScript(t, func(pc net.PacketConn, from net.Addr, q *dns.Msg) {
		if equalFoldName(q.Question[0].Name, "probe.test.") {
			probes.Add(1)
		} else {
			lookups.Add(1)
		}
		if flakyUp.Load() {
			send(pc, from, answerA(q, 60, "192.0.2.20"))
		}
	})
	live := startScript(t, func(pc net.PacketConn, from net.Addr, q *dns.Msg) {
		send(pc, from, answerA(q, 60, "192.0.2.21"))
	})
	base := newBase(t)
	r := newResolver(t, base, &Config{
		Nameservers:         []string{flaky.addr, live.addr},
		Timeout:             300 * time.Millisecond,
		MaxTimeouts:         2,
		InitialProbeTimeout: 100 * time.Millisecond,
		ProbeBackoff:        1,
		ProbeName:           "probe.test",
		ProbeType:           dns.TypeA,
		NoCache:             true,
	})
	lookup := func() netip.Addr {
		t.Helper()
		var got []netip.Addr
		var gotErr error
		r.ResolveIPv4("x.test.", func(a []netip.Addr, _ time.Duration, err error) {
			got, gotErr = a, err
			base.LoopBreak()
		})
		run(t, base)
		if gotErr != nil || len(got) != 1 {
			t.Fatalf("lookup: %v, %v", got, gotErr)
		}
		return got[0]
	}
	// Two lookups time out on flaky first, then succeed on live.
	lookup()
	lookup()
	st := r.Nameservers()
	if st[0].Up || !st[1].Up {
		t.Fatalf("after %d timeouts: %+v, want flaky down", st[0].Timeouts, st)
	}
	// While down, flaky is skipped: answers come from live at once.
	before := lookups.Load()
	if a := lookup(); a != netip.MustParseAddr("192.0.2.21") {
		t.Fatalf("answer from %v", a)
	}
	if lookups.Load() != before {
		t.Fatalf("down server was sent a lookup")
	}
	// Flaky comes back; the probe notices and restores it.
	flakyUp.Store(true)
	deadline := base.NewTimer(nil)
	defer deadline.Free()
	poll := base.NewTimer(nil)
	defer poll.Free()
	var check func()
	check = func() {
		if r.Nameservers()[0].Up {
			base.LoopBreak()
			return
		}
		_ = poll.AddTimeout(20 * time.Millisecond)
	}
	poll.Assign(base, -1, 0, func(int, core.Flags) { check() })
	check()
	run(t, base)
	if !r.Nameservers()[0].Up {
		t.Fatal("flaky not restored")
	}
	if probes.Load() == 0 {
		t.Fatal("no probe for probe.test seen")
	}
	if a := lookup(); a != netip.MustParseAddr("192.0.2.20") {
		t.Fatalf("after restore the answer came from %v, want flaky first", a)
	}
}

func equalFoldName(a, b string) bool {
	x, _ := canonicalName(a)
	y, _ := canonicalName(b)
	return x == y
}

// TestMaxInflightQueue: with MaxInflight 2, ten lookups all finish, and
// the server never sees more than two outstanding at once.
func TestMaxInflightQueue(t *testing.T) {
	var outstanding, peak atomic.Int32
	hold := make(chan func(), 16)
	srv := startScript(t, func(pc net.PacketConn, from net.Addr, q *dns.Msg) {
		n := outstanding.Add(1)
		for {
			p := peak.Load()
			if n <= p || peak.CompareAndSwap(p, n) {
				break
			}
		}
		m := answerA(q, 60, "192.0.2.30")
		hold <- func() { outstanding.Add(-1); send(pc, from, m) }
	})
	// Replies go out one by one from a goroutine, so queries pile up.
	stop := make(chan struct{})
	released := make(chan struct{})
	go func() {
		defer close(released)
		for {
			select {
			case f := <-hold:
				time.Sleep(5 * time.Millisecond) // pacing replies, not a race fix
				f()
			case <-stop:
				return
			}
		}
	}()
	defer func() { close(stop); <-released }()
	base := newBase(t)
	r := newResolver(t, base, &Config{Nameservers: []string{srv.addr}, MaxInflight: 2, NoCache: true})
	left := 10
	for i := range 10 {
		r.ResolveIPv4(string(rune('a'+i))+".test.", func(a []netip.Addr, _ time.Duration, err error) {
			if err != nil {
				t.Errorf("lookup: %v", err)
			}
			if left--; left == 0 {
				base.LoopBreak()
			}
		})
	}
	run(t, base)
	if p := peak.Load(); p > 2 {
		t.Fatalf("peak outstanding %d, want <= 2", p)
	}
}

// TestCancelAndShutdown: a cancelled lookup never calls back; Shutdown
// fails the pending ones with ErrShutdown and releases every event.
func TestCancelAndShutdown(t *testing.T) {
	silent := startScript(t, func(net.PacketConn, net.Addr, *dns.Msg) {})
	base := newBase(t)
	r := newResolver(t, base, &Config{Nameservers: []string{silent.addr}, Timeout: time.Minute, NoCache: true})
	cancelledCalls := 0
	cancel := r.ResolveIPv4("a.test.", func([]netip.Addr, time.Duration, error) { cancelledCalls++ })
	cancel2 := r.LookupHost(base, "b.test", 0, func([]netip.Addr, error) { cancelledCalls++ })
	var errs []error
	r.Query("c.test.", dns.TypeMX, func(_ *dns.Msg, err error) { errs = append(errs, err) })
	r.LookupHost(base, "d.test", 0, func(_ []netip.Addr, err error) { errs = append(errs, err) })
	r.ResolveReverse(netip.MustParseAddr("192.0.2.1"), func(_ []string, _ time.Duration, err error) { errs = append(errs, err) })
	cancel()
	cancel2()
	timer := base.NewTimer(func(int, core.Flags) {
		r.Shutdown()
		base.LoopBreak()
	})
	defer timer.Free()
	_ = timer.AddTimeout(50 * time.Millisecond)
	run(t, base)
	if cancelledCalls != 0 {
		t.Fatalf("cancelled lookups called back %d times", cancelledCalls)
	}
	if len(errs) != 3 {
		t.Fatalf("got %d callbacks, want 3", len(errs))
	}
	for _, err := range errs {
		if !errors.Is(err, ErrShutdown) {
			t.Errorf("got %v, want ErrShutdown", err)
		}
	}
	if added, active := base.NumEvents(); added != 0 || active != 0 {
		t.Fatalf("events left after Shutdown: %d added, %d active", added, active)
	}
	// After Shutdown, requests fail with ErrShutdown, later.
	var after error
	r.ResolveIPv4("e.test.", func(_ []netip.Addr, _ time.Duration, err error) { after = err; base.LoopBreak() })
	if after != nil {
		t.Fatal("callback ran inside the call")
	}
	run(t, base)
	if !errors.Is(after, ErrShutdown) {
		t.Fatalf("after Shutdown: %v", after)
	}
}

// TestRcodeFailover: SERVFAIL and REFUSED move the query to the next
// server; when every server fails that way, the error says which.
func TestRcodeFailover(t *testing.T) {
	rcodeServer := func(rcode int) *scriptServer {
		return startScript(t, func(pc net.PacketConn, from net.Addr, q *dns.Msg) {
			m := new(dns.Msg)
			m.SetRcode(q, rcode)
			send(pc, from, m)
		})
	}
	servfail, refused := rcodeServer(dns.RcodeServerFailure), rcodeServer(dns.RcodeRefused)
	live := startScript(t, func(pc net.PacketConn, from net.Addr, q *dns.Msg) {
		send(pc, from, answerA(q, 60, "192.0.2.11"))
	})
	tests := []struct {
		name    string
		servers []string
		want    error
	}{
		{"servfail then live", []string{servfail.addr, live.addr}, nil},
		{"refused then live", []string{refused.addr, live.addr}, nil},
		{"all servfail", []string{servfail.addr}, ErrServFail},
		{"all refused", []string{refused.addr}, ErrRefused},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			base := newBase(t)
			r := newResolver(t, base, &Config{Nameservers: tt.servers, Timeout: 2 * time.Second, NoCache: true})
			var gotErr error
			r.ResolveIPv4("rc.test.", func(_ []netip.Addr, _ time.Duration, err error) {
				gotErr = err
				base.LoopBreak()
			})
			run(t, base)
			if (tt.want == nil) != (gotErr == nil) || (tt.want != nil && !errors.Is(gotErr, tt.want)) {
				t.Fatalf("got %v, want %v", gotErr, tt.want)
			}
		})
	}
}

// TestLookupHostSkew: when AAAA never answers, LookupHost returns the A
// result LookupSkew after it arrived, not after the query timeout.
func TestLookupHostSkew(t *testing.T) {
	srv := startScript(t, func(pc net.PacketConn, from net.Addr, q *dns.Msg) {
		if q.Question[0].Qtype == dns.TypeA {
			send(pc, from, answerA(q, 60, "192.0.2.12"))
		}
	})
	base := newBase(t)
	r := newResolver(t, base, &Config{Nameservers: []string{srv.addr}, Timeout: time.Minute, LookupSkew: 50 * time.Millisecond})
	var got []netip.Addr
	var gotErr error
	start := time.Now()
	r.LookupHost(base, "skew.test.", 0, func(a []netip.Addr, err error) {
		got, gotErr = a, err
		base.LoopBreak()
	})
	run(t, base)
	if gotErr != nil || len(got) != 1 || got[0] != netip.MustParseAddr("192.0.2.12") {
		t.Fatalf("got %v, %v", got, gotErr)
	}
	if el := time.Since(start); el > 10*time.Second {
		t.Fatalf("took %v: the AAAA query was waited for", el)
	}
	if added, _ := base.NumEvents(); added != 0 {
		t.Fatalf("%d events left: the dropped AAAA query was not released", added)
	}
}

// TestRotateAndEDNS: with Rotate, consecutive queries start at
// different servers; every query carries an OPT record of EDNSSize.
func TestRotateAndEDNS(t *testing.T) {
	var sizes [2]atomic.Int32
	var counts [2]atomic.Int32
	var srvs [2]*scriptServer
	for i := range srvs {
		srvs[i] = startScript(t, func(pc net.PacketConn, from net.Addr, q *dns.Msg) {
			counts[i].Add(1)
			if opt := q.IsEdns0(); opt != nil {
				sizes[i].Store(int32(opt.UDPSize()))
			}
			send(pc, from, answerA(q, 60, "192.0.2.13"))
		})
	}
	base := newBase(t)
	r := newResolver(t, base, &Config{Nameservers: []string{srvs[0].addr, srvs[1].addr}, Rotate: true, EDNSSize: 3000, NoCache: true})
	left := 6
	for i := range 6 {
		r.Query(string(rune('a'+i))+".rot.test.", dns.TypeA, func(_ *dns.Msg, err error) {
			if err != nil {
				t.Error(err)
			}
			if left--; left == 0 {
				base.LoopBreak()
			}
		})
	}
	run(t, base)
	for i := range srvs {
		if c := counts[i].Load(); c != 3 {
			t.Errorf("server %d got %d queries, want 3", i, c)
		}
		if s := sizes[i].Load(); s != 3000 {
			t.Errorf("server %d saw EDNS size %d, want 3000", i, s)
		}
	}
}
