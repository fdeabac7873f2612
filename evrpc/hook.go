package evrpc

import (
	"sync"
	"sync/atomic"

	"github.com/goevent/goevent/evbuffer"
	"github.com/goevent/goevent/evhttp"
)

// HookType says when a hook runs (libevent's enum EVRPC_HOOK_TYPE).
type HookType int

// Hook types. On a server, Input hooks see each request body before it is
// decoded and Output hooks each reply body after it is encoded; on a
// client, Output hooks see the request body before it is sent and Input
// hooks the reply body before it is decoded.
const (
	Input  HookType = iota // EVRPC_INPUT
	Output                 // EVRPC_OUTPUT
)

// String returns "input" or "output".
func (t HookType) String() string {
	if t == Input {
		return "input"
	}
	return "output"
}

// HookResult is what a hook returns (libevent's enum EVRPC_HOOK_RESULT).
type HookResult int

// Hook results, with libevent's values.
const (
	Terminate HookResult = -1 // EVRPC_TERMINATE: stop the call
	Continue  HookResult = 0  // EVRPC_CONTINUE: go on with the next hook
	Pause     HookResult = 1  // EVRPC_PAUSE: wait for HookContext.Resume
)

// A Hook inspects or rewrites an RPC's body or header on its way in or out
// (libevent's evrpc_add_hook callbacks). It runs on the loop goroutine of
// the call. A hook that returns Pause suspends the call until
// hc.Resume(Continue) or hc.Resume(Terminate), from the loop goroutine
// (other goroutines use Base.Post). Any result other than Continue and
// Pause counts as Terminate.
//
// Unlike libevent, which skips the hooks after a paused one when it
// resumes, the remaining hooks run after Resume(Continue).
type Hook func(hc *HookContext) HookResult

// HookHandle identifies an added hook, for RemoveHook.
type HookHandle struct {
	typ HookType
	fn  Hook
}

// hookSet holds the input and output hooks of a Base or Pool. Lists are
// copied on change, so running calls read them without a lock.
type hookSet struct {
	mu    sync.Mutex
	lists [2]atomic.Pointer[[]*HookHandle]
}

func (s *hookSet) add(t HookType, fn Hook) *HookHandle {
	h := &HookHandle{typ: t, fn: fn}
	s.mu.Lock()
	defer s.mu.Unlock()
	var l []*HookHandle
	if old := s.lists[t&1].Load(); old != nil {
		l = append(l, *old...)
	}
	l = append(l, h)
	s.lists[t&1].Store(&l)
	return h
}

func (s *hookSet) remove(h *HookHandle) bool {
	if h == nil {
		return false
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	old := s.lists[h.typ&1].Load()
	if old == nil {
		return false
	}
	for i, x := range *old {
		if x == h {
			l := make([]*HookHandle, 0, len(*old)-1)
			l = append(l, (*old)[:i]...)
			l = append(l, (*old)[i+1:]...)
			s.lists[h.typ&1].Store(&l)
			return true
		}
	}
	return false
}

func (s *hookSet) list(t HookType) []*HookHandle {
	if l := s.lists[t&1].Load(); l != nil {
		return *l
	}
	return nil
}

// metaEntry is one piece of hook meta data.
type metaEntry struct {
	key  string
	data []byte
}

// A HookContext is one call as its hooks see it (the ctx argument of
// libevent's hook callbacks). The same HookContext is passed to a call's
// input and output hooks, so meta data added by one is found by the other.
// It belongs to the loop goroutine of the call and is valid until the call
// ends.
type HookContext struct {
	typ    HookType
	rpc    string
	body   *evbuffer.Buffer
	header *evhttp.Header
	sreq   *evhttp.Request
	creq   *evhttp.ClientRequest
	conn   *evhttp.Connection
	meta   []metaEntry

	hooks      []*HookHandle
	next       int
	inHook     bool
	paused     bool
	pending    HookResult
	hasPending bool
	dead       bool
	owner      hookOwner // told when the running hooks are done
}

// A hookOwner is the call a HookContext belongs to: a client Call or a
// server Request. It is an interface rather than a func so that running
// hooks costs no closure per call.
type hookOwner interface {
	// hooksDone runs after the hooks of type t have all continued, or
	// when one stopped the call (res Terminate).
	hooksDone(t HookType, res HookResult)
}

// Type says whether the running hooks are input or output hooks.
func (hc *HookContext) Type() HookType { return hc.typ }

// RPC returns the name of the call's RPC.
func (hc *HookContext) RPC() string { return hc.rpc }

// Body returns the message the hooks act on: the request or reply body,
// encoded. A hook may rewrite it.
func (hc *HookContext) Body() *evbuffer.Buffer { return hc.body }

// Header returns the header that goes with Body: on a server, the request's
// header for input hooks and the reply's for output hooks; on a client,
// the request's header for output hooks and the reply's for input hooks.
func (hc *HookContext) Header() *evhttp.Header { return hc.header }

// ServerRequest returns the HTTP request of a server-side call, nil on a
// client.
func (hc *HookContext) ServerRequest() *evhttp.Request { return hc.sreq }

// ClientRequest returns the HTTP request of a client-side call, nil on a
// server.
func (hc *HookContext) ClientRequest() *evhttp.ClientRequest { return hc.creq }

// Connection returns the connection a client-side call uses
// (libevent's evrpc_hook_get_connection), nil on a server.
func (hc *HookContext) Connection() *evhttp.Connection { return hc.conn }

// AddMeta attaches data under key to the call (libevent's
// evrpc_hook_add_meta). Meta data stays in the process: it carries
// information from a call's output hooks to its input hooks (or, on a
// server, from input hooks to the handler and output hooks) and is never
// sent. data is copied.
func (hc *HookContext) AddMeta(key string, data []byte) {
	hc.meta = append(hc.meta, metaEntry{key: key, data: append([]byte(nil), data...)})
}

// FindMeta returns the data first added under key (libevent's
// evrpc_hook_find_meta).
func (hc *HookContext) FindMeta(key string) ([]byte, bool) {
	for _, m := range hc.meta {
		if m.key == key {
			return m.data, true
		}
	}
	return nil, false
}

// Resume continues a call whose hook returned Pause (libevent's
// evrpc_resume_request): Continue runs the next hooks and the rest of the
// call, Terminate stops it. It may also be called by a hook before it
// returns Pause. Resume fails with ErrNotPaused when no hook is paused
// and with ErrDone when the call has ended meanwhile (a client that went
// away, a cancelled call). Loop goroutine only.
func (hc *HookContext) Resume(res HookResult) error {
	switch {
	case hc.dead:
		return ErrDone
	case hc.inHook && !hc.hasPending:
		hc.pending, hc.hasPending = res, true
		return nil
	case !hc.paused:
		return ErrNotPaused
	}
	hc.paused = false
	if res != Continue {
		hc.finishHooks(Terminate)
		return nil
	}
	hc.advance()
	return nil
}

// runHooks runs hooks of type t over body and header, then tells the
// owner with Continue, or Terminate when a hook stopped the call.
func (hc *HookContext) runHooks(t HookType, hooks []*HookHandle, body *evbuffer.Buffer, header *evhttp.Header, owner hookOwner) {
	hc.typ, hc.body, hc.header = t, body, header
	hc.hooks, hc.next, hc.owner = hooks, 0, owner
	hc.advance()
}

func (hc *HookContext) advance() {
	for hc.next < len(hc.hooks) {
		h := hc.hooks[hc.next]
		hc.next++
		hc.inHook, hc.hasPending = true, false
		res := h.fn(hc)
		hc.inHook = false
		if res == Pause && hc.hasPending {
			res, hc.hasPending = hc.pending, false
			if res == Pause {
				res = Terminate
			}
		}
		if hc.dead {
			return
		}
		switch res {
		case Continue:
		case Pause:
			hc.paused = true
			return
		default:
			hc.finishHooks(Terminate)
			return
		}
	}
	hc.finishHooks(Continue)
}

func (hc *HookContext) finishHooks(res HookResult) {
	owner := hc.owner
	hc.hooks, hc.owner = nil, nil
	if owner != nil && !hc.dead {
		owner.hooksDone(hc.typ, res)
	}
}

// end marks the call over: a paused hook can no longer resume it.
func (hc *HookContext) end() {
	hc.dead, hc.paused = true, false
	hc.hooks, hc.owner = nil, nil
}
