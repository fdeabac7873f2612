package evhttp

import (
	"fmt"
	"strings"
)

// QueryFlags select how DecodeQuery treats malformed parameters; they are
// libevent's EVHTTP_URI_QUERY_* flags, with the same values.
type QueryFlags int

const (
	// QueryNonConformant tolerates a parameter without "=" (its value is
	// "") and skips a parameter with an empty name, instead of failing.
	QueryNonConformant QueryFlags = 0x01
	// QueryLastVal keeps only the last value of a repeated name, at the
	// position of that last occurrence.
	QueryLastVal QueryFlags = 0x02
)

// A QueryParam is one name=value pair of a query string. Key is raw (as
// in the query string); Value is percent-decoded with "+" as space.
type QueryParam struct {
	Key, Value string
}

// A Query is a decoded query string: its parameters in order, duplicates
// kept (unless decoded with QueryLastVal). Names are compared exactly
// (case-sensitively), as written in the query.
type Query []QueryParam

// Get returns the value of the first parameter named key, or "" if there
// is none (use Has to tell an empty value from a missing one).
func (q Query) Get(key string) string {
	for _, p := range q {
		if p.Key == key {
			return p.Value
		}
	}
	return ""
}

// Values returns the values of every parameter named key, in order, or nil.
func (q Query) Values(key string) []string {
	var vs []string
	for _, p := range q {
		if p.Key == key {
			vs = append(vs, p.Value)
		}
	}
	return vs
}

// Has reports whether a parameter named key is present.
func (q Query) Has(key string) bool {
	for _, p := range q {
		if p.Key == key {
			return true
		}
	}
	return false
}

// DecodeQuery splits a query string (without its "?") into parameters, as
// libevent's evhttp_parse_query_str_flags: on "&", then on the first "=".
// Values are percent-decoded with "+" read as a space
// (DecodeURIComponent(v, true)); names are kept raw, as libevent does, so
// "a%20b=1" has the name "a%20b". An empty query, or a single trailing "&"
// ("a=1&"), adds nothing.
//
// By default (strict) a parameter without "=" or with an empty name fails
// the whole decoding with an error wrapping ErrQuery; QueryNonConformant
// tolerates them (see there). QueryLastVal keeps only the last value of
// each name. Unlike libevent, whose parameter list compares names
// case-insensitively, names here are case-sensitive. The work is linear in
// len(query).
func DecodeQuery(query string, flags QueryFlags) (Query, error) {
	var q Query
	for i, rest := 0, query; rest != ""; i++ {
		var param string
		param, rest, _ = strings.Cut(rest, "&")
		key, value, hasEq := strings.Cut(param, "=")
		if !hasEq || key == "" {
			if flags&QueryNonConformant == 0 {
				what := "has no \"=\""
				if hasEq {
					what = "has an empty name"
				}
				return nil, fmt.Errorf("%w: parameter %d %s", ErrQuery, i+1, what)
			}
			if key == "" {
				continue
			}
		}
		q = append(q, QueryParam{key, DecodeURIComponent(value, true)})
	}
	if flags&QueryLastVal != 0 && len(q) > 1 {
		q = keepLast(q)
	}
	return q, nil
}

// keepLast removes from q every parameter whose name occurs again later,
// in place.
func keepLast(q Query) Query {
	last := make(map[string]int, len(q))
	for i, p := range q {
		last[p.Key] = i
	}
	out := q[:0]
	for i, p := range q {
		if last[p.Key] == i {
			out = append(out, p)
		}
	}
	clear(q[len(out):])
	return out
}

const upperHex = "0123456789ABCDEF"

// EncodeURIComponent percent-encodes s as libevent's evhttp_uriencode:
// unreserved bytes (ALPHA, DIGIT, "-", ".", "_", "~") are kept, every
// other byte becomes "%XX" with uppercase hex; with spaceAsPlus a space
// becomes "+" instead of "%20". When nothing needs encoding it returns s
// itself without allocating.
func EncodeURIComponent(s string, spaceAsPlus bool) string {
	extra, changed := 0, false
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case isUnreserved(c):
		case c == ' ' && spaceAsPlus:
			changed = true
		default:
			extra += 2
			changed = true
		}
	}
	if !changed {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + extra)
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case isUnreserved(c):
			b.WriteByte(c)
		case c == ' ' && spaceAsPlus:
			b.WriteByte('+')
		default:
			b.WriteByte('%')
			b.WriteByte(upperHex[c>>4])
			b.WriteByte(upperHex[c&15])
		}
	}
	return b.String()
}

// DecodeURIComponent decodes "%XX" escapes (either case of hex) in s, as
// libevent's evhttp_uridecode; with decodePlus it also turns "+" into a
// space. An invalid escape ("%zz", "%4", a trailing "%") is left as it is.
// Decoded bytes may be anything, including NUL, "/" and invalid UTF-8.
// When there is nothing to decode it returns s itself without allocating.
func DecodeURIComponent(s string, decodePlus bool) string {
	return unescape(s, decodePlus)
}

// DecodePath decodes the "%XX" escapes of a URI path for routing, as
// libevent does before matching callbacks: invalid escapes are left as
// they are and "+" is not a space in a path. It returns path itself, with
// no allocation, when it holds no valid escape. Note that "%2F" decodes to
// "/": routes see "/a%2Fb" as "/a/b", as in libevent.
func DecodePath(path string) string {
	return unescape(path, false)
}

// unescape implements DecodeURIComponent and DecodePath: one pass to find
// the first byte to change, then one allocation for the result.
func unescape(s string, plus bool) string {
	first := -1
	for i := 0; i < len(s); i++ {
		if s[i] == '+' && plus || s[i] == '%' && validEscapeAt(s, i) {
			first = i
			break
		}
	}
	if first < 0 {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	b.WriteString(s[:first])
	for i := first; i < len(s); i++ {
		switch c := s[i]; {
		case c == '+' && plus:
			b.WriteByte(' ')
		case c == '%' && validEscapeAt(s, i):
			b.WriteByte(unhex(s[i+1])<<4 | unhex(s[i+2]))
			i += 2
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

// HTMLEscape replaces the HTML special characters of s as libevent's
// evhttp_htmlescape: "<" "&lt;", ">" "&gt;", `"` "&quot;", "'" "&#039;",
// "&" "&amp;". Other bytes are copied. When there is nothing to escape it
// returns s itself without allocating.
func HTMLEscape(s string) string {
	extra := 0
	for i := 0; i < len(s); i++ {
		extra += len(htmlEntity(s[i]))
	}
	if extra == 0 {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + extra)
	for i := 0; i < len(s); i++ {
		if e := htmlEntity(s[i]); e != "" {
			b.WriteString(e)
		} else {
			b.WriteByte(s[i])
		}
	}
	return b.String()
}

// htmlEntity returns the entity HTMLEscape writes for c, or "" when c is
// copied as it is.
func htmlEntity(c byte) string {
	switch c {
	case '<':
		return "&lt;"
	case '>':
		return "&gt;"
	case '"':
		return "&quot;"
	case '\'':
		return "&#039;"
	case '&':
		return "&amp;"
	}
	return ""
}

// validEscapeAt reports whether s[i:] starts with "%" and two hex digits.
func validEscapeAt(s string, i int) bool {
	return i+2 < len(s) && s[i] == '%' && isHex(s[i+1]) && isHex(s[i+2])
}

// isUnreserved reports whether c is RFC 3986 unreserved:
// ALPHA / DIGIT / "-" / "." / "_" / "~".
func isUnreserved(c byte) bool {
	return isAlpha(c) || isDigit(c) || c == '-' || c == '.' || c == '_' || c == '~'
}

func isHex(c byte) bool {
	return isDigit(c) || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

// unhex returns the value of the hex digit c (which isHex accepts).
func unhex(c byte) byte {
	switch {
	case isDigit(c):
		return c - '0'
	case 'a' <= c && c <= 'f':
		return c - 'a' + 10
	}
	return c - 'A' + 10
}
