package main

import (
	"errors"
	"net/netip"
	"strings"
	"testing"
)

func TestParseNameservers(t *testing.T) {
	cases := []struct {
		text string
		want string
	}{
		{"nameserver 192.0.2.1\nnameserver 2001:db8::1\n", "192.0.2.1:53,[2001:db8::1]:53"},
		{"# comment\nsearch example\nnameserver 192.0.2.1 # trailing\noptions ndots:2\n", "192.0.2.1:53"},
		{"nameserver\nnameserver dns.example\nnameserver fe80::1%eth0\nnameserver 300.1.1.1\n", ""},
		{"  nameserver\t192.0.2.7  \n;nameserver 192.0.2.8\n", "192.0.2.7:53"},
		{"nameserver ::ffff:192.0.2.9\n", "192.0.2.9:53"},
		{"", ""},
	}
	for _, tc := range cases {
		ns, err := parseNameservers(strings.NewReader(tc.text))
		if err != nil {
			t.Errorf("%q: %v", tc.text, err)
			continue
		}
		var got []string
		for _, a := range ns {
			got = append(got, a.String())
		}
		if strings.Join(got, ",") != tc.want {
			t.Errorf("%q: %v, want %s", tc.text, got, tc.want)
		}
	}
	if _, err := parseNameservers(strings.NewReader("nameserver " + strings.Repeat("1", 70000))); err == nil {
		t.Error("overlong line accepted")
	}
}

func TestSystemUpstreams(t *testing.T) {
	p := writeFile(t, "resolv.conf", "search example\n")
	if _, err := systemUpstreams(p); !errors.Is(err, errNoNameservers) {
		t.Errorf("no nameservers: %v", err)
	}
	p = writeFile(t, "resolv.conf", "nameserver 127.0.0.53\n")
	ns, err := systemUpstreams(p)
	if err != nil || len(ns) != 1 || ns[0] != netip.MustParseAddrPort("127.0.0.53:53") {
		t.Errorf("%v %v", ns, err)
	}
}

// FuzzParseNameservers: any resolv.conf text parses without panicking
// into valid addresses with port 53.
func FuzzParseNameservers(f *testing.F) {
	f.Add("nameserver 192.0.2.1\nsearch a b\noptions ndots:3\n")
	f.Add("nameserver [::1]\nnameserver ::1\n")
	f.Fuzz(func(t *testing.T, text string) {
		ns, err := parseNameservers(strings.NewReader(text))
		if err != nil {
			return
		}
		for _, a := range ns {
			if !a.IsValid() || a.Port() != 53 || a.Addr().Zone() != "" {
				t.Fatalf("bad address %v", a)
			}
		}
	})
}
