package evhttp

import (
	"errors"
	"net/netip"
	"strconv"
	"strings"
)

// Errors returned by the URI parser and the query-string decoder. Each is
// comparable with errors.Is; a returned error wraps one of them with detail.
var (
	// ErrURI: ParseURI or ParseAuthority met text that is not a URI
	// reference in the accepted syntax. The error is a *URIError, which
	// says what is wrong and where.
	ErrURI = errors.New("evhttp: malformed URI")
	// ErrQuery: DecodeQuery, in strict mode, met a parameter without "=" or
	// with an empty name.
	ErrQuery = errors.New("evhttp: malformed query string")
)

// A URIError reports why and where ParseURI or ParseAuthority rejected its
// input. It wraps ErrURI.
type URIError struct {
	Offset int    // byte offset in the input where the problem was found
	Reason string // what is wrong, e.g. "port out of range"
}

// Error returns "evhttp: malformed URI: <reason> at offset <n>".
func (e *URIError) Error() string {
	return ErrURI.Error() + ": " + e.Reason + " at offset " + strconv.Itoa(e.Offset)
}

// Unwrap returns ErrURI.
func (e *URIError) Unwrap() error { return ErrURI }

// URIFlags select how ParseURI reads a URI; they are libevent's
// EVHTTP_URI_* flags, with the same values.
type URIFlags int

const (
	// URINonConformant skips the character validation of the path, query
	// and fragment: the path runs to the first "?" or "#", the query to the
	// first "#", the fragment to the end. Scheme and authority are still
	// validated, and the three shape rules of ParseURI still apply. Unlike
	// libevent, control bytes (0x00-0x1F, 0x7F) are rejected even here:
	// they are never part of a URI and a CR or LF passed on is an injection.
	// Spaces and bytes above 0x7F are accepted, as libevent does.
	URINonConformant URIFlags = 0x01
	// URIHostStripBrackets stores an IP-literal host (IPv6 or IPvFuture)
	// without its brackets, so Host is "::1" rather than "[::1]". String
	// puts the brackets back.
	URIHostStripBrackets URIFlags = 0x04
	// URIUnixSocket accepts the authority "unix:" PATH ":" naming a
	// Unix-domain socket, as in "http://unix:/run/app.sock:/index.html".
	// PATH runs to the next ":" and may hold "/"; it is stored in
	// URI.UnixSocket as written (not percent-decoded), and Host stays empty.
	URIUnixSocket URIFlags = 0x08
)

// uriParts records which optional parts a parsed URI had, so that String
// can tell an absent part from an empty one ("http://h/?" keeps its "?").
type uriParts uint8

const (
	hasAuthority uriParts = 1 << iota // "//" was present
	hasUserinfo                       // "@" was present in the authority
	hasQuery                          // "?" was present
	hasFragment                       // "#" was present
	hostBrackets                      // Host is an IP literal stored without brackets
)

// A URI is a URI reference split into its RFC 3986 components, as
// libevent's struct evhttp_uri. Every component is raw: percent-escapes are
// kept, so that String rebuilds the original text; decode with
// DecodeURIComponent, DecodePath or DecodeQuery.
//
// A URI built by hand (rather than by ParseURI) must set Port to -1 when it
// has no port: the zero value 0 is a port. Its authority ("//") is written
// when Host, Userinfo or UnixSocket is non-empty; its query and fragment
// when non-empty. A URI holds no references to other memory and may be
// copied; it is not safe to modify from several goroutines at once.
type URI struct {
	// Scheme as written, without ":"; empty when absent. Schemes are
	// case-insensitive: compare with strings.EqualFold.
	Scheme string
	// Userinfo before "@" in the authority; empty when absent.
	Userinfo string
	// Host: a reg-name, an IPv4 address, or an IP literal with its
	// brackets ("[::1]", "[v1.x]") unless URIHostStripBrackets was given.
	// Empty when there is no authority, or an empty one ("file:///x").
	Host string
	// Port is the port number, or -1 when absent or empty ("host:").
	Port int
	// Path as written; may be empty.
	Path string
	// Query without the leading "?"; empty when absent (see HasQuery).
	Query string
	// Fragment without the leading "#"; empty when absent (see HasFragment).
	Fragment string
	// UnixSocket is the socket path of a "unix:PATH:" authority (only
	// with URIUnixSocket); empty otherwise.
	UnixSocket string
	// Flags are the flags the URI was parsed with.
	Flags URIFlags

	parts uriParts
}

// HasAuthority reports whether the URI has an authority component ("//"),
// possibly empty as in "file:///etc/hosts".
func (u *URI) HasAuthority() bool {
	return u.parts&hasAuthority != 0 || u.Host != "" || u.Userinfo != "" || u.UnixSocket != ""
}

// HasQuery reports whether the URI has a query component, possibly empty
// as in "/path?".
func (u *URI) HasQuery() bool { return u.parts&hasQuery != 0 || u.Query != "" }

// HasFragment reports whether the URI has a fragment component, possibly
// empty as in "/path#".
func (u *URI) HasFragment() bool { return u.parts&hasFragment != 0 || u.Fragment != "" }

// ParseURI parses s as a URI reference (RFC 3986 §4.1: an absolute URI or
// a relative reference such as the origin-form "/a/b?x=1") the way
// libevent's evhttp_uri_parse_with_flags does:
//
//   - scheme: the text before the first ":" when it is ALPHA *(ALPHA /
//     DIGIT / "+" / "-" / "."); otherwise there is no scheme.
//   - authority, after "//", up to the first "/", "?" or "#":
//     [userinfo "@"] host [":" port]. The host is a reg-name (unreserved,
//     sub-delims, pct-encoded; this covers IPv4), a bracketed IPv6 address
//     or a bracketed IPvFuture ("[v1.x]"). The port is decimal, at most
//     65535; an empty port ("host:") leaves Port at -1.
//   - path, "?" query, "#" fragment: each byte must be unreserved, a
//     sub-delim, ":", "@", "/" or a valid "%XX" escape; "?" is also allowed
//     in the query and the fragment. URINonConformant relaxes this.
//
// It rejects a relative reference whose first path segment holds a ":"
// (it would read as a scheme), an authority followed by a path not
// starting with "/" (possible only after a "unix:" authority), and a
// path starting with "//" without an authority (which cannot arise: such
// text parses as an authority). So, as in libevent, a request target
// "//a/b" has Host "a" and Path "/b"; a server routing on the path of an
// origin-form target should take it from the target itself.
//
// Where libevent is lenient ParseURI is stricter: control bytes are
// rejected in every mode, an IPv6 literal may not carry a zone ("%eth0"),
// an IPvFuture needs at least one character after its ".", and a
// "unix:" socket path must be non-empty and made of path characters.
// The work is linear in len(s). Errors are *URIError values wrapping
// ErrURI.
func ParseURI(s string, flags URIFlags) (*URI, error) {
	u := &URI{Port: -1, Flags: flags}
	rest := s
	off := func() int { return len(s) - len(rest) }

	if i := strings.IndexByte(rest, ':'); i >= 0 && isScheme(rest[:i]) {
		u.Scheme = rest[:i]
		rest = rest[i+1:]
	}
	if strings.HasPrefix(rest, "//") {
		rest = rest[2:]
		n, err := u.parseAuthority(rest, authorityEnd(rest), off())
		if err != nil {
			return nil, err
		}
		rest = rest[n:]
		u.parts |= hasAuthority
	}

	pathOff := off()
	n := componentEnd(rest, partPath, flags)
	u.Path, rest = rest[:n], rest[n:]
	if rest != "" && rest[0] == '?' {
		rest = rest[1:]
		n = componentEnd(rest, partQuery, flags)
		u.Query, rest = rest[:n], rest[n:]
		u.parts |= hasQuery
	}
	if rest != "" && rest[0] == '#' {
		rest = rest[1:]
		n = componentEnd(rest, partFragment, flags)
		u.Fragment, rest = rest[:n], rest[n:]
		u.parts |= hasFragment
	}
	if rest != "" {
		return nil, badByte(rest, off())
	}

	if u.parts&hasAuthority != 0 && u.Path != "" && u.Path[0] != '/' {
		return nil, &URIError{pathOff, "path after an authority must start with \"/\""}
	}
	if u.Scheme == "" && u.parts&hasAuthority == 0 {
		seg := u.Path
		if i := strings.IndexByte(seg, '/'); i >= 0 {
			seg = seg[:i]
		}
		if i := strings.IndexByte(seg, ':'); i >= 0 {
			return nil, &URIError{pathOff + i, "\":\" in the first segment of a relative path"}
		}
	}
	return u, nil
}

// ParseAuthority parses the authority-form request-target of a CONNECT
// request (RFC 9112 §3.2.3): host ":" port, with the host syntax of
// ParseURI and a port that must be present and non-empty. Userinfo, path,
// query and fragment are rejected. The URI it returns has only Host and
// Port set (and HasAuthority true). Errors are *URIError values wrapping
// ErrURI.
func ParseAuthority(s string) (*URI, error) {
	if i := strings.IndexAny(s, "@/?#"); i >= 0 {
		return nil, &URIError{i, "authority-form holds " + strconv.QuoteRune(rune(s[i]))}
	}
	u := &URI{Port: -1, parts: hasAuthority}
	if _, err := u.parseAuthority(s, len(s), 0); err != nil {
		return nil, err
	}
	if u.Host == "" {
		return nil, &URIError{0, "authority-form needs a host"}
	}
	if u.Port < 0 {
		return nil, &URIError{len(s), "authority-form needs a port"}
	}
	return u, nil
}

// String rebuilds the URI as libevent's evhttp_uri_join does:
// scheme ":" "//" [userinfo "@"] host [":" port] path ["?" query]
// ["#" fragment], or "//" [userinfo "@"] "unix:" PATH ":" for a Unix
// socket. An empty port is dropped ("http://h:/" becomes "http://h/") and
// so are a port's leading zeros; everything else of a parsed URI is
// reproduced byte for byte, and ParseURI of the result with the same flags
// gives an equal URI. A host
// holding ":" (an IPv6 address set by hand) is bracketed. String does not
// validate a URI built by hand: a path not starting with "/" after an
// authority, for instance, is written as it is.
func (u *URI) String() string {
	var b strings.Builder
	b.Grow(len(u.Scheme) + len(u.Userinfo) + len(u.Host) + len(u.UnixSocket) +
		len(u.Path) + len(u.Query) + len(u.Fragment) + 20)
	if u.Scheme != "" {
		b.WriteString(u.Scheme)
		b.WriteByte(':')
	}
	if u.HasAuthority() {
		b.WriteString("//")
		if u.parts&hasUserinfo != 0 || u.Userinfo != "" {
			b.WriteString(u.Userinfo)
			b.WriteByte('@')
		}
		switch {
		case u.UnixSocket != "":
			b.WriteString("unix:")
			b.WriteString(u.UnixSocket)
			b.WriteByte(':')
		case u.parts&hostBrackets != 0 || (strings.IndexByte(u.Host, ':') >= 0 && !strings.HasPrefix(u.Host, "[")):
			b.WriteByte('[')
			b.WriteString(u.Host)
			b.WriteByte(']')
		default:
			b.WriteString(u.Host)
		}
		if u.UnixSocket == "" && u.Port >= 0 {
			b.WriteByte(':')
			b.WriteString(strconv.Itoa(u.Port))
		}
	}
	b.WriteString(u.Path)
	if u.HasQuery() {
		b.WriteByte('?')
		b.WriteString(u.Query)
	}
	if u.HasFragment() {
		b.WriteByte('#')
		b.WriteString(u.Fragment)
	}
	return b.String()
}

// Join is String under libevent's name (evhttp_uri_join).
func (u *URI) Join() string { return u.String() }

// parseAuthority parses the authority at the start of s, which ends at end
// (the first "/", "?" or "#"), into u; base is the offset of s in the
// whole input, for errors. It returns how many bytes it used: end, or, for
// a "unix:PATH:" authority, up to and including the ":" closing PATH,
// which may lie beyond end since PATH may hold "/".
func (u *URI) parseAuthority(s string, end, base int) (int, error) {
	auth := s[:end]
	hostStart := 0
	if at := strings.IndexByte(auth, '@'); at >= 0 {
		if i := invalidIn(auth[:at], userinfoByte); i >= 0 {
			return 0, &URIError{base + i, "invalid userinfo"}
		}
		u.Userinfo = auth[:at]
		u.parts |= hasUserinfo
		hostStart = at + 1
	}

	if u.Flags&URIUnixSocket != 0 && strings.HasPrefix(s[hostStart:], "unix:") {
		pathStart := hostStart + len("unix:")
		p := s[pathStart:]
		n := strings.IndexByte(p, ':')
		if n < 0 {
			return 0, &URIError{base + len(s), "unix socket path not closed by \":\""}
		}
		if n == 0 {
			return 0, &URIError{base + pathStart, "empty unix socket path"}
		}
		if i := invalidIn(p[:n], socketPathByte); i >= 0 {
			return 0, &URIError{base + pathStart + i, "invalid unix socket path"}
		}
		u.UnixSocket = p[:n]
		return pathStart + n + 1, nil
	}

	host := auth[hostStart:]
	j := len(host)
	for j > 0 && isDigit(host[j-1]) {
		j--
	}
	if j > 0 && host[j-1] == ':' {
		if digits := host[j:]; digits != "" {
			port, ok := parsePort(digits)
			if !ok {
				return 0, &URIError{base + hostStart + j, "port out of range"}
			}
			u.Port = port
		}
		host = host[:j-1]
	}

	if len(host) >= 2 && host[0] == '[' && host[len(host)-1] == ']' {
		if reason := checkIPLiteral(host[1 : len(host)-1]); reason != "" {
			return 0, &URIError{base + hostStart, reason}
		}
		if u.Flags&URIHostStripBrackets != 0 {
			host = host[1 : len(host)-1]
			u.parts |= hostBrackets
		}
	} else if i := invalidIn(host, regNameByte); i >= 0 {
		return 0, &URIError{base + hostStart + i, "invalid host"}
	}
	u.Host = host
	return end, nil
}

// authorityEnd returns the index of the first "/", "?" or "#" in s, or
// len(s).
func authorityEnd(s string) int {
	if i := strings.IndexAny(s, "/?#"); i >= 0 {
		return i
	}
	return len(s)
}

// parsePort parses 1*DIGIT (leading zeros allowed) as a port number not
// above 65535. It stops as soon as the value is too big, so a long run of
// digits costs nothing extra.
func parsePort(digits string) (int, bool) {
	port := 0
	for i := 0; i < len(digits); i++ {
		port = port*10 + int(digits[i]-'0')
		if port > 65535 {
			return 0, false
		}
	}
	return port, true
}

// maxIPv6Literal bounds the text handed to netip: the longest IPv6 address
// ("ffff:...:ffff:255.255.255.255") is 45 bytes.
const maxIPv6Literal = 64

// checkIPLiteral validates the inside of "[...]" (RFC 3986 §3.2.2):
// IPvFuture = "v" 1*HEXDIG "." 1*( unreserved / sub-delims / ":" ), or an
// IPv6 address without a zone. It returns "" when valid, else the reason.
func checkIPLiteral(s string) string {
	if s != "" && (s[0] == 'v' || s[0] == 'V') {
		dot := strings.IndexByte(s, '.')
		if dot < 2 || invalidIn(s[1:dot], isHex) >= 0 {
			return "invalid IPvFuture version"
		}
		if dot == len(s)-1 || invalidIn(s[dot+1:], ipFutureByte) >= 0 {
			return "invalid IPvFuture address"
		}
		return ""
	}
	if len(s) > maxIPv6Literal || strings.IndexByte(s, '%') >= 0 {
		return "invalid IPv6 literal"
	}
	if a, err := netip.ParseAddr(s); err != nil || !a.Is6() {
		return "invalid IPv6 literal"
	}
	return ""
}

// uriPart names the component componentEnd scans.
type uriPart uint8

const (
	partPath uriPart = iota
	partQuery
	partFragment
)

// componentEnd returns the length of the longest prefix of s that can form
// the given component. Conformant: *( pchar / "/" ), plus "?" in the query
// and fragment. With URINonConformant: anything but control bytes, up to
// "?" or "#" for the path and "#" for the query.
func componentEnd(s string, part uriPart, flags URIFlags) int {
	if flags&URINonConformant != 0 {
		for i := 0; i < len(s); i++ {
			c := s[i]
			if c < 0x20 || c == 0x7f || c == '#' && part != partFragment || c == '?' && part == partPath {
				return i
			}
		}
		return len(s)
	}
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case pathByte(c), c == '?' && part != partPath:
			i++
		case c == '%' && validEscapeAt(s, i):
			i += 3
		default:
			return i
		}
	}
	return len(s)
}

// badByte describes the byte at the start of rest, which ended a component
// without being a delimiter.
func badByte(rest string, off int) error {
	c := rest[0]
	switch {
	case c == '%':
		return &URIError{off, "invalid percent-escape"}
	case c < 0x20 || c == 0x7f:
		return &URIError{off, "control byte " + strconv.QuoteRune(rune(c))}
	case c >= 0x80:
		return &URIError{off, "non-ASCII byte"}
	}
	return &URIError{off, "invalid character " + strconv.QuoteRune(rune(c))}
}

// invalidIn returns the index of the first byte of s that ok rejects and
// that does not start a valid "%XX" escape (when ok accepts '%' escapes,
// i.e. for every class but isHex and ipFutureByte), or -1.
func invalidIn(s string, ok func(byte) bool) int {
	escapes := ok('%')
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c == '%' && escapes:
			if !validEscapeAt(s, i) {
				return i
			}
			i += 3
		case ok(c):
			i++
		default:
			return i
		}
	}
	return -1
}

// isScheme reports whether s is ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ).
func isScheme(s string) bool {
	if s == "" || !isAlpha(s[0]) {
		return false
	}
	for i := 1; i < len(s); i++ {
		c := s[i]
		if !isAlpha(c) && !isDigit(c) && c != '+' && c != '-' && c != '.' {
			return false
		}
	}
	return true
}

// The character classes below take '%' to mean "pct-encoded allowed";
// invalidIn and componentEnd then check the two hex digits.

func userinfoByte(c byte) bool   { return regNameByte(c) || c == ':' }
func regNameByte(c byte) bool    { return isUnreserved(c) || isSubDelim(c) || c == '%' }
func ipFutureByte(c byte) bool   { return isUnreserved(c) || isSubDelim(c) || c == ':' }
func socketPathByte(c byte) bool { return regNameByte(c) || c == '@' || c == '/' }
func pathByte(c byte) bool {
	return isUnreserved(c) || isSubDelim(c) || c == ':' || c == '@' || c == '/'
}

// isSubDelim reports whether c is one of RFC 3986's sub-delims:
// "!" / "$" / "&" / "'" / "(" / ")" / "*" / "+" / "," / ";" / "=".
func isSubDelim(c byte) bool {
	switch c {
	case '!', '$', '&', '\'', '(', ')', '*', '+', ',', ';', '=':
		return true
	}
	return false
}

func isAlpha(c byte) bool { return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' }
func isDigit(c byte) bool { return '0' <= c && c <= '9' }
