package main

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/netip"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
)

func TestParseUpstream(t *testing.T) {
	for in, want := range map[string]string{
		"192.0.2.1":              "192.0.2.1:53",
		"192.0.2.1:5353":         "192.0.2.1:5353",
		"2001:db8::1":            "[2001:db8::1]:53",
		"[2001:db8::1]":          "[2001:db8::1]:53",
		"[2001:db8::1]:553":      "[2001:db8::1]:553",
		"[::ffff:192.0.2.1]:54":  "192.0.2.1:54",
		"localhost":              "localhost:53",
		"localhost:5353":         "localhost:5353",
		"ns1.example.net.":       "ns1.example.net:53",
		"NS-1.Example.NET:65535": "NS-1.Example.NET:65535",
		"_dns.example:53":        "_dns.example:53",
		"a1.0example":            "a1.0example:53",
	} {
		got, err := parseUpstream(in)
		if err != nil || got.String() != want {
			t.Errorf("parseUpstream(%q) = %v, %v; want %s", in, got, err, want)
		}
	}
	for _, in := range []string{
		"", ":53", "192.0.2.1:99999", "192.0.2.1:0", "192.0.2.1:", "fe80::1%eth0", "[fe80::1%eth0]:53",
		"localhost:0", "localhost:", "localhost:http", "localhost:-1", "host name", "host!.example",
		"-lead.example", "trail-.example", "a..b", ".", "..", "1.2.3", "10.0.0.256", "192.0.2.1:53:53",
		"[localhost]:53", strings.Repeat("a", 64) + ".example", strings.Repeat("a.", 127) + "example",
	} {
		if u, err := parseUpstream(in); err == nil {
			t.Errorf("parseUpstream(%q) = %v, accepted", in, u)
		} else if !errors.Is(err, errUpstreamSyntax) {
			t.Errorf("parseUpstream(%q): %v does not wrap errUpstreamSyntax", in, err)
		}
	}
}

// FuzzParseUpstream: any text parses without panicking, and what is
// accepted is either a valid address with a port or a valid host name,
// and reads back the same.
func FuzzParseUpstream(f *testing.F) {
	for _, s := range []string{"192.0.2.1", "[::1]:53", "localhost:5353", "a.b.", "1.2.3", "x:0"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		u, err := parseUpstream(s)
		if err != nil {
			return
		}
		if u.host == "" {
			if !u.addr.IsValid() || u.addr.Port() == 0 || u.addr.Addr().Zone() != "" || u.addr.Addr().Is4In6() {
				t.Fatalf("parseUpstream(%q): bad address %v", s, u.addr)
			}
		} else if !validHostName(u.host) || u.port == 0 {
			t.Fatalf("parseUpstream(%q): bad host %q port %d", s, u.host, u.port)
		}
		again, err := parseUpstream(u.String())
		if err != nil || again != u {
			t.Fatalf("parseUpstream(%q) = %v; reparsed %v, %v", s, u, again, err)
		}
	})
}

// TestResolveUpstreams resolves through the system's resolver, which finds
// localhost in /etc/hosts: each address of the name with the given port,
// literal addresses as they are, no duplicates.
func TestResolveUpstreams(t *testing.T) {
	want, err := net.DefaultResolver.LookupNetIP(context.Background(), "ip", "localhost")
	if err != nil || len(want) == 0 {
		t.Skipf("localhost does not resolve here: %v", err)
	}
	var ups []upstream
	for _, s := range []string{"192.0.2.1", "localhost:5353", "192.0.2.1:53", "localhost.:5353"} {
		u, err := parseUpstream(s)
		if err != nil {
			t.Fatal(err)
		}
		ups = append(ups, u)
	}
	got, err := lookupUpstreams(nil, ups)
	if err != nil {
		t.Fatal(err)
	}
	exp := []netip.AddrPort{netip.MustParseAddrPort("192.0.2.1:53")}
	for _, a := range want {
		ap := netip.AddrPortFrom(a.Unmap(), 5353)
		if !slices.Contains(exp, ap) {
			exp = append(exp, ap)
		}
	}
	if !slices.Equal(got, exp) {
		t.Errorf("lookupUpstreams = %v, want %v", got, exp)
	}
	if !slices.Contains(got, netip.MustParseAddrPort("127.0.0.1:5353")) {
		t.Errorf("lookupUpstreams = %v, lacks 127.0.0.1:5353", got)
	}
	if !hasHostNames(ups) || hasHostNames(ups[:1]) {
		t.Error("hasHostNames wrong")
	}
}

// TestResolveUpstreamsFails: a name without addresses, and a lookup that
// fails, are errors naming the -upstream.
func TestResolveUpstreamsFails(t *testing.T) {
	u, err := parseUpstream("ns.example:53")
	if err != nil {
		t.Fatal(err)
	}
	lookupErr := errors.New("lookup failed")
	for _, tc := range []struct {
		name   string
		lookup lookupFunc
		want   error
	}{
		{"empty", func(context.Context, string, string) ([]netip.Addr, error) { return nil, nil }, errNoAddresses},
		{"scoped only", func(context.Context, string, string) ([]netip.Addr, error) {
			return []netip.Addr{netip.MustParseAddr("fe80::1%eth0")}, nil
		}, errNoAddresses},
		{"error", func(context.Context, string, string) ([]netip.Addr, error) { return nil, lookupErr }, lookupErr},
	} {
		_, err := resolveUpstreams(context.Background(), tc.lookup, []upstream{u})
		if !errors.Is(err, tc.want) || !strings.Contains(err.Error(), `-upstream "ns.example:53"`) {
			t.Errorf("%s: %v", tc.name, err)
		}
	}
}

// TestUpstreamHostName: -upstream localhost:PORT forwards to the dnsmasq
// on 127.0.0.1:PORT, the log names the resolved address, and SIGHUP
// resolves it again and keeps forwarding.
func TestUpstreamHostName(t *testing.T) {
	up := startDnsmasq(t)
	_, port, err := net.SplitHostPort(up.addr)
	if err != nil {
		t.Fatal(err)
	}
	d := startDaemon(t, "-upstream", "localhost:"+port, "-cache-size", "0")
	if !strings.Contains(d.stderr.String(), "127.0.0.1:"+port) {
		t.Errorf("the log does not name 127.0.0.1:%s:\n%s", port, d.stderr.String())
	}
	if out := d.dig(t, "host.test", "A"); !strings.Contains(out, "192.0.2.1") {
		t.Fatalf("dig host.test via localhost:%s:\n%s", port, out)
	}
	d.signal(t, syscall.SIGHUP)
	d.waitLog(t, "msg=reloaded")
	if strings.Contains(d.stderr.String(), "resolving the upstreams failed") {
		t.Errorf("SIGHUP could not resolve localhost:\n%s", d.stderr.String())
	}
	if out := d.dig(t, "host.test", "A"); !strings.Contains(out, "192.0.2.1") {
		t.Fatalf("dig host.test after SIGHUP:\n%s", out)
	}
}

// TestReresolveUpstreams runs a daemon in the test process with a lookup
// standing in for /etc/hosts, and checks that re-resolving (what SIGHUP
// does) gives every loop's resolver the name's new addresses, and keeps
// the old ones when the name no longer resolves.
func TestReresolveUpstreams(t *testing.T) {
	var mu sync.Mutex
	hosts := map[string][]netip.Addr{"ns.example": {netip.MustParseAddr("192.0.2.1")}}
	lookup := func(_ context.Context, network, host string) ([]netip.Addr, error) {
		mu.Lock()
		defer mu.Unlock()
		if network != "ip" {
			return nil, errors.New("want network ip")
		}
		a, ok := hosts[host]
		if !ok {
			return nil, &net.DNSError{Err: "no such host", Name: host, IsNotFound: true}
		}
		return a, nil
	}
	setHosts := func(addrs ...string) {
		mu.Lock()
		defer mu.Unlock()
		hosts["ns.example"] = nil
		for _, a := range addrs {
			hosts["ns.example"] = append(hosts["ns.example"], netip.MustParseAddr(a))
		}
		if len(addrs) == 0 {
			delete(hosts, "ns.example")
		}
	}
	cfg, err := parseFlags([]string{"-upstream", "ns.example:5300", "-upstream", "192.0.2.9",
		"-listen", "127.0.0.1:0", "-loops", "2"}, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	var logs lockedBuffer
	d := &daemon{cfg: cfg, log: slog.New(slog.NewTextHandler(&logs, nil)), lookup: lookup}
	if err := d.start(); err != nil {
		d.close()
		t.Fatal(err)
	}
	defer d.close()
	loopUpstreams := func() [][]string {
		t.Helper()
		got := make([][]string, len(d.workers))
		if err := d.onEachLoop(func(w *worker) error {
			for _, ns := range w.upstreamStates() {
				got[w.index()] = append(got[w.index()], ns.Addr.String())
			}
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		return got
	}
	check := func(when string, want ...string) {
		t.Helper()
		if !slices.Equal(d.upstreams, want) {
			t.Errorf("%s: upstreams %v, want %v", when, d.upstreams, want)
		}
		for i, got := range loopUpstreams() {
			if !slices.Equal(got, want) {
				t.Errorf("%s: loop %d asks %v, want %v", when, i, got, want)
			}
		}
	}
	check("at start-up", "192.0.2.1:5300", "192.0.2.9:53")

	setHosts("192.0.2.2", "2001:db8::2", "::ffff:192.0.2.9")
	d.reresolveUpstreams()
	check("after a change", "192.0.2.2:5300", "[2001:db8::2]:5300", "192.0.2.9:5300", "192.0.2.9:53")
	if !strings.Contains(logs.String(), "upstreams changed") {
		t.Errorf("no log of the change:\n%s", logs.String())
	}

	setHosts()
	d.reresolveUpstreams()
	check("after a failed lookup", "192.0.2.2:5300", "[2001:db8::2]:5300", "192.0.2.9:5300", "192.0.2.9:53")
	if !strings.Contains(logs.String(), `resolving the upstreams failed, keeping the old ones`) {
		t.Errorf("no log of the failure:\n%s", logs.String())
	}
}
