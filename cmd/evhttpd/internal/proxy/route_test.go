package proxy

import (
	"errors"
	"strings"
	"testing"
)

func TestParseRoute(t *testing.T) {
	tests := []struct {
		in   string
		want Route
	}{
		{"/api=http://127.0.0.1:8081", Route{Prefix: "/api", Scheme: HTTP, Host: "127.0.0.1", Port: 8081}},
		{"/api/=http://127.0.0.1:8081/", Route{Prefix: "/api/", Scheme: HTTP, Host: "127.0.0.1", Port: 8081}},
		{"/=http://example.test", Route{Prefix: "/", Scheme: HTTP, Host: "example.test", Port: 80}},
		{"/s=https://example.test", Route{Prefix: "/s", Scheme: HTTPS, Host: "example.test", Port: 443}},
		{"/v6=http://[::1]:9000", Route{Prefix: "/v6", Scheme: HTTP, Host: "::1", Port: 9000}},
		{"/u=unix:/run/app.sock", Route{Prefix: "/u", Scheme: Unix, Path: "/run/app.sock"}},
		{"/a=b=http://h", Route{}}, // "=" in the URL: refused below (scheme "b=http")
	}
	for _, tt := range tests {
		got, err := ParseRoute(tt.in)
		if tt.want.Prefix == "" {
			if err == nil {
				t.Errorf("ParseRoute(%q) = %+v, want an error", tt.in, got)
			}
			continue
		}
		if err != nil {
			t.Errorf("ParseRoute(%q): %v", tt.in, err)
			continue
		}
		if *got != tt.want {
			t.Errorf("ParseRoute(%q) = %+v, want %+v", tt.in, *got, tt.want)
		}
	}
}

func TestParseRouteMalformed(t *testing.T) {
	for _, in := range []string{
		"",
		"/api",
		"=http://h",
		"api=http://h",
		"/api/../x=http://h",
		"/a//b=http://h",
		"/./=http://h",
		"/a b=http://h",
		"/a?q=http://h",
		"/a%2f=http://h",
		"/a=",
		"/a=h:80",
		"/a=ftp://h",
		"/a=ws://h",
		"/a=http://",
		"/a=http:h",
		"/a=http://h/path",
		"/a=http://h?q",
		"/a=http://h/?",
		"/a=http://h#f",
		"/a=http://u:p@h",
		"/a=http://h:0",
		"/a=http://h:65536",
		"/a=http://h:x",
		"/a=http://:80",
		"/a=unix:",
		"/a=unix:relative.sock",
		"/a=unix:/nul\x00",
		"/a=http://h\x7f",
	} {
		rt, err := ParseRoute(in)
		if err == nil {
			t.Errorf("ParseRoute(%q) = %+v, want an error", in, rt)
			continue
		}
		if !errors.Is(err, ErrRoute) {
			t.Errorf("ParseRoute(%q): %v does not wrap ErrRoute", in, err)
		}
	}
}

func TestRouteString(t *testing.T) {
	for in, want := range map[string]string{
		"/a=http://127.0.0.1:81": "/a=http://127.0.0.1:81",
		"/a=https://h":           "/a=https://h:443",
		"/a=http://[::1]:9":      "/a=http://[::1]:9",
		"/a=unix:/x.sock":        "/a=unix:/x.sock",
	} {
		rt, err := ParseRoute(in)
		if err != nil {
			t.Fatal(err)
		}
		if got := rt.String(); got != want {
			t.Errorf("%q: String() = %q, want %q", in, got, want)
		}
	}
}

func mustTable(t *testing.T, specs ...string) *Table {
	t.Helper()
	var rts []*Route
	for _, s := range specs {
		rt, err := ParseRoute(s)
		if err != nil {
			t.Fatal(err)
		}
		rts = append(rts, rt)
	}
	tb, err := NewTable(rts)
	if err != nil {
		t.Fatal(err)
	}
	return tb
}

func TestTableMatch(t *testing.T) {
	tb := mustTable(t, "/api=http://h:1", "/api/v2/=http://h:2", "/static/=http://h:3")
	tests := []struct{ path, prefix string }{
		{"/api", "/api"},
		{"/api/x", "/api"},
		{"/apix", "/api"},
		{"/api/v2", "/api"},
		{"/api/v2/", "/api/v2/"},
		{"/api/v2/users", "/api/v2/"},
		{"/api/v2/../v2/users", "/api/v2/"},
		{"/api/v2/.", "/api/v2/"},
		{"/api/./v2/x", "/api/v2/"},
		{"/api//v2/x", "/api/v2/"},
		{"/static/a.css", "/static/"},
		{"/static", ""},
		{"/api/../etc/passwd", ""},
		{"/other", ""},
		{"/", ""},
		{"", ""},
		{"*", ""},
	}
	for _, tt := range tests {
		rt := tb.Match(tt.path)
		got := ""
		if rt != nil {
			got = rt.Prefix
		}
		if got != tt.prefix {
			t.Errorf("Match(%q) = %q, want %q", tt.path, got, tt.prefix)
		}
	}
	if (&Table{}).Match("/x") != nil {
		t.Error("an empty table matched")
	}
	root := mustTable(t, "/=http://h:1", "/a/=http://h:2")
	if rt := root.Match("/b"); rt == nil || rt.Prefix != "/" {
		t.Errorf("Match(/b) with a / route = %v", rt)
	}
	if rt := root.Match("/a/b"); rt == nil || rt.Prefix != "/a/" {
		t.Errorf("Match(/a/b) = %v", rt)
	}
}

func TestNewTableDuplicate(t *testing.T) {
	a, _ := ParseRoute("/a=http://h:1")
	b, _ := ParseRoute("/a=http://h:2")
	if _, err := NewTable([]*Route{a, b}); !errors.Is(err, ErrRoute) {
		t.Errorf("duplicate prefix: %v", err)
	}
}

// FuzzParseRoute checks that ParseRoute never panics and that what it
// accepts is well formed and round-trips through String.
func FuzzParseRoute(f *testing.F) {
	for _, s := range []string{"/api=http://127.0.0.1:8081", "/=https://h", "/u=unix:/s", "/a=http://[::1]:9/", "x", "/a=http://h:99999"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		rt, err := ParseRoute(s)
		if err != nil {
			if !errors.Is(err, ErrRoute) {
				t.Fatalf("%q: %v does not wrap ErrRoute", s, err)
			}
			return
		}
		if !strings.HasPrefix(rt.Prefix, "/") || cleanPrefix(rt.Prefix) != rt.Prefix {
			t.Fatalf("%q: prefix %q", s, rt.Prefix)
		}
		if rt.Scheme != Unix && (rt.Host == "" || rt.Port < 1 || rt.Port > 65535) {
			t.Fatalf("%q: %+v", s, rt)
		}
		again, err := ParseRoute(rt.String())
		if err != nil || *again != *rt {
			t.Fatalf("%q: String() %q parses to %+v, %v; want %+v", s, rt.String(), again, err, rt)
		}
		tb, _ := NewTable([]*Route{rt})
		if tb.Match(rt.Prefix) != rt {
			t.Fatalf("%q: the route does not match its own prefix", s)
		}
	})
}
