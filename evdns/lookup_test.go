package evdns

import (
	"errors"
	"net"
	"net/netip"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/goevent/goevent/bufferevent"
	"github.com/goevent/goevent/core"
	"github.com/miekg/dns"
	"golang.org/x/sys/unix"
)

// TestLookupHostWithoutQuery: numeric hosts and hosts-file names are
// answered without any query, and never inside the call.
func TestLookupHostWithoutQuery(t *testing.T) {
	srv := startScript(t, func(pc net.PacketConn, from net.Addr, q *dns.Msg) {
		send(pc, from, answerA(q, 60, "192.0.2.99"))
	})
	hosts := filepath.Join(t.TempDir(), "hosts")
	if err := os.WriteFile(hosts, []byte("192.0.2.80 web.test\n2001:db8::80 web.test\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		host   string
		family int
		want   []string
		err    error
	}{
		{"192.0.2.1", unix.AF_UNSPEC, []string{"192.0.2.1"}, nil},
		{"[2001:db8::2]", unix.AF_UNSPEC, []string{"2001:db8::2"}, nil},
		{"2001:db8::2", unix.AF_INET, nil, ErrNoData},
		{"WEB.test", unix.AF_UNSPEC, []string{"192.0.2.80", "2001:db8::80"}, nil},
		{"web.test.", unix.AF_INET6, []string{"2001:db8::80"}, nil},
		{"a..b", unix.AF_INET, nil, ErrInvalidName},
	}
	base := newBase(t)
	r := newResolver(t, base, &Config{Nameservers: []string{srv.addr}})
	if err := r.ParseHosts(hosts); err != nil {
		t.Fatal(err)
	}
	for _, tt := range tests {
		var got []string
		var gotErr error
		called := false
		r.LookupHost(base, tt.host, tt.family, func(a []netip.Addr, err error) {
			called = true
			for _, x := range a {
				got = append(got, x.String())
			}
			gotErr = err
			base.LoopBreak()
		})
		if called {
			t.Fatalf("%s: callback ran inside LookupHost", tt.host)
		}
		run(t, base)
		if !slices.Equal(got, tt.want) || !errors.Is(gotErr, tt.err) {
			t.Errorf("%s: got %v, %v; want %v, %v", tt.host, got, gotErr, tt.want, tt.err)
		}
	}
	if n := srv.queries.Load(); n != 0 {
		t.Fatalf("%d queries sent, want none", n)
	}
	// The hosts table answers reverse lookups too.
	var names []string
	r.ResolveReverse(netip.MustParseAddr("192.0.2.80"), func(n []string, _ time.Duration, err error) { names = n; base.LoopBreak() })
	run(t, base)
	if !slices.Equal(names, []string{"web.test."}) {
		t.Fatalf("reverse from hosts: %v", names)
	}
}

// TestLookupHostOtherBase: a lookup asked from another loop runs on the
// Resolver's loop and calls back on the asker's.
func TestLookupHostOtherBase(t *testing.T) {
	srv := startScript(t, func(pc net.PacketConn, from net.Addr, q *dns.Msg) {
		if q.Question[0].Qtype == dns.TypeA {
			send(pc, from, answerA(q, 60, "192.0.2.90"))
			return
		}
		m := new(dns.Msg)
		m.SetReply(q)
		send(pc, from, m)
	})
	rbase, err := core.NewBase()
	if err != nil {
		t.Fatal(err)
	}
	r, err := NewResolver(rbase, &Config{Nameservers: []string{srv.addr}})
	if err != nil {
		t.Fatal(err)
	}
	loopDone := make(chan struct{})
	go func() {
		defer close(loopDone)
		_ = rbase.Loop(core.LoopNoExitOnEmpty)
	}()
	defer func() {
		_ = rbase.Post(func() { r.Shutdown(); rbase.LoopBreak() })
		<-loopDone
		rbase.Close()
	}()
	base := newBase(t)
	var got []netip.Addr
	var gotErr error
	var cancelled bool
	base.Post(func() {
		// One lookup cancelled at once, one carried through.
		cancel := r.LookupHost(base, "cancelled.test.", unix.AF_INET, func([]netip.Addr, error) { cancelled = true })
		cancel()
		r.LookupHost(base, "other.test.", unix.AF_UNSPEC, func(a []netip.Addr, err error) {
			got, gotErr = a, err
			base.LoopBreak()
		})
	})
	run(t, base)
	if gotErr != nil || !slices.Equal(got, []netip.Addr{netip.MustParseAddr("192.0.2.90")}) {
		t.Fatalf("got %v, %v", got, gotErr)
	}
	if cancelled {
		t.Fatal("cancelled lookup called back")
	}
}

// TestConnectHostname: the Resolver drives bufferevent's ConnectHostname.
func TestConnectHostname(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	accepted := make(chan struct{})
	go func() {
		defer close(accepted)
		if c, err := ln.Accept(); err == nil {
			c.Close()
		}
	}()
	srv := startScript(t, func(pc net.PacketConn, from net.Addr, q *dns.Msg) {
		send(pc, from, answerA(q, 60, "127.0.0.1"))
	})
	base := newBase(t)
	r := newResolver(t, base, &Config{Nameservers: []string{srv.addr}})
	bev, err := bufferevent.NewSocket(base, -1, bufferevent.CloseOnFree)
	if err != nil {
		t.Fatal(err)
	}
	defer bev.Free()
	var what bufferevent.What
	bev.SetCallbacks(nil, nil, func(_ *bufferevent.BufferEvent, w bufferevent.What, err error) {
		what = w
		base.LoopBreak()
	})
	port := ln.Addr().(*net.TCPAddr).Port
	if err := bev.ConnectHostname(r, unix.AF_INET, "svc.test", port); err != nil {
		t.Fatal(err)
	}
	run(t, base)
	if what&bufferevent.Connected == 0 {
		t.Fatalf("event %v, want Connected", what)
	}
	<-accepted
}
