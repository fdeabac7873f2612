package bufferevent

import (
	"time"

	"github.com/goevent/goevent/core"
)

// SetTimeouts sets the read and write timeouts (0: none), like libevent's
// bufferevent_set_timeouts. They are kept in whole milliseconds (rounded
// up; at most 49 days), so that they cost the BufferEvent no memory of
// their own. The read timeout counts while reading is
// enabled and not suspended (by a high watermark, a rate limit or a
// connect); the write timeout while Output holds data to write (and while
// a connect is in progress). Progress in a direction restarts its timeout.
// When one expires, the event callback gets Timeout|Reading or
// Timeout|Writing and that direction is disabled: Enable it to go on.
//
// Each duration is registered with Base.InitCommonTimeout, so thousands of
// connections sharing one timeout cost O(1) each. Loop goroutine only
// (other goroutines: Base.Post).
func (bev *BufferEvent) SetTimeouts(read, write time.Duration) error {
	if bev.freed {
		return ErrFreed
	}
	if read < 0 || write < 0 {
		return ErrInvalid
	}
	bev.toRead, bev.toWrite = toMillis(read), toMillis(write)
	for _, d := range [2]time.Duration{bev.timeoutRead(), bev.timeoutWrite()} {
		if d > 0 {
			// A Base holds a bounded number of common timeouts; past it,
			// AddTimeout falls back to the heap, which is still correct.
			_ = bev.base.InitCommonTimeout(d)
		}
	}
	bev.ops.adjTimeouts()
	return nil
}

// Timeouts returns the read and write timeouts. Loop goroutine only
// (other goroutines: Base.Post).
func (bev *BufferEvent) Timeouts() (read, write time.Duration) {
	return bev.timeoutRead(), bev.timeoutWrite()
}

// addEvent adds ev with timeout d (0: none).
func addEvent(ev *core.Event, d time.Duration) {
	if d > 0 {
		ev.AddTimeout(d)
	} else {
		ev.Add()
	}
}

// genericTimers are the read and write timeouts of kinds without an fd of
// their own (pairs, filters): libevent's generic timeout events.
type genericTimers struct {
	bev                   *BufferEvent
	readTimer, writeTimer core.Event
	readArmed, writeArm   bool
}

func (t *genericTimers) init(bev *BufferEvent) {
	t.bev = bev
	t.readTimer.Assign(bev.base, -1, 0, t.readExpired)
	t.writeTimer.Assign(bev.base, -1, 0, t.writeExpired)
}

// adjust arms or disarms the timers to match the state; restart re-arms
// running timers (progress).
func (t *genericTimers) adjust(restartRead, restartWrite bool) {
	bev := t.bev
	wantRead := bev.timeoutRead() > 0 && bev.readActive()
	if wantRead && (!t.readArmed || restartRead) {
		t.readTimer.AddTimeout(bev.timeoutRead())
	} else if !wantRead && t.readArmed {
		t.readTimer.Del()
	}
	t.readArmed = wantRead
	wantWrite := bev.timeoutWrite() > 0 && bev.writeActive() && bev.output.Len() > 0
	if wantWrite && (!t.writeArm || restartWrite) {
		t.writeTimer.AddTimeout(bev.timeoutWrite())
	} else if !wantWrite && t.writeArm {
		t.writeTimer.Del()
	}
	t.writeArm = wantWrite
}

func (t *genericTimers) stop() {
	t.readTimer.Free()
	t.writeTimer.Free()
	t.readArmed, t.writeArm = false, false
}

func (t *genericTimers) readExpired(int, core.Flags) {
	t.readArmed = false
	bev := t.bev
	bev.incref()
	defer bev.decref()
	bev.Disable(Read)
	bev.runEventCB(Timeout|Reading, nil, false)
}

func (t *genericTimers) writeExpired(int, core.Flags) {
	t.writeArm = false
	bev := t.bev
	bev.incref()
	defer bev.decref()
	bev.Disable(Write)
	bev.runEventCB(Timeout|Writing, nil, false)
}
