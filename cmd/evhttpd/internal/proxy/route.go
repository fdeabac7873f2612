package proxy

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"path"
	"sort"
	"strconv"
	"strings"
)

// ErrRoute is wrapped by every error of ParseRoute.
var ErrRoute = errors.New("proxy: invalid route")

// Scheme is how evhttpd talks to an upstream.
type Scheme int

// Upstream schemes.
const (
	HTTP  Scheme = iota // http://host[:port]
	HTTPS               // https://host[:port]
	Unix                // unix:/path/to/socket (plain HTTP)
)

// String returns the URL scheme: "http", "https" or "unix".
func (s Scheme) String() string {
	switch s {
	case HTTP:
		return "http"
	case HTTPS:
		return "https"
	case Unix:
		return "unix"
	}
	return "Scheme(" + strconv.Itoa(int(s)) + ")"
}

// A Route sends the requests whose path starts with Prefix to one
// upstream server. The request-target is forwarded unchanged: the prefix
// stays in the upstream path.
type Route struct {
	Prefix string
	Scheme Scheme
	Host   string // host name or IP literal (no brackets); "" for Unix
	Port   int    // 0 for Unix
	Path   string // socket path for Unix
}

// String returns the route as written on the command line, normalised.
func (rt *Route) String() string {
	return rt.Prefix + "=" + rt.Upstream()
}

// Upstream returns the upstream as a URL: "http://host:port",
// "https://host:port" or "unix:/path".
func (rt *Route) Upstream() string {
	if rt.Scheme == Unix {
		return "unix:" + rt.Path
	}
	return rt.Scheme.String() + "://" + net.JoinHostPort(rt.Host, strconv.Itoa(rt.Port))
}

// ParseRoute parses PREFIX=URL as -proxy takes it. PREFIX is a path
// starting with "/"; URL is http://host[:port], https://host[:port] (with
// an empty path or "/", no query, no user information) or unix:/path.
func ParseRoute(s string) (*Route, error) {
	prefix, target, ok := strings.Cut(s, "=")
	if !ok {
		return nil, fmt.Errorf("%w: %q: want PREFIX=URL", ErrRoute, s)
	}
	if !strings.HasPrefix(prefix, "/") {
		return nil, fmt.Errorf("%w: prefix %q does not start with /", ErrRoute, prefix)
	}
	if c := cleanPrefix(prefix); c != prefix {
		return nil, fmt.Errorf("%w: prefix %q is not clean (%q)", ErrRoute, prefix, c)
	}
	for i := 0; i < len(prefix); i++ {
		if c := prefix[i]; c <= ' ' || c == 0x7f || c == '?' || c == '#' || c == '%' {
			return nil, fmt.Errorf("%w: prefix %q has byte %#x", ErrRoute, prefix, c)
		}
	}
	rt := &Route{Prefix: prefix}
	if p, ok := strings.CutPrefix(target, "unix:"); ok {
		if !strings.HasPrefix(p, "/") || strings.ContainsRune(p, 0) {
			return nil, fmt.Errorf("%w: unix socket %q is not an absolute path", ErrRoute, p)
		}
		rt.Scheme, rt.Path = Unix, p
		return rt, nil
	}
	u, err := url.Parse(target)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrRoute, err)
	}
	switch u.Scheme {
	case "http":
		rt.Scheme, rt.Port = HTTP, 80
	case "https":
		rt.Scheme, rt.Port = HTTPS, 443
	default:
		return nil, fmt.Errorf("%w: %q: the URL must be http://, https:// or unix:", ErrRoute, target)
	}
	switch {
	case u.Opaque != "" || u.Host == "":
		return nil, fmt.Errorf("%w: %q has no host", ErrRoute, target)
	case u.User != nil:
		return nil, fmt.Errorf("%w: %q: user information is not supported", ErrRoute, target)
	case u.Path != "" && u.Path != "/", u.RawQuery != "", u.ForceQuery, u.Fragment != "":
		return nil, fmt.Errorf("%w: %q: the URL may not have a path or query (the prefix is kept in the upstream path)", ErrRoute, target)
	}
	rt.Host = u.Hostname()
	if rt.Host == "" {
		return nil, fmt.Errorf("%w: %q has no host", ErrRoute, target)
	}
	if p := u.Port(); p != "" {
		n, err := strconv.Atoi(p)
		if err != nil || n < 1 || n > 65535 {
			return nil, fmt.Errorf("%w: %q: bad port", ErrRoute, target)
		}
		rt.Port = n
	}
	return rt, nil
}

// cleanPrefix is path.Clean keeping a trailing slash.
func cleanPrefix(p string) string {
	c := path.Clean(p)
	if strings.HasSuffix(p, "/") && c != "/" {
		c += "/"
	}
	return c
}

// A Table finds the route of a request path: the longest prefix wins.
// It is immutable once built and safe for concurrent use.
type Table struct {
	routes []*Route // longest prefix first
}

// NewTable returns a Table of routes. Two routes with the same prefix are
// an error.
func NewTable(routes []*Route) (*Table, error) {
	t := &Table{routes: append([]*Route(nil), routes...)}
	sort.SliceStable(t.routes, func(i, j int) bool { return len(t.routes[i].Prefix) > len(t.routes[j].Prefix) })
	for i := 1; i < len(t.routes); i++ {
		if t.routes[i].Prefix == t.routes[i-1].Prefix {
			return nil, fmt.Errorf("%w: prefix %q given twice", ErrRoute, t.routes[i].Prefix)
		}
	}
	return t, nil
}

// Len returns the number of routes.
func (t *Table) Len() int { return len(t.routes) }

// Match returns the route for a request's percent-decoded path, or nil.
// The path is cleaned first (dot segments resolved, as a file server
// would), so "/api/../etc" does not match the prefix "/api". Prefixes
// match as strings: "/api" matches "/api/x" and "/apix"; write "/api/"
// to mean the directory only.
func (t *Table) Match(reqPath string) *Route {
	if len(t.routes) == 0 || !strings.HasPrefix(reqPath, "/") {
		return nil
	}
	p := cleanPrefix(reqPath)
	if strings.HasSuffix(reqPath, "/.") || strings.HasSuffix(reqPath, "/..") {
		// "/api/." names the directory "/api/".
		if p != "/" {
			p += "/"
		}
	}
	for _, rt := range t.routes {
		if strings.HasPrefix(p, rt.Prefix) {
			return rt
		}
	}
	return nil
}
