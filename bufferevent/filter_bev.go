package bufferevent

import (
	"fmt"

	"github.com/goevent/goevent/core"
	"github.com/goevent/goevent/evbuffer"
)

// filterBev is the filter kind: libevent's bufferevent_filter.c. It sits
// on an underlying BufferEvent, taking over its callbacks: inFilter turns
// the underlying Input into this Input, outFilter this Output into the
// underlying Output.
type filterBev struct {
	bev       *BufferEvent
	under     *BufferEvent
	in, out   FilterFunc
	timers    genericTimers
	kick      core.Deferred // resumes filtering after the current batch
	gotEOF    bool
	finishing bool // Flush(Finished) done on output
	// inHeld and outHeld are set when the filter's last call filled its
	// limit: it may hold output back (a decompressor mid-block), so it is
	// called again when room frees up even if its src is empty.
	inHeld, outHeld bool
	hooks           FilterHooks // ssl_hooks.go; zero for plain filters
	forceRead       bool        // SetFilterForceRead: read whatever bev wants
}

// NewFilter returns a BufferEvent that filters the data of under
// (libevent's bufferevent_filter_new): inFilter moves bytes from under's
// Input to the new Input, outFilter from the new Output to under's Output.
// A nil filter passes bytes through unchanged. The filters get the room
// left below the destination's high watermark as their limit, and run
// again when that room grows, so data never sticks in the middle of a
// chain. Rate limits of the new BufferEvent apply to the bytes the filters
// produce.
//
// The filter takes over under's callbacks and enables under's reading and
// writing; under's events (EOF, Error, Timeout, Connected) are passed on.
// With CloseOnFree, Free frees under too. Loop goroutine of under's Base
// only (other goroutines: Base.Post).
func NewFilter(under *BufferEvent, inFilter, outFilter FilterFunc, opts Options) (*BufferEvent, error) {
	if under == nil {
		return nil, ErrInvalid
	}
	if under.freed {
		return nil, ErrFreed
	}
	if inFilter == nil {
		inFilter = passThrough
	}
	if outFilter == nil {
		outFilter = passThrough
	}
	bev := new(BufferEvent)
	f := &filterBev{bev: bev, under: under, in: inFilter, out: outFilter}
	bev.init(under.base, opts, f)
	f.timers.init(bev)
	f.kick.Init(under.base, f.run)
	under.SetCallbacks(f.underRead, f.underWrite, f.underEvent)
	under.suspendRead(suspendFilter) // until this one reads
	under.Enable(Read | Write)
	return bev, nil
}

// passThrough is the nil filter: it moves up to limit bytes unchanged.
func passThrough(src, dst *evbuffer.Buffer, limit int, _ FlushMode) (FilterResult, error) {
	n := src.Len()
	if limit >= 0 {
		n = min(n, limit)
	}
	if n == 0 {
		return FilterNeedMore, nil
	}
	if _, err := src.RemoveBuffer(dst, n); err != nil {
		return FilterError, err
	}
	return FilterOK, nil
}

func (f *filterBev) fd() int                  { return f.under.FD() }
func (f *filterBev) underlying() *BufferEvent { return f.under }

func (f *filterBev) updateRead() {
	f.timers.adjust(false, false)
	if f.under.released {
		return
	}
	if f.bev.readActive() || f.forceRead && !f.bev.freed {
		f.under.unsuspendRead(suspendFilter)
		if f.under.input.Len() > 0 || f.inHeld {
			f.kick.Schedule()
		}
	} else {
		f.under.suspendRead(suspendFilter)
	}
}

func (f *filterBev) updateWrite() {
	f.timers.adjust(false, false)
	if f.bev.writeActive() && (f.bev.output.Len() > 0 || f.outHeld) {
		f.kick.Schedule()
	}
}

func (f *filterBev) outputAdded() { f.updateWrite() }

func (f *filterBev) adjTimeouts() { f.timers.adjust(true, true) }

// run is the deferred kick: filter whatever can move now.
func (f *filterBev) run() {
	if f.bev.freed {
		return
	}
	f.bev.incref()
	defer f.bev.decref()
	f.processInput(Normal)
	if !f.bev.freed {
		f.processOutput(Normal)
	}
	if f.bev.closing() != nil {
		f.bev.checkClosing()
	}
}

// processInput runs inFilter while it makes progress and this Input has
// room (libevent's be_filter_process_input).
func (f *filterBev) processInput(mode FlushMode) {
	bev, src := f.bev, &f.under.input
	if f.under.released {
		return
	}
	progress := false
	for (bev.readActive() || mode != Normal || f.forceRead && !bev.freed) && (src.Len() > 0 || mode != Normal || f.inHeld) {
		limit := bev.readRoom()
		if limit == 0 && !f.forceRead {
			break
		}
		if bev.rl != nil && !f.forceRead {
			want := bev.MaxSingleRead()
			if limit > 0 {
				want = min(want, limit)
			}
			if limit = bev.readAllowance(want); limit <= 0 {
				break
			}
		}
		before, srcBefore := bev.input.Len(), src.Len()
		res, err := f.in(src, &bev.input, limit, mode)
		added := bev.input.Len() - before
		f.inHeld = limit > 0 && added >= limit
		if added > 0 {
			bev.consumedRead(added)
			progress = true
		}
		if res == FilterError {
			if progress {
				bev.dataRead() // what came before the bad bytes
			}
			bev.Disable(Read)
			bev.runEventCB(Error|Reading, filterError(err), false)
			return
		}
		if mode != Normal || res != FilterOK || (added == 0 && src.Len() == srcBefore) {
			break
		}
	}
	if progress {
		f.timers.adjust(true, false)
		bev.dataRead()
	}
}

// processOutput runs outFilter while it makes progress and the underlying
// Output has room (libevent's be_filter_process_output).
func (f *filterBev) processOutput(mode FlushMode) {
	bev, dst := f.bev, &f.under.output
	if f.under.released {
		return
	}
	if mode == Normal && !bev.writeActive() {
		return
	}
	progress := false
	for bev.output.Len() > 0 || mode != Normal || f.outHeld {
		limit := f.under.writeRoom()
		if limit == 0 {
			break
		}
		if bev.rl != nil {
			want := bev.MaxSingleWrite()
			if limit > 0 {
				want = min(want, limit)
			}
			if limit = bev.writeAllowance(want); limit <= 0 {
				break
			}
		}
		before, srcBefore := dst.Len(), bev.output.Len()
		res, err := f.out(&bev.output, dst, limit, mode)
		added := dst.Len() - before
		f.outHeld = limit > 0 && added >= limit
		if added > 0 {
			bev.consumedWrite(added)
		}
		if added > 0 || bev.output.Len() != srcBefore {
			progress = true
		}
		if res == FilterError {
			bev.Disable(Write)
			bev.runEventCB(Error|Writing, filterError(err), false)
			return
		}
		if mode != Normal || res != FilterOK || (added == 0 && bev.output.Len() == srcBefore) {
			break
		}
	}
	if progress {
		f.timers.adjust(false, true)
		bev.dataWritten()
	}
}

func filterError(err error) error {
	if err == nil {
		return ErrFilter
	}
	return fmt.Errorf("%w: %w", ErrFilter, err)
}

func (f *filterBev) flush(what Direction, mode FlushMode) error {
	if what&Read != 0 {
		f.processInput(mode)
	}
	if what&Write != 0 && !f.bev.freed {
		f.processOutput(mode)
	}
	if f.under.released {
		return nil
	}
	return f.under.Flush(what, mode)
}

// underRead: new bytes in the underlying Input.
func (f *filterBev) underRead(*BufferEvent) {
	f.bev.incref()
	defer f.bev.decref()
	f.processInput(Normal)
}

// underWrite: the underlying Output drained; fill it again.
func (f *filterBev) underWrite(*BufferEvent) {
	f.bev.incref()
	defer f.bev.decref()
	f.processOutput(Normal)
	if f.bev.closing() != nil {
		f.bev.checkClosing()
	}
}

// underEvent passes the underlying events on.
func (f *filterBev) underEvent(_ *BufferEvent, what What, err error) {
	f.bev.incref()
	defer f.bev.decref()
	if what&EOF != 0 {
		f.processInput(Normal) // what arrived before the EOF first
	}
	if f.hooks.UnderEvent != nil && !f.hooks.UnderEvent(what, err) {
		return
	}
	if what&Timeout != 0 {
		// The underlying direction was disabled; keep it running under
		// this BufferEvent's own enable state.
		if what&Reading != 0 {
			f.under.Enable(Read)
		}
		if what&Writing != 0 {
			f.under.Enable(Write)
		}
	}
	f.bev.runEventCB(what, err, false)
}

func (f *filterBev) destruct() {
	f.kick.Cancel()
	f.timers.stop()
	if f.hooks.Destruct != nil {
		f.hooks.Destruct()
	}
	u := f.under
	if u.released {
		return
	}
	if f.bev.opts&CloseOnFree != 0 {
		u.Free()
		return
	}
	u.SetCallbacks(nil, nil, nil)
	u.unsuspendRead(suspendFilter)
}

// pendingOutput returns the bytes written to bev but not yet out of the
// bottom of its filter chain.
func (bev *BufferEvent) pendingOutput() int {
	n := bev.output.Len()
	if u := bev.ops.underlying(); u != nil && !u.released {
		n += u.pendingOutput()
	}
	return n
}
