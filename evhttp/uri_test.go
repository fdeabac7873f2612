package evhttp

import (
	"errors"
	"strings"
	"testing"
)

// uriWant is the expected result of a successful ParseURI: every exported
// field, which optional parts were present, and String's output.
type uriWant struct {
	scheme, userinfo, host string
	port                   int
	path, query, fragment  string
	unixSocket             string
	authority, hasQ, hasF  bool
	join                   string // "" means: the input itself
}

func checkURI(t *testing.T, in string, flags URIFlags, u *URI, w uriWant) {
	t.Helper()
	got := uriWant{u.Scheme, u.Userinfo, u.Host, u.Port, u.Path, u.Query, u.Fragment,
		u.UnixSocket, u.HasAuthority(), u.HasQuery(), u.HasFragment(), u.String()}
	if w.join == "" {
		w.join = in
	}
	if got != w {
		t.Errorf("ParseURI(%q, %#x)\n got %+v\nwant %+v", in, flags, got, w)
	}
	if u.Flags != flags {
		t.Errorf("ParseURI(%q): Flags = %#x, want %#x", in, u.Flags, flags)
	}
	if u.Join() != u.String() {
		t.Errorf("Join() = %q, String() = %q", u.Join(), u.String())
	}
}

// Valid in both modes; the table follows libevent's regress_http.c
// parse_uri cases plus the RFC 3986 corners.
var validURIs = []struct {
	in   string
	want uriWant
}{
	{"http://www.test.com/?q=t%33est", uriWant{scheme: "http", host: "www.test.com", port: -1, path: "/", query: "q=t%33est", authority: true, hasQ: true}},
	{"http://%77ww.test.com", uriWant{scheme: "http", host: "%77ww.test.com", port: -1, authority: true}},
	{"http://www.test.com?q=test", uriWant{scheme: "http", host: "www.test.com", port: -1, query: "q=test", authority: true, hasQ: true}},
	{"http://www.test.com#fragment", uriWant{scheme: "http", host: "www.test.com", port: -1, fragment: "fragment", authority: true, hasF: true}},
	{"http://8000/", uriWant{scheme: "http", host: "8000", port: -1, path: "/", authority: true}},
	{"http://:8000/", uriWant{scheme: "http", port: 8000, path: "/", authority: true}},
	{"http://www.test.com:/", uriWant{scheme: "http", host: "www.test.com", port: -1, path: "/", authority: true, join: "http://www.test.com/"}},
	{"http://www.test.com:", uriWant{scheme: "http", host: "www.test.com", port: -1, authority: true, join: "http://www.test.com"}},
	{"http://h:0/", uriWant{scheme: "http", host: "h", port: 0, path: "/", authority: true}},
	{"http://h:65535", uriWant{scheme: "http", host: "h", port: 65535, authority: true}},
	{"http://h:00080/", uriWant{scheme: "http", host: "h", port: 80, path: "/", authority: true, join: "http://h:80/"}},
	{"http://192.0.2.1:8080/x", uriWant{scheme: "http", host: "192.0.2.1", port: 8080, path: "/x", authority: true}},
	{"ftp://www.test.com/?q=test", uriWant{scheme: "ftp", host: "www.test.com", port: -1, path: "/", query: "q=test", authority: true, hasQ: true}},
	{"ftp://[::1]:999/?q=test", uriWant{scheme: "ftp", host: "[::1]", port: 999, path: "/", query: "q=test", authority: true, hasQ: true}},
	{"ftp://[ff00::127.0.0.1]/?q=test", uriWant{scheme: "ftp", host: "[ff00::127.0.0.1]", port: -1, path: "/", query: "q=test", authority: true, hasQ: true}},
	{"ftp://[v99.not_(any:time)_soon]/?q=test", uriWant{scheme: "ftp", host: "[v99.not_(any:time)_soon]", port: -1, path: "/", query: "q=test", authority: true, hasQ: true}},
	{"http://[V1F.x]/", uriWant{scheme: "http", host: "[V1F.x]", port: -1, path: "/", authority: true}},
	{"scheme://user:pass@foo.com:42/?q=test&s=some+thing#fragment", uriWant{scheme: "scheme", userinfo: "user:pass", host: "foo.com", port: 42, path: "/", query: "q=test&s=some+thing", fragment: "fragment", authority: true, hasQ: true, hasF: true}},
	{"scheme://user@foo.com/#fragment", uriWant{scheme: "scheme", userinfo: "user", host: "foo.com", port: -1, path: "/", fragment: "fragment", authority: true, hasF: true}},
	{"scheme://%75ser@foo.com/#frag@ment", uriWant{scheme: "scheme", userinfo: "%75ser", host: "foo.com", port: -1, path: "/", fragment: "frag@ment", authority: true, hasF: true}},
	{"http://@h/", uriWant{scheme: "http", host: "h", port: -1, path: "/", authority: true}},
	{"file:///some/path/to/the/file", uriWant{scheme: "file", port: -1, path: "/some/path/to/the/file", authority: true}},
	{"///some/path/to/the-file", uriWant{port: -1, path: "/some/path/to/the-file", authority: true}},
	{"//host", uriWant{host: "host", port: -1, authority: true}},
	{"http://", uriWant{scheme: "http", port: -1, authority: true}},
	{"mailto:foo@bar", uriWant{scheme: "mailto", port: -1, path: "foo@bar"}},
	{"urn:isbn:0451450523", uriWant{scheme: "urn", port: -1, path: "isbn:0451450523"}},
	{"a+b-c.d:x", uriWant{scheme: "a+b-c.d", port: -1, path: "x"}},
	{"HTTP://H/", uriWant{scheme: "HTTP", host: "H", port: -1, path: "/", authority: true}},
	{"/s:ome/path/to/the-file?q=99#fred", uriWant{port: -1, path: "/s:ome/path/to/the-file", query: "q=99", fragment: "fred", hasQ: true, hasF: true}},
	{"relative/path/with/co:lon", uriWant{port: -1, path: "relative/path/with/co:lon"}},
	{"bob?q=99&q2=q?33#fr?ed", uriWant{port: -1, path: "bob", query: "q=99&q2=q?33", fragment: "fr?ed", hasQ: true, hasF: true}},
	{"#fr?ed", uriWant{port: -1, fragment: "fr?ed", hasF: true}},
	{"/a/b?x=1#f", uriWant{port: -1, path: "/a/b", query: "x=1", fragment: "f", hasQ: true, hasF: true}},
	{"/", uriWant{port: -1, path: "/"}},
	{"*", uriWant{port: -1, path: "*"}},
	{"", uriWant{port: -1}},
	{"?", uriWant{port: -1, hasQ: true}},
	{"/p?#", uriWant{port: -1, path: "/p", hasQ: true, hasF: true}},
	{"http://h/?", uriWant{scheme: "http", host: "h", port: -1, path: "/", authority: true, hasQ: true}},
	{"/a%2Fb%20c/", uriWant{port: -1, path: "/a%2Fb%20c/"}},
	{"/!$&'()*+,;=:@-._~", uriWant{port: -1, path: "/!$&'()*+,;=:@-._~"}},
	{"/x?/?:@", uriWant{port: -1, path: "/x", query: "/?:@", hasQ: true}},
	// The scheme comes from the first ":" only; here it is not a scheme
	// and the first segment has no ":".
	{"/a?b:c", uriWant{port: -1, path: "/a", query: "b:c", hasQ: true}},
	{"./a:b", uriWant{port: -1, path: "./a:b"}},
	// Without URIUnixSocket "unix:" is an ordinary host with empty port.
	{"http://unix:/tmp/s:/p", uriWant{scheme: "http", host: "unix", port: -1, path: "/tmp/s:/p", authority: true, join: "http://unix/tmp/s:/p"}},
}

func TestParseURIValid(t *testing.T) {
	for _, flags := range []URIFlags{0, URINonConformant} {
		for _, tc := range validURIs {
			u, err := ParseURI(tc.in, flags)
			if err != nil {
				t.Errorf("ParseURI(%q, %#x): %v", tc.in, flags, err)
				continue
			}
			checkURI(t, tc.in, flags, u, tc.want)
		}
	}
}

func TestParseURIStripBrackets(t *testing.T) {
	tests := []struct {
		in   string
		want uriWant
	}{
		{"http://[::1]:8080/x", uriWant{scheme: "http", host: "::1", port: 8080, path: "/x", authority: true}},
		{"http://[v7.wobble]/", uriWant{scheme: "http", host: "v7.wobble", port: -1, path: "/", authority: true}},
		{"http://[::ffff:1.2.3.4]", uriWant{scheme: "http", host: "::ffff:1.2.3.4", port: -1, authority: true}},
		{"http://host:1/", uriWant{scheme: "http", host: "host", port: 1, path: "/", authority: true}},
	}
	for _, tc := range tests {
		u, err := ParseURI(tc.in, URIHostStripBrackets)
		if err != nil {
			t.Errorf("ParseURI(%q): %v", tc.in, err)
			continue
		}
		checkURI(t, tc.in, URIHostStripBrackets, u, tc.want)
	}
}

func TestParseURIUnixSocket(t *testing.T) {
	tests := []struct {
		in   string
		want uriWant
	}{
		{"http://unix:/tmp/eventtmp.1.sock:/?arg=val", uriWant{scheme: "http", port: -1, unixSocket: "/tmp/eventtmp.1.sock", path: "/", query: "arg=val", authority: true, hasQ: true}},
		{"http://unix:/path/to/sock:/httppath", uriWant{scheme: "http", port: -1, unixSocket: "/path/to/sock", path: "/httppath", authority: true}},
		{"http://unix:/s:", uriWant{scheme: "http", port: -1, unixSocket: "/s", authority: true}},
		{"http://unix:rel/s:#f", uriWant{scheme: "http", port: -1, unixSocket: "rel/s", fragment: "f", authority: true, hasF: true}},
		{"http://u:p@unix:/s:/x", uriWant{scheme: "http", userinfo: "u:p", port: -1, unixSocket: "/s", path: "/x", authority: true}},
		{"http://unix:/a%20b@c:/x", uriWant{scheme: "http", port: -1, unixSocket: "/a%20b@c", path: "/x", authority: true}},
		// Not "unix:": an ordinary authority even with the flag.
		{"http://example.com:80/x", uriWant{scheme: "http", host: "example.com", port: 80, path: "/x", authority: true}},
	}
	for _, flags := range []URIFlags{URIUnixSocket, URIUnixSocket | URINonConformant} {
		for _, tc := range tests {
			u, err := ParseURI(tc.in, flags)
			if err != nil {
				t.Errorf("ParseURI(%q, %#x): %v", tc.in, flags, err)
				continue
			}
			checkURI(t, tc.in, flags, u, tc.want)
		}
	}
}

// nonConformantURIs parse only with URINonConformant (libevent's NCF cases);
// the want holds the path, query and fragment.
var nonConformantURIs = []struct {
	in                    string
	path, query, fragment string
}{
	{"http://www.test.com/ why hello", "/ why hello", "", ""},
	{"http://www.test.com/why-hell%7o", "/why-hell%7o", "", ""},
	{"http://www.test.com/why-hello%7", "/why-hello%7", "", ""},
	{"http://www.test.com/foo?ba%r", "/foo", "ba%r", ""},
	{"http://www.test.com/foo#ba%r", "/foo", "", "ba%r"},
	{"/a b?c d#e f#g", "/a b", "c d", "e f#g"},
	{"/<script>?\"{}|\\^`", "/<script>", "\"{}|\\^`", ""},
	{"/caf\xc3\xa9?\xff", "/caf\xc3\xa9", "\xff", ""},
	{"/%zz%4%", "/%zz%4%", "", ""},
	{"/x#a#b", "/x", "", "a#b"},
}

func TestParseURINonConformant(t *testing.T) {
	for _, tc := range nonConformantURIs {
		u, err := ParseURI(tc.in, 0)
		if !errors.Is(err, ErrURI) {
			t.Errorf("ParseURI(%q, 0) = %+v, %v; want ErrURI", tc.in, u, err)
		}
		u, err = ParseURI(tc.in, URINonConformant)
		if err != nil {
			t.Errorf("ParseURI(%q, NonConformant): %v", tc.in, err)
			continue
		}
		if u.Path != tc.path || u.Query != tc.query || u.Fragment != tc.fragment {
			t.Errorf("ParseURI(%q, NonConformant) = path %q query %q fragment %q; want %q %q %q",
				tc.in, u.Path, u.Query, u.Fragment, tc.path, tc.query, tc.fragment)
		}
		if got := u.String(); got != tc.in {
			t.Errorf("String() = %q, want %q", got, tc.in)
		}
	}
}

// malformedURIs fail in every mode; reason is a substring of the
// URIError's Reason and offset its Offset.
var malformedURIs = []struct {
	in     string
	reason string
	offset int
}{
	// libevent's regress_http.c BAD cases.
	{"http://www.\x01.test.com/why-hello", "invalid host", 11},
	{"http://www.%7test.com/why-hello", "invalid host", 11},
	{"99:99/foo", "first segment", 2},
	{"http://www.test.com:999x/", "invalid host", 19},
	{"http://www.test.com:x/", "invalid host", 19},
	{"http://[hello-there]/", "IPv6", 7},
	{"http://[::1]]/", "IPv6", 7},
	{"http://[::1/", "invalid host", 7},
	{"http://[foob/", "invalid host", 7},
	{"http://[/", "invalid host", 7},
	{"http://[ffff:ffff:ffff:ffff:Ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff]/", "IPv6", 7},
	{"http://[vX.foo]/", "IPvFuture version", 7},
	{"http://[v.foo]/", "IPvFuture version", 7},
	{"http://[v5.fo%o]/", "IPvFuture address", 7},
	{"http://[v5X]/", "IPvFuture version", 7},
	{"http://[v5]/", "IPvFuture version", 7},
	{"http://[]/", "IPv6", 7},
	{"http://f\x01red@www.example.com/", "userinfo", 8},
	{"http://f%0red@www.example.com/", "userinfo", 8},
	{"http://www.example.com:9999999999999999999999999999999999999/", "port out of range", 23},
	{"http://www.example.com:hihi/", "invalid host", 22},
	{"://www.example.com/", "first segment", 0},
	// Stricter than libevent.
	{"http://[v5.]/", "IPvFuture address", 7},
	{"http://[fe80::1%25eth0]/", "IPv6", 7},
	{"http://[fe80::1%eth0]/", "IPv6", 7},
	{"http://[1.2.3.4]/", "IPv6", 7},
	// Ports: a sign or an overflow is never a port.
	{"http://h:65536/", "port out of range", 9},
	{"http://h:+80/", "invalid host", 8},
	{"http://h:-1/", "invalid host", 8},
	{"http://h: 80/", "invalid host", 8},
	{"http://h:80:80/", "invalid host", 8},
	{"http://::1/", "invalid host", 7},
	// Hosts and userinfo.
	{"http://a@b@c/", "invalid host", 10},
	{"http://ex ample.com/", "invalid host", 9},
	{"http://h\x00/", "invalid host", 8},
	{"http://h%/", "invalid host", 8},
	{"http://u%zz@h/", "userinfo", 8},
	{"http://u[@h/", "userinfo", 8},
	// Scheme-less first segment with ":".
	{"1a:b", "first segment", 2},
	{"-x:y", "first segment", 2},
	// Control bytes are rejected in every mode.
	{"/a\x00b", "control byte", 2},
	{"/a\r\nHost: evil", "control byte", 2},
	{"/a?b\n", "control byte", 4},
	{"/a#b\x7f", "control byte", 4},
	{"/a\tb", "control byte", 2},
}

func TestParseURIMalformed(t *testing.T) {
	for _, flags := range []URIFlags{0, URINonConformant, URIHostStripBrackets, URIUnixSocket} {
		for _, tc := range malformedURIs {
			u, err := ParseURI(tc.in, flags)
			if !errors.Is(err, ErrURI) {
				t.Errorf("ParseURI(%q, %#x) = %+v, %v; want ErrURI", tc.in, flags, u, err)
				continue
			}
			var ue *URIError
			if !errors.As(err, &ue) {
				t.Errorf("ParseURI(%q): error %T is not a *URIError", tc.in, err)
				continue
			}
			if !strings.Contains(ue.Reason, tc.reason) || ue.Offset != tc.offset {
				t.Errorf("ParseURI(%q, %#x): %v; want reason ~%q at offset %d", tc.in, flags, err, tc.reason, tc.offset)
			}
		}
	}
}

// libevent's "h%3ttp://..." case: not a scheme, so a relative path; the
// bad escape fails it in conformant mode, the ":" in its first segment in
// nonconformant mode.
func TestParseURIBadScheme(t *testing.T) {
	const in = "h%3ttp://www.test.com/why-hello"
	for _, tc := range []struct {
		flags  URIFlags
		reason string
		offset int
	}{
		{0, "invalid percent-escape", 1},
		{URINonConformant, "first segment", 6},
	} {
		_, err := ParseURI(in, tc.flags)
		var ue *URIError
		if !errors.As(err, &ue) || ue.Reason == "" || !strings.Contains(ue.Reason, tc.reason) || ue.Offset != tc.offset {
			t.Errorf("ParseURI(%q, %#x) = %v; want %q at offset %d", in, tc.flags, err, tc.reason, tc.offset)
		}
	}
}

// Malformed only in conformant mode: character validation.
func TestParseURIConformantOnly(t *testing.T) {
	tests := []struct {
		in     string
		offset int
	}{
		{"http://www.test.com/ why hello", 20},
		{"/a%zz", 2},
		{"/a%4", 2},
		{"/a%", 2},
		{"/a?%g0", 3},
		{"/a#%", 3},
		{"/a#b#c", 4},
		{"/a[b]", 2},
		{"/caf\xc3\xa9", 4},
		{"/a\\b", 2},
	}
	for _, tc := range tests {
		_, err := ParseURI(tc.in, 0)
		var ue *URIError
		if !errors.As(err, &ue) || !errors.Is(err, ErrURI) || ue.Offset != tc.offset {
			t.Errorf("ParseURI(%q, 0) = %v; want *URIError at offset %d", tc.in, err, tc.offset)
		}
		if _, err := ParseURI(tc.in, URINonConformant); err != nil {
			t.Errorf("ParseURI(%q, NonConformant): %v", tc.in, err)
		}
	}
}

func TestParseURIUnixSocketMalformed(t *testing.T) {
	tests := []struct {
		in, reason string
	}{
		{"http://unix:/tmp/sock", "not closed"},
		{"http://unix::/x", "empty unix socket path"},
		{"http://unix:/a b:/x", "invalid unix socket path"},
		{"http://unix:/a?b:/x", "invalid unix socket path"},
		{"http://unix:/a#b:/x", "invalid unix socket path"},
		{"http://unix:/a%zz:/x", "invalid unix socket path"},
		{"http://unix:/s:x", "must start with \"/\""},
		{"http://unix:/s:?q", ""}, // valid: empty path, then a query
	}
	for _, tc := range tests {
		u, err := ParseURI(tc.in, URIUnixSocket)
		if tc.reason == "" {
			if err != nil {
				t.Errorf("ParseURI(%q): %v", tc.in, err)
			} else if u.UnixSocket != "/s" || u.Path != "" || u.Query != "q" {
				t.Errorf("ParseURI(%q) = %+v", tc.in, u)
			}
			continue
		}
		if !errors.Is(err, ErrURI) || !strings.Contains(err.Error(), tc.reason) {
			t.Errorf("ParseURI(%q) = %+v, %v; want ErrURI with %q", tc.in, u, err, tc.reason)
		}
	}
}

func TestURIErrorMessage(t *testing.T) {
	_, err := ParseURI("http://h:99999/", 0)
	const want = "evhttp: malformed URI: port out of range at offset 9"
	if err == nil || err.Error() != want {
		t.Fatalf("err = %v, want %q", err, want)
	}
}

func TestParseURIAuthorityForm(t *testing.T) {
	good := []struct {
		in   string
		host string
		port int
	}{
		{"example.com:443", "example.com", 443},
		{"[::1]:8080", "[::1]", 8080},
		{"192.0.2.1:0", "192.0.2.1", 0},
		{"[v1.x]:1", "[v1.x]", 1},
	}
	for _, tc := range good {
		u, err := ParseAuthority(tc.in)
		if err != nil {
			t.Errorf("ParseAuthority(%q): %v", tc.in, err)
			continue
		}
		if u.Host != tc.host || u.Port != tc.port || u.Path != "" || u.Scheme != "" || !u.HasAuthority() {
			t.Errorf("ParseAuthority(%q) = %+v", tc.in, u)
		}
		if got, want := u.String(), "//"+tc.in; got != want {
			t.Errorf("String() = %q, want %q", got, want)
		}
	}
	bad := []struct{ in, reason string }{
		{"example.com", "needs a port"},
		{"example.com:", "needs a port"},
		{":443", "needs a host"},
		{"", "needs a host"},
		{"user@example.com:443", "holds '@'"},
		{"example.com:443/x", "holds '/'"},
		{"example.com:443?q", "holds '?'"},
		{"example.com:443#f", "holds '#'"},
		{"example.com:70000", "port out of range"},
		{"exa mple.com:80", "invalid host"},
		{"[::1:80", "invalid host"},
		{"[fe80::1%eth0]:80", "IPv6"},
	}
	for _, tc := range bad {
		u, err := ParseAuthority(tc.in)
		if !errors.Is(err, ErrURI) || !strings.Contains(err.Error(), tc.reason) {
			t.Errorf("ParseAuthority(%q) = %+v, %v; want ErrURI with %q", tc.in, u, err, tc.reason)
		}
	}
}

// A URI built by hand: String writes what is set and brackets an IPv6 host.
func TestURIStringBuilt(t *testing.T) {
	tests := []struct {
		u    URI
		want string
	}{
		{URI{Scheme: "http", Host: "www.example.com", Port: -1, Path: "/"}, "http://www.example.com/"},
		{URI{Scheme: "http", Host: "::1", Port: 80, Path: "/x"}, "http://[::1]:80/x"},
		{URI{Scheme: "http", Host: "[::1]", Port: -1}, "http://[::1]"},
		{URI{Scheme: "http", Userinfo: "u", Host: "h", Port: -1}, "http://u@h"},
		{URI{Scheme: "http", UnixSocket: "/run/s", Port: -1, Path: "/p", Query: "a=1"}, "http://unix:/run/s:/p?a=1"},
		{URI{Path: "/p", Port: -1, Query: "q", Fragment: "f"}, "/p?q#f"},
		{URI{Scheme: "mailto", Path: "a@b", Port: -1}, "mailto:a@b"},
		{URI{Port: -1}, ""},
		// Port 0 is a port: a hand-built URI must say -1 for none.
		{URI{Host: "h"}, "//h:0"},
	}
	for _, tc := range tests {
		if got := tc.u.String(); got != tc.want {
			t.Errorf("%+v.String() = %q, want %q", tc.u, got, tc.want)
		}
	}
}

// Parse, join, parse again: the same URI, and the join is stable.
func TestURIJoinRoundTrip(t *testing.T) {
	inputs := []struct {
		s     string
		flags URIFlags
	}{
		{"http://[::1]:80/a?b#c", URIHostStripBrackets},
		{"http://[v1.a:b]/", URIHostStripBrackets},
		{"http://u@unix:/s:/p?q#f", URIUnixSocket | URIHostStripBrackets},
		{"http://h:/?#", 0},
		{"/a b?c d#e#f", URINonConformant},
		{"file:///etc/hosts", 0},
		{"http://@h", 0},
	}
	for _, tc := range validURIs {
		inputs = append(inputs, struct {
			s     string
			flags URIFlags
		}{tc.in, 0})
	}
	for _, in := range inputs {
		u, err := ParseURI(in.s, in.flags)
		if err != nil {
			t.Errorf("ParseURI(%q): %v", in.s, err)
			continue
		}
		j := u.String()
		v, err := ParseURI(j, in.flags)
		if err != nil {
			t.Errorf("ParseURI(String(%q) = %q): %v", in.s, j, err)
			continue
		}
		if *u != *v {
			t.Errorf("round trip of %q via %q:\n %+v\n %+v", in.s, j, *u, *v)
		}
		if v.String() != j {
			t.Errorf("String not stable: %q then %q", j, v.String())
		}
	}
}

// A long input costs linear time: with 256 KiB parts the checks below
// would take minutes if any step were quadratic.
func TestParseURILong(t *testing.T) {
	n := 1 << 18
	if testing.Short() {
		n = 1 << 14
	}
	long := []string{
		"http://" + strings.Repeat("a", n) + "/",
		"http://h:" + strings.Repeat("0", n) + "1/",
		"/" + strings.Repeat("a/", n) + "?" + strings.Repeat("q=1&", n),
		strings.Repeat("a", n) + ":" + strings.Repeat("b:", n),
		"http://[" + strings.Repeat("v", n) + "]/",
		"http://" + strings.Repeat("@", n),
	}
	for i, s := range long {
		for _, flags := range []URIFlags{0, URINonConformant | URIUnixSocket} {
			u, err := ParseURI(s, flags)
			if err == nil && u.String() == "" {
				t.Errorf("input %d: empty join", i)
			}
		}
	}
	if u, err := ParseURI(long[1], 0); err != nil || u.Port != 1 {
		t.Errorf("leading zeros: %v, %v", u, err)
	}
	if _, err := ParseURI(long[4], 0); !errors.Is(err, ErrURI) {
		t.Errorf("long IPvFuture without '.': %v", err)
	}
}

func TestDecodeQuery(t *testing.T) {
	p := func(kv ...string) Query {
		var q Query
		for i := 0; i < len(kv); i += 2 {
			q = append(q, QueryParam{kv[i], kv[i+1]})
		}
		return q
	}
	tests := []struct {
		in     string
		flags  QueryFlags
		want   Query
		errSub string // non-empty: want an ErrQuery error containing it
	}{
		// libevent's parse_query cases (strict).
		{"q=test", 0, p("q", "test"), ""},
		{"q=test&foo=bar", 0, p("q", "test", "foo", "bar"), ""},
		{"q=test+foo", 0, p("q", "test foo"), ""},
		{"q=test%0Afoo", 0, p("q", "test\nfoo"), ""},
		{"q=test%0Dfoo", 0, p("q", "test\rfoo"), ""},
		{"q=test&&q2", 0, nil, "parameter 2 has no \"=\""},
		{"q=test+this", 0, p("q", "test this"), ""},
		{"q=test&q2=foo", 0, p("q", "test", "q2", "foo"), ""},
		{"q&q2=foo", 0, nil, "parameter 1 has no \"=\""},
		{"q=foo&q2", 0, nil, "parameter 2 has no"},
		{"q=foo&q2&q3=x", 0, nil, "parameter 2 has no"},
		{"q=&q2=&q3=", 0, p("q", "", "q2", "", "q3", ""), ""},
		{"&", 0, nil, "parameter 1 has no"},
		{"=v", 0, nil, "parameter 1 has an empty name"},
		{"a=1&=2", 0, nil, "parameter 2 has an empty name"},
		// Details.
		{"", 0, nil, ""},
		{"a=1&", 0, p("a", "1"), ""},
		{"a=b=c", 0, p("a", "b=c"), ""},
		{"a=%zz%4%", 0, p("a", "%zz%4%"), ""},
		{"a%20b=c%20d", 0, p("a%20b", "c d"), ""},
		{"a+b=1", 0, p("a+b", "1"), ""},
		{"A=1&a=2", 0, p("A", "1", "a", "2"), ""},
		{"a=1&a=2&b=3&a=4", 0, p("a", "1", "a", "2", "b", "3", "a", "4"), ""},
		{"x=%00", 0, p("x", "\x00"), ""},
		// Nonconformant: no "=" gives "", an empty name is skipped.
		{"q=test&&q2", QueryNonConformant, p("q", "test", "q2", ""), ""},
		{"q&q2=foo", QueryNonConformant, p("q", "", "q2", "foo"), ""},
		{"&", QueryNonConformant, nil, ""},
		{"=v&a=1&&=&b", QueryNonConformant, p("a", "1", "b", ""), ""},
		// Last value only, at the position of the last occurrence.
		{"a=1&a=2&b=3&a=4", QueryLastVal, p("b", "3", "a", "4"), ""},
		{"a=1&b=2&a=3&b=4", QueryLastVal, p("a", "3", "b", "4"), ""},
		{"a=1&A=2", QueryLastVal, p("a", "1", "A", "2"), ""},
		{"a=1&a", QueryLastVal, nil, "parameter 2 has no"},
		{"a=1&a", QueryLastVal | QueryNonConformant, p("a", ""), ""},
	}
	for _, tc := range tests {
		got, err := DecodeQuery(tc.in, tc.flags)
		if tc.errSub != "" {
			if !errors.Is(err, ErrQuery) || !strings.Contains(err.Error(), tc.errSub) || got != nil {
				t.Errorf("DecodeQuery(%q, %#x) = %q, %v; want ErrQuery with %q", tc.in, tc.flags, got, err, tc.errSub)
			}
			continue
		}
		if err != nil || !equalQuery(got, tc.want) {
			t.Errorf("DecodeQuery(%q, %#x) = %q, %v; want %q", tc.in, tc.flags, got, err, tc.want)
		}
	}
}

func equalQuery(a, b Query) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestQueryAccessors(t *testing.T) {
	q, err := DecodeQuery("a=1&b=&a=2&c=x+y", 0)
	if err != nil {
		t.Fatal(err)
	}
	if got := q.Get("a"); got != "1" {
		t.Errorf("Get(a) = %q, want first value 1", got)
	}
	if got := q.Get("c"); got != "x y" {
		t.Errorf("Get(c) = %q", got)
	}
	if got := q.Get("missing"); got != "" {
		t.Errorf("Get(missing) = %q", got)
	}
	if got := q.Values("a"); len(got) != 2 || got[0] != "1" || got[1] != "2" {
		t.Errorf("Values(a) = %q", got)
	}
	if got := q.Values("A"); got != nil {
		t.Errorf("Values(A) = %q, want nil (names are case-sensitive)", got)
	}
	if !q.Has("b") || q.Get("b") != "" || q.Has("B") || q.Has("") {
		t.Errorf("Has: b=%v B=%v empty=%v", q.Has("b"), q.Has("B"), q.Has(""))
	}
	var empty Query
	if empty.Get("a") != "" || empty.Has("a") || empty.Values("a") != nil {
		t.Error("nil Query is not empty")
	}
}

func TestEncodeURIComponent(t *testing.T) {
	tests := []struct {
		in   string
		plus bool
		want string
	}{
		// libevent's uriencode cases.
		{"Hello", false, "Hello"},
		{"99", false, "99"},
		{"", false, ""},
		{"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-.~_", false, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-.~_"},
		{" ", false, "%20"},
		{" ", true, "+"},
		{"\xff\xf0\xe0", false, "%FF%F0%E0"},
		{"\x01\x19", true, "%01%19"},
		{"http://www.ietf.org/rfc/rfc3986.txt", true, "http%3A%2F%2Fwww.ietf.org%2Frfc%2Frfc3986.txt"},
		{"1+2=3", true, "1%2B2%3D3"},
		{"1+2=3", false, "1%2B2%3D3"},
		{"hello\x00world", false, "hello%00world"},
		// Every reserved and special character.
		{"!#$&'()*+,/:;=?@[]%\"<>\\^`{|}", false, "%21%23%24%26%27%28%29%2A%2B%2C%2F%3A%3B%3D%3F%40%5B%5D%25%22%3C%3E%5C%5E%60%7B%7C%7D"},
		{"a b+c", true, "a+b%2Bc"},
		{"caf\u00e9", false, "caf%C3%A9"},
	}
	for _, tc := range tests {
		got := EncodeURIComponent(tc.in, tc.plus)
		if got != tc.want {
			t.Errorf("EncodeURIComponent(%q, %v) = %q, want %q", tc.in, tc.plus, got, tc.want)
		}
		if back := DecodeURIComponent(got, tc.plus); back != tc.in {
			t.Errorf("DecodeURIComponent(%q, %v) = %q, want %q", got, tc.plus, back, tc.in)
		}
	}
}

func TestDecodeURIComponent(t *testing.T) {
	tests := []struct {
		in   string
		plus bool
		want string
	}{
		// libevent's uridecode cases: malformed escapes stay as they are.
		{"%%xhello th+ere \xff", false, "%%xhello th+ere \xff"},
		{"plus+should%20work+", true, "plus should work "},
		{"%f0%a0%b0", true, "\xf0\xa0\xb0"},
		{"%00%00x%00%00", true, "\x00\x00x\x00\x00"},
		// Invalid escapes.
		{"%zz", false, "%zz"},
		{"%4", false, "%4"},
		{"%", false, "%"},
		{"a%", true, "a%"},
		{"a%4", true, "a%4"},
		{"%4g%g4", false, "%4g%g4"},
		{"%%41", false, "%A"},
		{"%2541", false, "%41"},
		{"%41%", false, "A%"},
		// Plus only on request.
		{"a+b", false, "a+b"},
		{"a+b", true, "a b"},
		{"%2B+", true, "+ "},
		{"", true, ""},
		{"%2f%2F", false, "//"},
	}
	for _, tc := range tests {
		if got := DecodeURIComponent(tc.in, tc.plus); got != tc.want {
			t.Errorf("DecodeURIComponent(%q, %v) = %q, want %q", tc.in, tc.plus, got, tc.want)
		}
	}
}

func TestDecodePath(t *testing.T) {
	tests := []struct{ in, want string }{
		{"/a/b", "/a/b"},
		{"/a%20b", "/a b"},
		{"/a+b", "/a+b"},
		{"/a%2Fb", "/a/b"},
		{"/%zz/%4/%", "/%zz/%4/%"},
		{"/%e2%82%ac", "/\u20ac"},
		{"", ""},
	}
	for _, tc := range tests {
		if got := DecodePath(tc.in); got != tc.want {
			t.Errorf("DecodePath(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

// The helpers return their argument itself when there is nothing to do.
func TestEncodeDecodeNoAlloc(t *testing.T) {
	cases := []struct {
		name string
		fn   func() string
	}{
		{"DecodePath plain", func() string { return DecodePath("/static/css/site.css") }},
		{"DecodePath bad escapes", func() string { return DecodePath("/100%/%zz") }},
		{"DecodeURIComponent", func() string { return DecodeURIComponent("a+b", false) }},
		{"EncodeURIComponent", func() string { return EncodeURIComponent("abc-1.2_3~", true) }},
		{"HTMLEscape", func() string { return HTMLEscape("plain text") }},
	}
	for _, c := range cases {
		if n := testing.AllocsPerRun(100, func() { _ = c.fn() }); n != 0 {
			t.Errorf("%s: %v allocs, want 0", c.name, n)
		}
	}
	if n := testing.AllocsPerRun(100, func() { _ = DecodePath("/a%20b/c%2Fd") }); n > 1 {
		t.Errorf("DecodePath with escapes: %v allocs, want at most 1", n)
	}
}

func TestHTMLEscape(t *testing.T) {
	tests := []struct{ in, want string }{
		{"", ""},
		{"plain", "plain"},
		{"<script>alert('x')</script>", "&lt;script&gt;alert(&#039;x&#039;)&lt;/script&gt;"},
		{`a "b" & c`, "a &quot;b&quot; &amp; c"},
		{"&amp;", "&amp;amp;"},
		{"\x00<\xff>", "\x00&lt;\xff&gt;"},
	}
	for _, tc := range tests {
		if got := HTMLEscape(tc.in); got != tc.want {
			t.Errorf("HTMLEscape(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}
