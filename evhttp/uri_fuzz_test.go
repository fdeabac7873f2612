package evhttp

import (
	"errors"
	"strings"
	"testing"
)

// FuzzParseURI checks that ParseURI never panics, that every error is a
// *URIError wrapping ErrURI with an offset inside the input, and that a
// parsed URI survives String: re-parsing the joined text with the same
// flags gives an equal URI, whose String is the same text. This holds for
// every accepted input; there are no exceptions to skip.
func FuzzParseURI(f *testing.F) {
	seeds := []string{
		"http://www.test.com/?q=t%33est", "scheme://user:pass@foo.com:42/?q=test&s=some+thing#fragment",
		"ftp://[::1]:999/?q=test", "ftp://[v99.not_(any:time)_soon]/?q=test", "http://www.test.com:",
		"file:///some/path", "///x", "mailto:foo@bar", "bob?q=99&q2=q?33#fr?ed", "#fr?ed",
		"http://unix:/tmp/s.sock:/p?a=1", "http://u@unix:/s:", "/a b?c d#e#f", "99:99/foo",
		"http://[::1]]/", "http://h:65536/", "/a\r\nb", "h%3ttp://x", "", "?", "http://@:/?#",
	}
	for i, s := range seeds {
		f.Add(s, uint8(i))
	}
	f.Fuzz(func(t *testing.T, s string, fl uint8) {
		flags := URIFlags(fl) & (URINonConformant | URIHostStripBrackets | URIUnixSocket)
		u, err := ParseURI(s, flags)
		if err != nil {
			var ue *URIError
			if !errors.Is(err, ErrURI) || !errors.As(err, &ue) {
				t.Fatalf("ParseURI(%q, %#x): error %v is not a *URIError wrapping ErrURI", s, flags, err)
			}
			if ue.Offset < 0 || ue.Offset > len(s) || ue.Reason == "" {
				t.Fatalf("ParseURI(%q, %#x): %+v", s, flags, ue)
			}
			return
		}
		if u.Port < -1 || u.Port > 65535 {
			t.Fatalf("ParseURI(%q): port %d", s, u.Port)
		}
		if strings.ContainsAny(u.Path+u.Query+u.Fragment+u.Host+u.Userinfo+u.UnixSocket, "\x00\r\n") {
			t.Fatalf("ParseURI(%q): control byte accepted: %+v", s, u)
		}
		j := u.String()
		v, err := ParseURI(j, flags)
		if err != nil {
			t.Fatalf("ParseURI(%q, %#x) = %+v; its String %q does not parse: %v", s, flags, *u, j, err)
		}
		if *u != *v {
			t.Fatalf("round trip of %q via %q (flags %#x):\n %+v\n %+v", s, j, flags, *u, *v)
		}
		if j2 := v.String(); j2 != j {
			t.Fatalf("String not stable for %q: %q then %q", s, j, j2)
		}
		if len(j) > len(s) {
			t.Fatalf("String(%q) = %q is longer than its input", s, j)
		}
	})
}

// FuzzDecodeQuery checks DecodeQuery against the rules it documents: the
// nonconformant mode never fails and keeps exactly the parameters with a
// non-empty name; strict mode fails exactly when such a parameter is
// missing "=" or its name; last-value mode leaves each name once, with its
// last value.
func FuzzDecodeQuery(f *testing.F) {
	for _, s := range []string{"q=test&s=some+thing", "q=test&&q2", "&", "a=1&a=2&b=%41", "=x&y", "a=1&", "%zz=%zz+"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		// The parameters DecodeQuery should see: pieces between "&", minus
		// the empty piece after a final "&".
		pieces := strings.Split(s, "&")
		if s == "" || strings.HasSuffix(s, "&") {
			pieces = pieces[:len(pieces)-1]
		}
		wellFormed := true
		var keep []QueryParam
		for _, p := range pieces {
			k, v, ok := strings.Cut(p, "=")
			if !ok || k == "" {
				wellFormed = false
			}
			if k != "" {
				keep = append(keep, QueryParam{k, DecodeURIComponent(v, true)})
			}
		}

		nc, err := DecodeQuery(s, QueryNonConformant)
		if err != nil || !equalQuery(nc, keep) {
			t.Fatalf("DecodeQuery(%q, NonConformant) = %q, %v; want %q", s, nc, err, keep)
		}
		strict, err := DecodeQuery(s, 0)
		if wellFormed != (err == nil) || err != nil && !errors.Is(err, ErrQuery) {
			t.Fatalf("DecodeQuery(%q, strict) = %q, %v; well-formed %v", s, strict, err, wellFormed)
		}
		if err == nil && !equalQuery(strict, keep) {
			t.Fatalf("DecodeQuery(%q, strict) = %q, want %q", s, strict, keep)
		}

		last, err := DecodeQuery(s, QueryNonConformant|QueryLastVal)
		if err != nil {
			t.Fatalf("DecodeQuery(%q, NonConformant|LastVal): %v", s, err)
		}
		seen := make(map[string]bool)
		for _, p := range last {
			if seen[p.Key] {
				t.Fatalf("DecodeQuery(%q, LastVal): %q twice in %q", s, p.Key, last)
			}
			seen[p.Key] = true
			vs := nc.Values(p.Key)
			if p.Value != vs[len(vs)-1] {
				t.Fatalf("DecodeQuery(%q, LastVal): %q=%q, last value is %q", s, p.Key, p.Value, vs[len(vs)-1])
			}
		}
		for _, p := range nc {
			if !seen[p.Key] {
				t.Fatalf("DecodeQuery(%q, LastVal) lost %q", s, p.Key)
			}
		}
	})
}

// FuzzPercentRoundTrip checks that decoding undoes encoding in both space
// modes, that the encoding holds only unreserved bytes, "%XX" and (with
// spaceAsPlus) "+", and that decoding never grows its input.
func FuzzPercentRoundTrip(f *testing.F) {
	for _, s := range []string{"", "Hello", " ", "1+2=3", "\x00\xff", "%zz%4%", "a b+c/d?e#f", "caf\u00e9"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		for _, plus := range []bool{false, true} {
			e := EncodeURIComponent(s, plus)
			for i := 0; i < len(e); i++ {
				c := e[i]
				switch {
				case isUnreserved(c), c == '+' && plus:
				case c == '%' && validEscapeAt(e, i) && !isLowerHex(e[i+1]) && !isLowerHex(e[i+2]):
					i += 2
				default:
					t.Fatalf("EncodeURIComponent(%q, %v) = %q: byte %q at %d", s, plus, e, c, i)
				}
			}
			if d := DecodeURIComponent(e, plus); d != s {
				t.Fatalf("DecodeURIComponent(EncodeURIComponent(%q, %v) = %q) = %q", s, plus, e, d)
			}
			if d := DecodeURIComponent(s, plus); len(d) > len(s) {
				t.Fatalf("DecodeURIComponent(%q, %v) = %q is longer", s, plus, d)
			}
		}
		if d := DecodePath(EncodeURIComponent(s, false)); d != s {
			t.Fatalf("DecodePath(EncodeURIComponent(%q)) = %q", s, d)
		}
		if d, want := DecodePath(s), DecodeURIComponent(s, false); d != want {
			t.Fatalf("DecodePath(%q) = %q, DecodeURIComponent = %q", s, d, want)
		}
		if h := HTMLEscape(s); strings.ContainsAny(h, "<>\"'") {
			t.Fatalf("HTMLEscape(%q) = %q", s, h)
		}
	})
}

func isLowerHex(c byte) bool { return 'a' <= c && c <= 'f' }
