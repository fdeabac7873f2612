package core

import (
	"fmt"
	"syscall"
	"time"
)

// Callback is run by the loop when an event fires. fd is the event's fd
// (the signal number for a signal event, -1 for a timer); what holds the
// conditions that fired: Read, Write, Closed, and Timeout or Signal.
type Callback func(fd int, what Flags)

// An Event is a callback waiting for an fd to become ready, a timeout, or a
// signal: libevent's struct event.
//
// Every method of Event is safe to call from any goroutine. Callbacks run on
// the loop goroutine of the Event's Base. A callback may Del or Free its own
// event, or any other.
type Event struct {
	base   *Base // immutable after Assign
	fd     int   // immutable after Assign
	events Flags // immutable after Assign: what the event waits for
	cb     Callback

	// All fields below are guarded by base.mu.
	state   evState
	pri     int           // priority queue index
	res     Flags         // result flags while active
	ncalls  int           // pending signal deliveries while active
	timeout time.Duration // the last AddTimeout's d; -1 when none is armed
	// deadline is the absolute expiry, in base clock nanoseconds, when
	// stateTimer is set.
	deadline int64
	seq      uint64       // scheduling order, to break deadline ties
	heapIdx  int          // index in base.timers, or -1
	common   *commonQueue // set while queued on a common timeout
	// linkage in an active queue or a common-timeout queue (never both:
	// the two lists use separate fields).
	actPrev, actNext *Event
	ctPrev, ctNext   *Event
	fdIdx            int    // index in the signal watcher's list while inserted
	fdNext           *Event // next event on the same fd (base.fds[fd].head list)
}

type evState uint8

const (
	stateInserted evState = 1 << iota // I/O or signal interest registered
	stateTimer                        // timeout armed
	stateActive                       // in an active queue
	stateFreed                        // Free was called
	stateInternal                     // the loop's own (wakeup); not counted or dumped
	stateAssigned                     // Assign was called
)

// NewEvent returns an event on fd for the conditions in what (a mask of
// Read, Write, Closed, Persist and ET), calling cb when it fires. The event
// does nothing until Add. For a pure timer use NewTimer; for a signal,
// NewSignal.
func (b *Base) NewEvent(fd int, what Flags, cb Callback) *Event {
	ev := new(Event)
	ev.Assign(b, fd, what, cb)
	return ev
}

// NewTimer returns a one-shot timer: an event that fires only by timeout
// (AddTimeout). NewEvent(-1, Persist, cb) makes a repeating one.
func (b *Base) NewTimer(cb Callback) *Event {
	return b.NewEvent(-1, 0, cb)
}

// NewSignal returns an event that fires when the process receives sig.
// Signal events are persistent unless made with NewEvent(int(sig),
// Signal, cb).
func (b *Base) NewSignal(sig syscall.Signal, cb Callback) *Event {
	return b.NewEvent(int(sig), Signal|Persist, cb)
}

// Assign initialises ev in place, like libevent's event_assign, so an
// Event can live inside a larger struct without a separate allocation. It
// must not be called on an event that is added or active.
func (ev *Event) Assign(b *Base, fd int, what Flags, cb Callback) {
	*ev = Event{base: b, fd: fd, events: what, cb: cb, timeout: -1, heapIdx: -1, fdIdx: -1, state: stateAssigned}
	ev.pri = b.defaultPri
}

// Base returns the event's Base.
func (ev *Event) Base() *Base { return ev.base }

// FD returns the event's fd (signal number for signals, -1 for timers).
func (ev *Event) FD() int { return ev.fd }

// Events returns the flags the event was made with.
func (ev *Event) Events() Flags { return ev.events }

// Add makes the event pending with no timeout; a timeout set by an earlier
// AddTimeout is removed. Adding a pending event changes nothing else.
// Safe from any goroutine.
func (ev *Event) Add() error {
	b := ev.base
	b.mu.Lock()
	err := b.addLocked(ev, -1)
	b.mu.Unlock()
	return err
}

// AddTimeout makes the event pending with a timeout of d from now (d == 0
// fires on the next loop iteration). Re-adding a pending event moves its
// deadline. Persistent events are re-armed after each activation: relative
// to the previous deadline when the timeout fired, so periodic timers do
// not drift; relative to now when I/O fired. If d was registered with
// Base.InitCommonTimeout, the event goes on that O(1) queue.
// Safe from any goroutine.
func (ev *Event) AddTimeout(d time.Duration) error {
	if d < 0 {
		d = 0
	}
	b := ev.base
	b.mu.Lock()
	err := b.addLocked(ev, d)
	b.mu.Unlock()
	return err
}

// Del makes the event non-pending and non-active. Called from another
// goroutine while the event's callback runs, Del returns only after the
// callback has finished (libevent's del_wait), and the loop does not start
// that callback again before the Del is done; from inside the callback it
// returns at once. Deleting an event that is not pending is not an error.
// Safe from any goroutine.
func (ev *Event) Del() error {
	b := ev.base
	b.mu.Lock()
	b.delWaitLocked(ev)
	err := b.delLocked(ev)
	b.mu.Unlock()
	return err
}

// Free deletes the event (waiting for a running callback as Del does) and
// marks it unusable; later calls return ErrFreed. A callback may free its
// own event. Safe from any goroutine.
func (ev *Event) Free() {
	b := ev.base
	if b == nil {
		return
	}
	b.mu.Lock()
	b.delWaitLocked(ev)
	b.delLocked(ev)
	ev.state |= stateFreed
	b.mu.Unlock()
}

// Active makes the event active with the result flags what, whether or not
// it is pending, so its callback runs on the next pass of the loop.
// Activating an active event ORs what into its result flags.
// Safe from any goroutine.
func (ev *Event) Active(what Flags) {
	b := ev.base
	b.mu.Lock()
	if ev.state&stateFreed == 0 && !b.closed {
		b.activateLocked(ev, what, 1)
		b.notifyLocked()
	}
	b.mu.Unlock()
}

// Pending reports which of the conditions in what (Read, Write, Closed,
// Signal, Timeout) the event is pending or active for.
// Safe from any goroutine.
func (ev *Event) Pending(what Flags) Flags {
	b := ev.base
	b.mu.Lock()
	defer b.mu.Unlock()
	var f Flags
	if ev.state&stateInserted != 0 {
		f |= ev.events & (Read | Write | Closed | Signal)
	}
	if ev.state&stateActive != 0 {
		f |= ev.res
	}
	if ev.state&stateTimer != 0 {
		f |= Timeout
	}
	return f & (what | Persist) &^ Persist
}

// Deadline returns when the event's timeout expires, and false when no
// timeout is armed. Safe from any goroutine.
func (ev *Event) Deadline() (time.Time, bool) {
	b := ev.base
	b.mu.Lock()
	defer b.mu.Unlock()
	if ev.state&stateTimer == 0 {
		return time.Time{}, false
	}
	return b.timeAt(ev.deadline), true
}

// SetPriority sets the event's priority (0 runs first). It fails with
// ErrInvalid if pri is out of range or the event is active.
// Safe from any goroutine.
func (ev *Event) SetPriority(pri int) error {
	b := ev.base
	b.mu.Lock()
	defer b.mu.Unlock()
	if pri < 0 || pri >= len(b.active) {
		return fmt.Errorf("%w: priority %d not in [0,%d)", ErrInvalid, pri, len(b.active))
	}
	if ev.state&stateActive != 0 {
		return fmt.Errorf("%w: priority change on an active event", ErrInvalid)
	}
	ev.pri = pri
	return nil
}

// Priority returns the event's priority.
func (ev *Event) Priority() int {
	b := ev.base
	b.mu.Lock()
	defer b.mu.Unlock()
	return ev.pri
}
