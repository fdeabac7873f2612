package evhttp

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
)

// A HandlerFunc answers a request: libevent's evhttp_set_cb callback. It
// runs on the loop goroutine of the request's connection, and answers with
// one of the Request's Send methods, now or later (from another goroutine
// through the Base's Post).
type HandlerFunc func(*Request)

// RouteOptions change how the requests of one route are read.
type RouteOptions struct {
	// AllowMissingHost accepts HTTP/1.1 requests without a Host field,
	// which are otherwise answered 400 (libevent's C evrpc client sends
	// none).
	AllowMissingHost bool
	// StreamBody calls the handler as soon as the header section is
	// read; the body then arrives through Request.SetBodyHandler, with
	// PauseBody/ResumeBody for backpressure, and never sits whole in
	// memory. Without it the handler runs once the whole body is in the
	// InputBuffer.
	StreamBody bool
	// MaxBodySize overrides the Server's limit for this route (0: the
	// Server's; negative: no limit but 1<<62).
	MaxBodySize int64
	// Compress turns compressed replies on or off for this route
	// (CompressDefault: as Config.Compress says).
	Compress CompressMode
}

type route struct {
	h    HandlerFunc
	opts RouteOptions
}

// routeTable is a Server's routing state; it is replaced whole on every
// change (copy on write), so the loops read it without locks.
type routeTable struct {
	exact   map[string]route
	gen     route
	vhosts  []vhost
	aliases []string // lower case
	allowed []string // methods; the parser interns the common ones
}

type vhost struct {
	pattern string // lower case, '*' matches any run of bytes
	srv     *Server
}

var defaultAllowed = []string{"GET", "POST", "HEAD", "PUT", "DELETE"}

// Routing errors.
var (
	// ErrRouteExists: SetCallback for a path that already has one.
	ErrRouteExists = errors.New("evhttp: callback already set for path")
	// ErrNoRoute: DelCallback for a path without one, or removing an
	// alias or virtual host that is not there.
	ErrNoRoute = errors.New("evhttp: no such route")
	// ErrVirtualHostLoop: adding a virtual host would make the host
	// lookup loop.
	ErrVirtualHostLoop = errors.New("evhttp: virtual host loop")
)

// update applies fn to a copy of the routing table and publishes it.
func (s *Server) update(fn func(t *routeTable) error) error {
	s.rmu.Lock()
	defer s.rmu.Unlock()
	old := s.routes.Load()
	t := &routeTable{
		exact:   maps.Clone(old.exact),
		gen:     old.gen,
		vhosts:  slices.Clone(old.vhosts),
		aliases: slices.Clone(old.aliases),
		allowed: old.allowed,
	}
	if err := fn(t); err != nil {
		return err
	}
	s.routes.Store(t)
	return nil
}

// SetCallback makes h answer requests whose percent-decoded path (without
// the query) is exactly path: libevent's evhttp_set_cb. It fails with
// ErrRouteExists if path has a callback.
func (s *Server) SetCallback(path string, h HandlerFunc) error {
	return s.SetCallbackWith(path, h, RouteOptions{})
}

// SetCallbackWith is SetCallback with options for the route.
func (s *Server) SetCallbackWith(path string, h HandlerFunc, opts RouteOptions) error {
	if h == nil {
		return fmt.Errorf("%w: nil handler", ErrNoRoute)
	}
	return s.update(func(t *routeTable) error {
		if _, ok := t.exact[path]; ok {
			return fmt.Errorf("%w: %q", ErrRouteExists, path)
		}
		if t.exact == nil {
			t.exact = make(map[string]route)
		}
		t.exact[path] = route{h, opts}
		return nil
	})
}

// DelCallback removes the callback of path (evhttp_del_cb).
func (s *Server) DelCallback(path string) error {
	return s.update(func(t *routeTable) error {
		if _, ok := t.exact[path]; !ok {
			return fmt.Errorf("%w: %q", ErrNoRoute, path)
		}
		delete(t.exact, path)
		return nil
	})
}

// SetGenCallback makes h answer every request no path callback takes
// (evhttp_set_gencb); nil removes it, and such requests get 404.
func (s *Server) SetGenCallback(h HandlerFunc) {
	s.SetGenCallbackWith(h, RouteOptions{})
}

// SetGenCallbackWith is SetGenCallback with options.
func (s *Server) SetGenCallbackWith(h HandlerFunc, opts RouteOptions) {
	_ = s.update(func(t *routeTable) error {
		t.gen = route{h, opts}
		return nil
	})
}

// SetAllowedMethods sets the methods the Server accepts (default GET,
// POST, HEAD, PUT and DELETE, as libevent). A request with another method
// is answered 405 with an Allow field when the method is one RFC 9110 or
// WebDAV defines, 501 otherwise. Method names are case-sensitive tokens.
func (s *Server) SetAllowedMethods(methods ...string) error {
	for _, m := range methods {
		if !isToken([]byte(m)) {
			return fmt.Errorf("%w: %q", ErrMethod, m)
		}
	}
	allowed := slices.Clone(methods)
	return s.update(func(t *routeTable) error {
		t.allowed = allowed
		return nil
	})
}

// AddVirtualHost makes vhost answer the requests whose host matches
// pattern, a host name in which '*' matches any run of characters
// (case-insensitive): libevent's evhttp_add_virtual_host. vhost is a Server
// used only for its routing; its own listeners, if any, are unaffected.
func (s *Server) AddVirtualHost(pattern string, vh *Server) error {
	if vh == nil || vh == s || vh.reaches(s) {
		return ErrVirtualHostLoop
	}
	p := strings.ToLower(pattern)
	return s.update(func(t *routeTable) error {
		t.vhosts = append(t.vhosts, vhost{p, vh})
		return nil
	})
}

// RemoveVirtualHost removes vhost from the virtual hosts of s.
func (s *Server) RemoveVirtualHost(vhost *Server) error {
	return s.update(func(t *routeTable) error {
		for i, v := range t.vhosts {
			if v.srv == vhost {
				t.vhosts = slices.Delete(t.vhosts, i, i+1)
				return nil
			}
		}
		return ErrNoRoute
	})
}

// AddServerAlias makes s answer requests for host alias (exact,
// case-insensitive), also when s is a virtual host of another Server.
func (s *Server) AddServerAlias(alias string) error {
	a := strings.ToLower(alias)
	return s.update(func(t *routeTable) error {
		t.aliases = append(t.aliases, a)
		return nil
	})
}

// RemoveServerAlias removes an alias added by AddServerAlias.
func (s *Server) RemoveServerAlias(alias string) error {
	a := strings.ToLower(alias)
	return s.update(func(t *routeTable) error {
		i := slices.Index(t.aliases, a)
		if i < 0 {
			return ErrNoRoute
		}
		t.aliases = slices.Delete(t.aliases, i, i+1)
		return nil
	})
}

// reaches reports whether target is s or one of its virtual hosts, at any
// depth.
func (s *Server) reaches(target *Server) bool {
	if s == target {
		return true
	}
	for _, v := range s.routes.Load().vhosts {
		if v.srv.reaches(target) {
			return true
		}
	}
	return false
}

// maxVhostDepth bounds the host lookup's recursion.
const maxVhostDepth = 8

// hostServer returns the Server whose routes answer host (lower-cased):
// first a Server with the host among its aliases, looking through s and its
// virtual hosts; then the first virtual host whose pattern matches, looking
// into its own virtual hosts; else s.
func (s *Server) hostServer(host string) *Server {
	if host == "" {
		return s
	}
	if a := s.findAlias(host, 0); a != nil {
		return a
	}
	return s.findVhost(host, 0)
}

func (s *Server) findAlias(host string, depth int) *Server {
	t := s.routes.Load()
	for _, a := range t.aliases {
		if a == host {
			return s
		}
	}
	if depth >= maxVhostDepth {
		return nil
	}
	for _, v := range t.vhosts {
		if a := v.srv.findAlias(host, depth+1); a != nil {
			return a
		}
	}
	return nil
}

func (s *Server) findVhost(host string, depth int) *Server {
	if depth >= maxVhostDepth {
		return s
	}
	for _, v := range s.routes.Load().vhosts {
		if globMatch(v.pattern, host) {
			return v.srv.findVhost(host, depth+1)
		}
	}
	return s
}

// globMatch reports whether s matches pattern, in which '*' matches any run
// of bytes. It runs in O(len(pattern)*len(s)) at worst, with no recursion.
func globMatch(pattern, s string) bool {
	px, sx := 0, 0
	starP, starS := -1, 0
	for sx < len(s) {
		switch {
		case px < len(pattern) && pattern[px] == '*':
			starP, starS = px, sx
			px++
		case px < len(pattern) && pattern[px] == s[sx]:
			px++
			sx++
		case starP >= 0:
			starS++
			px, sx = starP+1, starS
		default:
			return false
		}
	}
	for px < len(pattern) && pattern[px] == '*' {
		px++
	}
	return px == len(pattern)
}

// knownMethods are the methods RFC 9110, RFC 5789 and WebDAV define: a
// request with one the Server does not allow gets 405, any other 501.
var knownMethods = []string{
	"GET", "HEAD", "POST", "PUT", "DELETE", "CONNECT", "OPTIONS", "TRACE", "PATCH",
	"PROPFIND", "PROPPATCH", "MKCOL", "COPY", "MOVE", "LOCK", "UNLOCK",
}

func (t *routeTable) allows(method string) bool {
	for _, m := range t.allowed {
		if m == method {
			return true
		}
	}
	return false
}

// lookup finds the route for a decoded path.
func (t *routeTable) lookup(path string) (route, bool) {
	if r, ok := t.exact[path]; ok {
		return r, true
	}
	if t.gen.h != nil {
		return t.gen, true
	}
	return route{}, false
}
