package bufferevent

import (
	"fmt"
	"time"

	"github.com/goevent/goevent/core"
)

// closeState is a Close in progress.
type closeState struct {
	done     func(unsent int, err error)
	timer    core.Event
	armed    bool
	finished bool
}

// Close ends the BufferEvent without losing queued data silently: it
// stops reading, drops the callbacks (none runs after Close), keeps
// writing until everything in Output (and, for a filter, in the chain
// below it) is out, then frees the BufferEvent as Free does and calls
// done(0, nil). If linger passes first (linger <= 0: no limit), or
// writing fails, or the peer goes away, it frees the BufferEvent at once
// and calls done with the number of bytes not sent and an error:
// ErrCloseTimeout, or ErrPeerClosed wrapping the cause. done (which may be
// nil) runs on the loop goroutine, never from inside Close. Close on a
// freed BufferEvent returns ErrFreed. Loop goroutine only (other
// goroutines: Base.Post).
func (bev *BufferEvent) Close(linger time.Duration, done func(unsent int, err error)) error {
	if bev.freed {
		return ErrFreed
	}
	if bev.closing() != nil {
		return nil
	}
	if bev.nc() != nil {
		bev.nc().detach(nil)
	}
	cs := &closeState{done: done}
	bev.h = nil
	bev.pendRead, bev.pendWrite, bev.pendEvents = false, false, 0
	if bev.x != nil {
		bev.x.pendErr = nil
	}
	bev.extra().closing = cs
	bev.closingHook()
	bev.Disable(Read)
	bev.Enable(Write)
	if linger > 0 {
		cs.timer.Assign(bev.base, -1, 0, func(int, core.Flags) {
			cs.armed = false
			bev.finishClose(bev.pendingOutput(), ErrCloseTimeout)
		})
		cs.timer.AddTimeout(linger)
		cs.armed = true
	}
	if err := bev.base.Post(bev.checkClosing); err != nil {
		bev.finishClose(bev.pendingOutput(), err)
	}
	return nil
}

// checkClosing finishes a Close once nothing is left to send.
func (bev *BufferEvent) checkClosing() {
	if bev.closing() != nil && bev.pendingOutput() == 0 {
		bev.finishClose(0, nil)
	}
}

// closingEvent handles an event that happens during Close.
func (bev *BufferEvent) closingEvent(what What, err error) {
	switch {
	case what&Connected != 0:
		return
	case what&Timeout != 0:
		bev.finishClose(bev.pendingOutput(), ErrCloseTimeout)
	case what&Error != 0 || what&EOF != 0 && what&Reading == 0:
		if err != nil {
			err = fmt.Errorf("%w: %w", ErrPeerClosed, err)
		} else {
			err = ErrPeerClosed
		}
		bev.finishClose(bev.pendingOutput(), err)
	}
}

func (bev *BufferEvent) finishClose(unsent int, err error) {
	cs := bev.closing()
	if cs == nil || cs.finished {
		return
	}
	cs.finished = true
	if cs.armed {
		cs.timer.Del()
		cs.armed = false
	}
	bev.x.closing = nil
	bev.Free()
	if unsent == 0 {
		err = nil
	}
	if cs.done != nil {
		cs.done(unsent, err)
	}
}
