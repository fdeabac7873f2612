package evdns

import (
	"errors"
	"fmt"
	"net"
	"net/netip"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/miekg/dns"
	"golang.org/x/sys/unix"
)

func TestParseServiceLine(t *testing.T) {
	tests := []struct {
		line    string
		ok      bool
		name    string
		port    uint16
		proto   string
		aliases []string
	}{
		{"http\t80/tcp\twww # WorldWideWeb HTTP", true, "http", 80, "tcp", []string{"www"}},
		{"domain 53/udp", true, "domain", 53, "udp", []string{}},
		{"  kerberos 88/tcp kerberos5 krb5 kerberos-sec", true, "kerberos", 88, "tcp", []string{"kerberos5", "krb5", "kerberos-sec"}},
		{"zero 0/tcp", true, "zero", 0, "tcp", []string{}},
		{"max 65535/udp", true, "max", 65535, "udp", []string{}},
		{"padded 00080/tcp", true, "padded", 80, "tcp", []string{}},
		{"sctp-svc 9/sctp", true, "sctp-svc", 9, "sctp", []string{}},
		{"http 80/tcp#comment", true, "http", 80, "tcp", []string{}},
		// Malformed: skipped.
		{"", false, "", 0, "", nil},
		{"# http 80/tcp", false, "", 0, "", nil},
		{"http", false, "", 0, "", nil},
		{"http 80", false, "", 0, "", nil},
		{"http 80/", false, "", 0, "", nil},
		{"http /tcp", false, "", 0, "", nil},
		{"http tcp/80", false, "", 0, "", nil},
		{"http 65536/tcp", false, "", 0, "", nil},
		{"http 100000/tcp", false, "", 0, "", nil},
		{"http -1/tcp", false, "", 0, "", nil},
		{"http +80/tcp", false, "", 0, "", nil},
		{"http 0x50/tcp", false, "", 0, "", nil},
		{"http 8 0/tcp", false, "", 0, "", nil},
		{"http 80/tcp/udp", false, "", 0, "", nil},
		{"http 99999999999999999999/tcp", false, "", 0, "", nil},
		{"http #80/tcp", false, "", 0, "", nil},
	}
	for _, tt := range tests {
		name, port, proto, aliases, ok := parseServiceLine(tt.line)
		if ok != tt.ok || name != tt.name || port != tt.port || proto != tt.proto || !slices.Equal(aliases, tt.aliases) {
			t.Errorf("parseServiceLine(%q) = %q, %d, %q, %q, %v; want %q, %d, %q, %q, %v",
				tt.line, name, port, proto, aliases, ok, tt.name, tt.port, tt.proto, tt.aliases, tt.ok)
		}
	}
}

func TestServicesTable(t *testing.T) {
	s := newServicesTable()
	in := strings.Join([]string{
		"# a services file",
		"http 8080/tcp www",
		"http 8081/tcp", // a later line for the same name and protocol loses
		"bogus 70000/tcp",
		"dns-alt 5353/udp mdns",
		"gopher 70/tcp",
	}, "\n")
	if err := s.parse(strings.NewReader(in)); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, proto string
		port        uint16
		ok          bool
	}{
		{"http", "tcp", 8080, true},  // the file overrides the built-in table
		{"www", "tcp", 8080, true},   // alias
		{"http", "udp", 80, true},    // not in the file for udp: built-in
		{"domain", "udp", 53, true},  // built-in
		{"https", "tcp", 443, true},  // built-in
		{"mdns", "udp", 5353, true},  // alias
		{"mdns", "tcp", 0, false},    // only udp in the file
		{"HTTP", "tcp", 0, false},    // case-sensitive
		{"bogus", "tcp", 0, false},   // its line was malformed
		{"gopher", "tcp", 70, true},  //
		{"nosuch", "tcp", 0, false},  //
		{"gopher", "sctp", 0, false}, //
	}
	for _, tt := range tests {
		port, ok := s.lookup(tt.name, tt.proto)
		if port != tt.port || ok != tt.ok {
			t.Errorf("lookup(%q, %q) = %d, %v; want %d, %v", tt.name, tt.proto, port, ok, tt.port, tt.ok)
		}
	}
}

// TestServicesTooLong: a line beyond the scanner's limit is an error, not
// a silent truncation.
func TestServicesTooLong(t *testing.T) {
	s := newServicesTable()
	long := "x " + strings.Repeat("a", 70<<10) + "\n"
	if err := s.parse(strings.NewReader(long)); err == nil {
		t.Fatal("parse accepted a 70 KiB line")
	}
}

func TestGetAddrInfo(t *testing.T) {
	srv := startScript(t, func(pc net.PacketConn, from net.Addr, q *dns.Msg) {
		send(pc, from, answerA(q, 60, "192.0.2.7"))
	})
	services := filepath.Join(t.TempDir(), "services")
	if err := os.WriteFile(services, []byte("myproto 7777/tcp\nmyproto 7778/udp\nonlyudp 9000/udp\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	base := newBase(t)
	r := newResolver(t, base, &Config{Nameservers: []string{srv.addr}, NoCache: true})
	if err := r.ParseServices(services); err != nil {
		t.Fatal(err)
	}
	if err := r.AddService("custom", "tcp", 1234); err != nil {
		t.Fatal(err)
	}
	if err := r.AddService("bad name", "tcp", 1); !errors.Is(err, ErrBadService) {
		t.Errorf("AddService with a space: %v, want ErrBadService", err)
	}
	tests := []struct {
		host, service string
		hints         *AddrInfoHints
		want          []string
		err           error
	}{
		{"192.0.2.1", "http", nil, []string{"tcp 192.0.2.1:80", "udp 192.0.2.1:80"}, nil},
		{"192.0.2.1", "domain", &AddrInfoHints{Network: "udp"}, []string{"udp 192.0.2.1:53"}, nil},
		{"192.0.2.1", "8053", &AddrInfoHints{Network: "tcp"}, []string{"tcp 192.0.2.1:8053"}, nil},
		{"192.0.2.1", "", &AddrInfoHints{Network: "tcp"}, []string{"tcp 192.0.2.1:0"}, nil},
		{"[2001:db8::1]", "myproto", nil, []string{"tcp [2001:db8::1]:7777", "udp [2001:db8::1]:7778"}, nil},
		{"192.0.2.1", "onlyudp", nil, []string{"udp 192.0.2.1:9000"}, nil},
		{"192.0.2.1", "onlyudp", &AddrInfoHints{Network: "tcp"}, nil, ErrBadService},
		{"192.0.2.1", "custom", &AddrInfoHints{Network: "tcp"}, []string{"tcp 192.0.2.1:1234"}, nil},
		{"192.0.2.1", "http", &AddrInfoHints{NumericService: true}, nil, ErrBadService},
		{"192.0.2.1", "65536", nil, nil, ErrBadService},
		{"192.0.2.1", "-1", nil, nil, ErrBadService},
		{"192.0.2.1", "nosuch", nil, nil, ErrBadService},
		{"192.0.2.1", "http", &AddrInfoHints{Network: "sctp"}, nil, ErrBadService},
		{"192.0.2.1", "http", &AddrInfoHints{Family: unix.AF_INET6}, nil, ErrNoData},
		{"www.example.test", "https", &AddrInfoHints{Family: unix.AF_INET, Network: "tcp"}, []string{"tcp 192.0.2.7:443"}, nil},
	}
	for _, tt := range tests {
		var got []string
		var gotErr error
		called := false
		r.GetAddrInfo(base, tt.host, tt.service, tt.hints, func(ai []AddrInfo, err error) {
			called = true
			for _, a := range ai {
				got = append(got, fmt.Sprintf("%s %s", a.Network, a.Addr))
			}
			gotErr = err
			base.LoopBreak()
		})
		if called {
			t.Fatalf("%s %s: callback ran inside GetAddrInfo", tt.host, tt.service)
		}
		run(t, base)
		if !slices.Equal(got, tt.want) || !errors.Is(gotErr, tt.err) || (tt.err == nil) != (gotErr == nil) {
			t.Errorf("GetAddrInfo(%q, %q, %+v) = %v, %v; want %v, %v", tt.host, tt.service, tt.hints, got, gotErr, tt.want, tt.err)
		}
	}
}

// TestGetAddrInfoCancel: a cancelled GetAddrInfo with a bad service never
// reports.
func TestGetAddrInfoCancel(t *testing.T) {
	base := newBase(t)
	r := newResolver(t, base, nil)
	cancel := r.GetAddrInfo(base, "192.0.2.1", "nosuch", nil, func([]AddrInfo, error) {
		t.Error("done ran after cancel")
	})
	cancel()
	var ai []AddrInfo
	r.GetAddrInfo(base, "192.0.2.1", "http", &AddrInfoHints{Network: "tcp"}, func(a []AddrInfo, err error) {
		ai = a
		base.LoopBreak()
	})
	run(t, base)
	if len(ai) != 1 || ai[0].Addr != netip.MustParseAddrPort("192.0.2.1:80") {
		t.Fatalf("second lookup: %v", ai)
	}
}

// FuzzServices: the services parser takes any input without panicking,
// and what it keeps is what parseServiceLine accepts, first line winning.
func FuzzServices(f *testing.F) {
	f.Add("http 80/tcp www\ndomain 53/udp # dns\n")
	f.Add("bad 65536/tcp\nx /udp\ny 1/\n#only a comment\n")
	f.Add("a 1/tcp b c\na 2/tcp\n\x00 3/\x00\n")
	f.Fuzz(func(t *testing.T, s string) {
		tab := newServicesTable()
		if err := tab.parse(strings.NewReader(s)); err != nil {
			return // a line over the limit
		}
		want := map[serviceKey]uint16{}
		for line := range strings.Lines(s) {
			name, port, proto, aliases, ok := parseServiceLine(strings.TrimRight(line, "\r\n"))
			if !ok {
				continue
			}
			for _, n := range append([]string{name}, aliases...) {
				if n == "" || proto == "" || strings.ContainsAny(n+proto, " \t#") {
					t.Fatalf("line %q gave name %q proto %q", line, n, proto)
				}
				if _, dup := want[serviceKey{n, proto}]; !dup {
					want[serviceKey{n, proto}] = port
				}
			}
		}
		if len(want) != len(tab.ports) {
			t.Fatalf("table has %d entries, lines give %d", len(tab.ports), len(want))
		}
		for k, p := range want {
			if tab.ports[k] != p {
				t.Fatalf("%v: table %d, line %d", k, tab.ports[k], p)
			}
		}
	})
}
