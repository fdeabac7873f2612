package evrpc

import (
	"fmt"
	"reflect"
	"sync"

	"github.com/goevent/goevent/evhttp"
	"github.com/goevent/goevent/evrpc/evtag"
)

// URIPrefix is the path prefix of every RPC (libevent's EVRPC_URI_PREFIX):
// the RPC Name is served at /.rpc.Name.
const URIPrefix = "/.rpc."

// A Base serves RPCs on an evhttp.Server (libevent's struct evrpc_base).
// Each registered RPC is a callback on the Server's path URIPrefix+name
// that accepts HTTP/1.1 requests without a Host field, since libevent's C
// client sends none; the Server's other paths keep requiring Host.
//
// Register, Unregister, AddHook, RemoveHook and Close are safe from any
// goroutine. Handlers and hooks run on the loop goroutine of the request's
// connection.
type Base struct {
	srv   *evhttp.Server
	codec evtag.Codec
	hooks hookSet

	mu   sync.Mutex
	rpcs map[string]bool
}

// NewBase returns a Base serving RPCs on srv (libevent's evrpc_init).
func NewBase(srv *evhttp.Server) *Base {
	return &Base{srv: srv, rpcs: make(map[string]bool)}
}

// Server returns the evhttp.Server b serves on.
func (b *Base) Server() *evhttp.Server { return b.srv }

// AddHook adds a hook run for every RPC of b (libevent's evrpc_add_hook on
// an evrpc_base): Input hooks before a request body is decoded, Output
// hooks after a reply is encoded. Hooks run in the order added.
func (b *Base) AddHook(t HookType, h Hook) *HookHandle { return b.hooks.add(t, h) }

// RemoveHook removes a hook added by AddHook and reports whether it was
// there (libevent's evrpc_remove_hook). Calls already running keep the
// hooks they started with.
func (b *Base) RemoveHook(h *HookHandle) bool { return b.hooks.remove(h) }

// Register serves the RPC name on b (libevent's EVRPC_REGISTER): a POST to
// /.rpc.name whose body decodes into a Req (see package evtag for the field
// tags) calls h with a Request holding it and a zero Rep to fill in; h or
// anyone after it calls Request.Done to send the reply. Req and Rep must be
// struct types. Register fails with ErrName, ErrType, ErrExists, or the
// Server's error.
func Register[Req, Rep any](b *Base, name string, h func(*Request[Req, Rep])) error {
	if !validName(name) {
		return fmt.Errorf("%w: %q", ErrName, name)
	}
	if err := checkStruct[Req](); err != nil {
		return err
	}
	if err := checkStruct[Rep](); err != nil {
		return err
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.rpcs[name] {
		return fmt.Errorf("%w: %s", ErrExists, name)
	}
	err := b.srv.SetCallbackWith(URIPrefix+name, func(r *evhttp.Request) {
		serve(b, name, h, r)
	}, evhttp.RouteOptions{AllowMissingHost: true})
	if err != nil {
		return fmt.Errorf("evrpc: register %s: %w", name, err)
	}
	b.rpcs[name] = true
	return nil
}

// Unregister stops serving the RPC name (libevent's evrpc_unregister_rpc);
// its path answers 404 from then on. Requests already in a handler can
// still reply.
func (b *Base) Unregister(name string) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	if !b.rpcs[name] {
		return fmt.Errorf("%w: %s", ErrNotRegistered, name)
	}
	delete(b.rpcs, name)
	if err := b.srv.DelCallback(URIPrefix + name); err != nil {
		return fmt.Errorf("evrpc: unregister %s: %w", name, err)
	}
	return nil
}

// Close unregisters every RPC of b (libevent's evrpc_free). The Server
// itself is left running.
func (b *Base) Close() error {
	b.mu.Lock()
	names := make([]string, 0, len(b.rpcs))
	for n := range b.rpcs {
		names = append(names, n)
	}
	b.mu.Unlock()
	var first error
	for _, n := range names {
		if err := b.Unregister(n); err != nil && first == nil {
			first = err
		}
	}
	return first
}

// validName reports whether name can be an RPC name: one path segment of
// unreserved characters (RFC 3986), so that it needs no escaping.
func validName(name string) bool {
	if name == "" {
		return false
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		case c == '_', c == '-', c == '.', c == '~':
		default:
			return false
		}
	}
	return true
}

// checkStruct fails with ErrType unless T is a struct type.
func checkStruct[T any]() error {
	if t := reflect.TypeFor[T](); t.Kind() != reflect.Struct {
		return fmt.Errorf("%w: %v", ErrType, t)
	}
	return nil
}
