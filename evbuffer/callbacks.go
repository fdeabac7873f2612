package evbuffer

import "slices"

// CallbackInfo describes one change to a Buffer: its length before the
// change and the bytes added and deleted by it. For a suspended callback
// it sums every change since Suspend, and OrigSize is the length at
// Suspend.
type CallbackInfo struct {
	OrigSize int
	Added    int
	Deleted  int
}

// Callback is a change callback registered with Buffer.AddCallback. Its
// methods, like the Buffer's, belong to the buffer's goroutine; on a nil
// *Callback they do nothing.
type Callback struct {
	b         *Buffer // nil once removed
	fn        func(b *Buffer, info CallbackInfo)
	disabled  bool
	suspended bool
	pending   CallbackInfo // accumulated while suspended
}

// AddCallback registers fn to run after every change that adds or deletes
// bytes (not after Pullup or Reserve, which change neither). fn runs
// synchronously on the goroutine that made the change, after the change is
// complete, and may change the buffer (which runs the callbacks again, for
// that change) or add and remove callbacks; a callback added during a round
// first runs for the next change. Callbacks run in the order they were
// added. A nil fn gives a callback that does nothing.
func (b *Buffer) AddCallback(fn func(b *Buffer, info CallbackInfo)) *Callback {
	cb := &Callback{b: b, fn: fn}
	b.cbs = append(b.cbs, cb)
	return cb
}

// RemoveCallback unregisters cb; it is not called again, even by a round
// that is running. It fails with ErrInvalid when cb is not registered with
// b.
func (b *Buffer) RemoveCallback(cb *Callback) error {
	if cb == nil || cb.b != b {
		return ErrInvalid
	}
	for i, c := range b.cbs {
		if c != cb {
			continue
		}
		cb.b = nil
		if b.cbDepth > 0 {
			b.cbs[i] = nil
			b.cbDirty = true
		} else {
			b.cbs = slices.Delete(b.cbs, i, i+1)
		}
		return nil
	}
	return ErrInvalid
}

// Enable lets cb run again after Disable. Changes made while it was
// disabled are not reported.
func (cb *Callback) Enable() {
	if cb != nil {
		cb.disabled = false
	}
}

// Disable stops cb from running (and from accumulating while suspended)
// until Enable.
func (cb *Callback) Disable() {
	if cb != nil {
		cb.disabled = true
	}
}

// Enabled reports whether cb is enabled.
func (cb *Callback) Enabled() bool { return cb != nil && !cb.disabled }

// Suspend defers cb: changes are accumulated instead of reported, until
// Unsuspend reports them as one. Suspending a suspended callback does
// nothing.
func (cb *Callback) Suspend() {
	if cb == nil || cb.suspended {
		return
	}
	cb.suspended = true
	cb.pending = CallbackInfo{}
	if cb.b != nil {
		cb.pending.OrigSize = cb.b.n
	}
}

// Unsuspend ends Suspend and, if the buffer changed meanwhile and cb is
// enabled and still registered, calls it once with the accumulated
// CallbackInfo.
func (cb *Callback) Unsuspend() {
	if cb == nil || !cb.suspended {
		return
	}
	cb.suspended = false
	info := cb.pending
	cb.pending = CallbackInfo{}
	if b := cb.b; b != nil && !cb.disabled && cb.fn != nil && (info.Added != 0 || info.Deleted != 0) {
		b.cbDepth++
		cb.fn(b, info)
		b.endRound()
	}
}

// SetNotify sets the buffer's owner hook: fn runs after every change that
// adds or deletes bytes, like a callback added by AddCallback, but first,
// before those callbacks, in the same round. It is meant for the one owner
// of a buffer (a bufferevent watching its output) and costs no allocation:
// there is one hook per buffer, a later SetNotify replaces it, nil removes
// it, and it cannot be disabled or suspended. fn may change the buffer
// (which runs the hook and the callbacks again, for that change).
func (b *Buffer) SetNotify(fn func(b *Buffer, info CallbackInfo)) { b.hook = fn }

// notify reports one change to the hook and the callbacks.
func (b *Buffer) notify(orig, added, deleted int) {
	if (len(b.cbs) == 0 && b.hook == nil) || (added == 0 && deleted == 0) {
		return
	}
	info := CallbackInfo{OrigSize: orig, Added: added, Deleted: deleted}
	b.cbDepth++
	if b.hook != nil {
		b.hook(b, info)
	}
	for i, n := 0, len(b.cbs); i < n && i < len(b.cbs); i++ {
		cb := b.cbs[i]
		if cb == nil || cb.disabled || cb.fn == nil {
			continue
		}
		if cb.suspended {
			cb.pending.Added += added
			cb.pending.Deleted += deleted
			continue
		}
		cb.fn(b, info)
	}
	b.endRound()
}

// endRound finishes a callback round, compacting the list after removals.
func (b *Buffer) endRound() {
	b.cbDepth--
	if b.cbDepth > 0 || !b.cbDirty {
		return
	}
	b.cbDirty = false
	j := 0
	for _, cb := range b.cbs {
		if cb != nil {
			b.cbs[j] = cb
			j++
		}
	}
	clear(b.cbs[j:])
	b.cbs = b.cbs[:j]
}
