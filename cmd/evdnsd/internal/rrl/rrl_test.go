package rrl

import (
	"net/netip"
	"testing"
	"time"
)

type fakeClock struct{ t time.Time }

func (c *fakeClock) now() time.Time { return c.t }

func TestNetwork(t *testing.T) {
	for _, tc := range []struct{ addr, want string }{
		{"192.0.2.77", "192.0.2.0/24"},
		{"::ffff:192.0.2.77", "192.0.2.0/24"},
		{"2001:db8:1:2ff:aa::1", "2001:db8:1:200::/56"},
	} {
		if got := Network(netip.MustParseAddr(tc.addr)); got.String() != tc.want {
			t.Errorf("Network(%s) = %s, want %s", tc.addr, got, tc.want)
		}
	}
}

func TestRateAndSlip(t *testing.T) {
	clk := &fakeClock{t: time.Unix(1000, 0)}
	l := New(Config{Rate: 3, Slip: 2, Now: clk.now})
	a := netip.MustParseAddr("192.0.2.1")
	neighbour := netip.MustParseAddr("192.0.2.200")
	other := netip.MustParseAddr("198.51.100.1")
	var got []Decision
	for range 3 {
		got = append(got, l.Check(a))
	}
	got = append(got, l.Check(neighbour), l.Check(a), l.Check(a), l.Check(a))
	want := []Decision{Allow, Allow, Allow, Drop, Truncate, Drop, Truncate}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("decisions %v, want %v", got, want)
		}
	}
	if d := l.Check(other); d != Allow {
		t.Errorf("another network: %v", d)
	}
	clk.t = clk.t.Add(time.Second / 2) // one and a half tokens back
	if d := l.Check(a); d != Allow {
		t.Errorf("after refill: %v", d)
	}
	if d := l.Check(a); d == Allow {
		t.Errorf("second after refill: %v", d)
	}
	clk.t = clk.t.Add(time.Hour) // refill caps at Rate
	for i := range 3 {
		if d := l.Check(a); d != Allow {
			t.Fatalf("burst %d after an hour: %v", i, d)
		}
	}
	if d := l.Check(a); d == Allow {
		t.Errorf("burst beyond Rate allowed")
	}
}

func TestSlipOneTruncatesAll(t *testing.T) {
	clk := &fakeClock{t: time.Unix(1000, 0)}
	l := New(Config{Rate: 1, Slip: 1, Now: clk.now})
	a := netip.MustParseAddr("2001:db8::1")
	if d := l.Check(a); d != Allow {
		t.Fatal(d)
	}
	for range 5 {
		if d := l.Check(a); d != Truncate {
			t.Fatalf("slip 1: %v", d)
		}
	}
}

func TestMaxClients(t *testing.T) {
	clk := &fakeClock{t: time.Unix(1000, 0)}
	l := New(Config{Rate: 5, MaxClients: 2, Now: clk.now})
	l.Check(netip.MustParseAddr("10.0.1.1"))
	l.Check(netip.MustParseAddr("10.0.2.1"))
	if d := l.Check(netip.MustParseAddr("10.0.3.1")); d == Allow {
		t.Errorf("untracked newcomer allowed while the table is full of active clients")
	}
	if n := l.Clients(); n != 2 {
		t.Errorf("Clients = %d, want 2", n)
	}
	clk.t = clk.t.Add(2 * time.Second)
	if d := l.Check(netip.MustParseAddr("10.0.3.1")); d != Allow {
		t.Errorf("newcomer after idle clients were pruned: %v", d)
	}
	if n := l.Clients(); n != 1 {
		t.Errorf("Clients after prune = %d, want 1", n)
	}
}

func TestDecisionString(t *testing.T) {
	if Allow.String() != "allow" || Truncate.String() != "truncate" || Drop.String() != "drop" || Decision(9).String() != "decision(?)" {
		t.Error("Decision.String")
	}
}
