package bufferevent

import "github.com/goevent/goevent/evbuffer"

// SetWatermark sets the low and high watermarks of the directions in what
// (libevent's bufferevent_setwatermark).
//
// Read low: the read callback does not run until Input holds at least
// that many bytes (0: any byte). Read high: while Input holds that many
// bytes or more, the BufferEvent stops reading from its connection (the
// kernel keeps the rest) and resumes once the reader drains Input below it
// (0: no limit). Write low: the write callback runs when Output drains to
// that many bytes or fewer (0: empty). Write high matters to a filter
// stacked on this BufferEvent: the filter stops adding to this Output at
// that size (0: no limit).
//
// It fails with ErrInvalid for negative values or a nonzero high below
// low. Loop goroutine only (other goroutines: Base.Post).
func (bev *BufferEvent) SetWatermark(what Direction, low, high int) error {
	if low < 0 || high < 0 || (high != 0 && high < low) {
		return ErrInvalid
	}
	if bev.freed {
		return ErrFreed
	}
	if low == 0 && high == 0 && bev.x == nil {
		return nil // the default, and nothing to undo
	}
	x := bev.extra()
	if what&Write != 0 {
		x.wmWrite = watermark{low, high}
	}
	if what&Read != 0 {
		x.wmRead = watermark{low, high}
		if high == 0 {
			if x.inputCB != nil {
				bev.input.RemoveCallback(x.inputCB)
				x.inputCB = nil
			}
			bev.unsuspendRead(suspendWatermark)
		} else {
			if x.inputCB == nil {
				x.inputCB = bev.input.AddCallback(bev.inputChanged)
			}
			bev.checkReadHigh()
		}
	}
	return nil
}

// Watermark returns the low and high watermarks of one direction (Read or
// Write). Loop goroutine only (other goroutines: Base.Post).
func (bev *BufferEvent) Watermark(what Direction) (low, high int) {
	if what&Read != 0 {
		wm := bev.wmRead()
		return wm.low, wm.high
	}
	wm := bev.wmWrite()
	return wm.low, wm.high
}

// inputChanged is the input's change callback while a read high
// watermark is set (libevent's bufferevent_inbuf_wm_cb).
func (bev *BufferEvent) inputChanged(*evbuffer.Buffer, evbuffer.CallbackInfo) {
	if !bev.released {
		bev.checkReadHigh()
	}
}

func (bev *BufferEvent) checkReadHigh() {
	if high := bev.wmRead().high; high > 0 && bev.input.Len() >= high {
		bev.suspendRead(suspendWatermark)
	} else {
		bev.unsuspendRead(suspendWatermark)
	}
}

// readRoom returns how many bytes Input may take before its high
// watermark (-1: no limit).
func (bev *BufferEvent) readRoom() int {
	if high := bev.wmRead().high; high > 0 {
		return max(high-bev.input.Len(), 0)
	}
	return -1
}

// writeRoom returns how many bytes Output may take before its write high
// watermark (-1: no limit); filters above use it.
func (bev *BufferEvent) writeRoom() int {
	if high := bev.wmWrite().high; high > 0 {
		return max(high-bev.output.Len(), 0)
	}
	return -1
}
