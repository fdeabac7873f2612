package bufferevent

// Hooks for kinds built on a filter that need more than two FilterFuncs:
// package ssl runs a TLS handshake under a filter, which must read while
// the application does not, hide the underlying Connected event until the
// handshake is done, queue a close_notify when Close starts, and stop its
// handshake goroutine when the filter is freed.

// FilterHooks are the extras of NewFilterHooks. Every hook runs on the
// loop goroutine; a nil hook does nothing.
type FilterHooks struct {
	// Context is what FilterContext returns: the hooking package's state.
	Context any
	// UnderEvent sees each event of the underlying BufferEvent before the
	// filter passes it on (for EOF, after the input filter consumed what
	// arrived before it). Returning false swallows the event.
	UnderEvent func(what What, err error) bool
	// Closing runs when Close starts on the filter, before Close waits for
	// the output to drain: the place to queue a trailer that Close must
	// send (a TLS close_notify).
	Closing func()
	// Destruct runs once when the filter is released, before the
	// underlying BufferEvent is freed or detached.
	Destruct func()
}

// NewFilterHooks is NewFilter with hooks, for packages that build a kind
// of BufferEvent on a filter (package ssl). Loop goroutine of under's Base
// only (other goroutines: Base.Post).
func NewFilterHooks(under *BufferEvent, inFilter, outFilter FilterFunc, opts Options, hooks FilterHooks) (*BufferEvent, error) {
	bev, err := NewFilter(under, inFilter, outFilter, opts)
	if err != nil {
		return nil, err
	}
	bev.ops.(*filterBev).hooks = hooks
	return bev, nil
}

// FilterContext returns the Context of the FilterHooks given to
// NewFilterHooks, or nil for other BufferEvents. Loop goroutine only
// (other goroutines: Base.Post).
func (bev *BufferEvent) FilterContext() any {
	if f, ok := bev.ops.(*filterBev); ok {
		return f.hooks.Context
	}
	return nil
}

// SetFilterForceRead makes a filter keep its underlying BufferEvent reading
// and its input filter running while on, even when the filter itself is
// not reading (Read disabled, a read high watermark or rate limit reached,
// Close in progress): a TLS handshake must read whatever the application
// does. The input filter then gets the room below the high watermark as
// its limit, possibly 0. It does nothing on other kinds. Loop goroutine
// only (other goroutines: Base.Post).
func (bev *BufferEvent) SetFilterForceRead(on bool) {
	f, ok := bev.ops.(*filterBev)
	if !ok || f.forceRead == on || bev.released {
		return
	}
	f.forceRead = on
	f.updateRead()
}

// FilterKick runs the filters of a filter BufferEvent again after the
// loop's current batch of callbacks, for state that changed outside them
// (a handshake finished, so held output may now move). It does nothing on
// other kinds. Safe from the loop goroutine only.
func (bev *BufferEvent) FilterKick() {
	if f, ok := bev.ops.(*filterBev); ok && !bev.freed {
		f.kick.Schedule()
	}
}

// closingHook runs the Closing hook of a filter.
func (bev *BufferEvent) closingHook() {
	if f, ok := bev.ops.(*filterBev); ok && f.hooks.Closing != nil {
		f.hooks.Closing()
	}
}
