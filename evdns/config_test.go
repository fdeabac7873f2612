package evdns

import (
	"errors"
	"net/netip"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestParseResolvConf(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		servers []string
		search  []string
		hasSrch bool
		options [][2]string
	}{
		{"empty", "", nil, nil, false, nil},
		{"typical", "# comment\nnameserver 127.0.0.53\nsearch a.test b.test\noptions ndots:2 timeout:1 rotate edns0\n",
			[]string{"127.0.0.53:53"}, []string{"a.test", "b.test"}, true,
			[][2]string{{"ndots", "2"}, {"timeout", "1"}, {"rotate", ""}, {"edns0", ""}}},
		{"ports and v6", "nameserver 127.0.0.1:5353\nnameserver ::1\nnameserver [::1]:54\nnameserver ::ffff:127.0.0.2\n",
			[]string{"127.0.0.1:5353", "[::1]:53", "[::1]:54", "127.0.0.2:53"}, nil, false, nil},
		{"domain then search: last wins", "domain x.test\nsearch y.test\n", nil, []string{"y.test"}, true, nil},
		{"search then domain: last wins", "search y.test z.test\ndomain x.test\n", nil, []string{"x.test"}, true, nil},
		{"malformed lines ignored", "nameserver\nnameserver not-an-ip\nnameserver 300.1.1.1\nbogus line\ndomain\n\t\n; semicolon comment\n",
			nil, nil, false, nil},
		{"trailing comment", "nameserver 127.0.0.1 # local\n", []string{"127.0.0.1:53"}, nil, false, nil},
		{"CRLF", "nameserver 127.0.0.1\r\nsearch a.test\r\n", []string{"127.0.0.1:53"}, []string{"a.test"}, true, nil},
		{"binary junk", "\x00\xff\xfe nameserver\x00 1.2.3.4\n", nil, nil, false, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rc, err := parseResolvConf(strings.NewReader(tt.in))
			if err != nil {
				t.Fatal(err)
			}
			var servers []string
			for _, s := range rc.nameservers {
				servers = append(servers, s.String())
			}
			if !slices.Equal(servers, tt.servers) || !slices.Equal(rc.search, tt.search) ||
				rc.hasSearch != tt.hasSrch || !slices.Equal(rc.options, tt.options) {
				t.Fatalf("got %v %v %v %v", servers, rc.search, rc.hasSearch, rc.options)
			}
		})
	}
	t.Run("line too long", func(t *testing.T) {
		if _, err := parseResolvConf(strings.NewReader(strings.Repeat("x", 100<<10))); err == nil {
			t.Fatal("a 100 KiB line parsed")
		}
	})
}

func TestResolverParseResolvConfFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "resolv.conf")
	content := "nameserver 127.0.0.1:5300\nsearch corp.test\noptions ndots:3 timeout:0.5 attempts:4 rotate inet6\n"
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	r := newResolver(t, newBase(t), nil)
	err := r.ParseResolvConf(path)
	if !errors.Is(err, ErrBadOption) || !strings.Contains(err.Error(), "inet6") {
		t.Fatalf("got %v, want ErrBadOption naming inet6", err)
	}
	c := r.Config()
	if !slices.Equal(c.Nameservers, []string{"127.0.0.1:5300"}) || !slices.Equal(c.Search, []string{"corp.test"}) ||
		c.Ndots != 3 || c.Timeout != 500*time.Millisecond || c.Attempts != 4 || !c.Rotate {
		t.Fatalf("config %+v", c)
	}
	if err := r.ParseResolvConf(filepath.Join(dir, "missing")); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("missing file: %v", err)
	}
}

func TestSetOption(t *testing.T) {
	tests := []struct {
		name, value string
		ok          bool
		check       func(c Config) bool
	}{
		{"ndots", "0", true, func(c Config) bool { return c.Ndots == 0 }},
		{"ndots:", "4", true, func(c Config) bool { return c.Ndots == 4 }},
		{"ndots", "16", false, nil},
		{"ndots", "x", false, nil},
		{"timeout", "2.5", true, func(c Config) bool { return c.Timeout == 2500*time.Millisecond }},
		{"timeout", "0", false, nil},
		{"timeout", "NaN", false, nil},
		{"timeout", "-1", false, nil},
		{"attempts", "0", false, nil},
		{"attempts", "7", true, func(c Config) bool { return c.Attempts == 7 }},
		{"rotate", "", true, func(c Config) bool { return c.Rotate }},
		{"edns-udp-size", "4096", true, func(c Config) bool { return c.EDNSSize == 4096 }},
		{"edns-udp-size", "100", false, nil},
		{"randomize-case", "0", true, func(c Config) bool { return c.NoCaseRandomization }},
		{"max-inflight", "1", true, func(c Config) bool { return c.MaxInflight == 1 }},
		{"max-timeouts", "0", false, nil},
		{"probe-backoff-factor", "11", false, nil},
		{"use-vc", "", true, func(c Config) bool { return c.UseTCP }},
		{"ignore-tc", "", true, func(c Config) bool { return c.IgnoreTC }},
		{"probe-name", "canary.test", true, func(c Config) bool { return c.ProbeName == "canary.test" }},
		{"probe-name", "a..b", false, nil},
		{"no-such-option", "1", false, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name+"="+tt.value, func(t *testing.T) {
			r := newResolver(t, newBase(t), nil)
			before := r.Config()
			err := r.SetOption(tt.name, tt.value)
			if tt.ok != (err == nil) {
				t.Fatalf("err %v, want ok=%v", err, tt.ok)
			}
			if !tt.ok {
				if !errors.Is(err, ErrBadOption) {
					t.Fatalf("%v does not wrap ErrBadOption", err)
				}
				if after := r.Config(); after.Ndots != before.Ndots || after.Timeout != before.Timeout {
					t.Fatal("a failed SetOption changed the config")
				}
				return
			}
			if !tt.check(r.Config()) {
				t.Fatalf("config %+v", r.Config())
			}
		})
	}
	// Setting one option keeps the others, including an explicit ndots 0.
	r := newResolver(t, newBase(t), nil)
	_ = r.SetOption("ndots", "0")
	_ = r.SetOption("attempts", "3")
	if c := r.Config(); c.Ndots != 0 || c.Attempts != 3 {
		t.Fatalf("config %+v", c)
	}
}

func TestSearchNames(t *testing.T) {
	search := []string{"a.test", "b.test."}
	tests := []struct {
		name     string
		ndots    int
		noSearch bool
		want     []string
	}{
		{"www", 1, false, []string{"www.a.test.", "www.b.test.", "www."}},
		{"www.x", 1, false, []string{"www.x.", "www.x.a.test.", "www.x.b.test."}},
		{"www.x", 2, false, []string{"www.x.a.test.", "www.x.b.test.", "www.x."}},
		{"www.", 1, false, []string{"www."}},
		{"WWW.X", 1, true, []string{"www.x."}},
		{"www", 0, false, []string{"www.", "www.a.test.", "www.b.test."}},
		{"", 1, false, nil},
		{"a..b", 1, false, nil},
		{strings.Repeat("x", 64), 1, false, nil},
	}
	for _, tt := range tests {
		got := searchNames(tt.name, search, tt.ndots, tt.noSearch)
		if !slices.Equal(got, tt.want) {
			t.Errorf("searchNames(%q, ndots %d) = %q, want %q", tt.name, tt.ndots, got, tt.want)
		}
	}
}

func TestParseHosts(t *testing.T) {
	in := "127.0.0.1 localhost loc\n# comment\n::1 localhost ip6-localhost\n192.0.2.5 Web.Test web # trailing\n" +
		"bad-address name\n192.0.2.6\n::ffff:192.0.2.7 mapped.test\nfe80::1%eth0 zoned.test\n192.0.2.8 bad..name good.test\n"
	h := newHostsTable()
	if err := h.parse(strings.NewReader(in)); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		family int
		want   []string
	}{
		{"localhost.", afUnspec, []string{"127.0.0.1", "::1"}},
		{"localhost.", afInet, []string{"127.0.0.1"}},
		{"localhost.", afInet6, []string{"::1"}},
		{"web.test.", afUnspec, []string{"192.0.2.5"}},
		{"mapped.test.", afInet, []string{"192.0.2.7"}},
		{"zoned.test.", afInet6, []string{"fe80::1"}},
		{"good.test.", afInet, []string{"192.0.2.8"}},
		{"name.", afUnspec, nil},
	}
	for _, tt := range tests {
		var got []string
		for _, a := range h.lookup(tt.name, tt.family) {
			got = append(got, a.String())
		}
		if !slices.Equal(got, tt.want) {
			t.Errorf("lookup(%q, %d) = %v, want %v", tt.name, tt.family, got, tt.want)
		}
	}
	if got := h.byAddr[netip.MustParseAddr("192.0.2.5")]; !slices.Equal(got, []string{"web.test.", "web."}) {
		t.Errorf("reverse 192.0.2.5 = %v", got)
	}
}

func TestRandomizeCase(t *testing.T) {
	rs := newRandSource()
	name := "abcdefghijklmnopqrstuvwxyz-0123.example.test."
	seen := map[string]bool{}
	for range 50 {
		got := rs.randomizeCase(name)
		if !strings.EqualFold(got, name) || len(got) != len(name) {
			t.Fatalf("%q is not %q in another case", got, name)
		}
		seen[got] = true
	}
	if len(seen) < 45 {
		t.Fatalf("only %d distinct spellings in 50", len(seen))
	}
	ids := map[uint16]bool{}
	for range 1000 {
		ids[rs.id()] = true
	}
	if len(ids) < 950 {
		t.Fatalf("only %d distinct ids in 1000", len(ids))
	}
}
