package core

import (
	"fmt"
	"time"
)

// counted reports whether ev counts as a user event that keeps Dispatch
// running.
func counted(ev *Event) bool {
	return ev.state&(stateInserted|stateTimer) != 0 && ev.state&stateInternal == 0
}

func (b *Base) track(ev *Event, was bool) {
	if now := counted(ev); now != was {
		if now {
			b.nevents++
		} else {
			b.nevents--
		}
	}
}

// addLocked makes ev pending; d < 0 means no timeout.
func (b *Base) addLocked(ev *Event, d time.Duration) error {
	if b.closed {
		return ErrClosed
	}
	if ev.state&stateFreed != 0 {
		return ErrFreed
	}
	if ev.state&stateAssigned == 0 || ev.base != b {
		return fmt.Errorf("%w: event not made by NewEvent or Assign", ErrInvalid)
	}
	was := counted(ev)
	if ev.events&(Read|Write|Closed|Signal) != 0 && ev.state&stateInserted == 0 {
		var err error
		if ev.events&Signal != 0 {
			err = b.sigAddLocked(ev)
		} else {
			err = b.ioAddLocked(ev)
		}
		if err != nil {
			return err
		}
		ev.state |= stateInserted
	}
	if d >= 0 {
		// A timer re-added while active only because it timed out is no
		// longer active: its new deadline decides (libevent does the same).
		if ev.state&stateActive != 0 && ev.res&Timeout != 0 {
			b.deactivateLocked(ev)
		}
		ev.timeout = d
		// The deadline counts from the clock, not from the pass's cached
		// time: a timer added late in a pass, or by another goroutine
		// while callbacks run, must not fire before d has passed.
		b.scheduleLocked(ev, b.monoNow()+int64(d))
	} else {
		ev.timeout = -1
		if ev.state&stateTimer != 0 {
			b.unscheduleLocked(ev)
		}
	}
	b.track(ev, was)
	b.notifyLocked()
	return nil
}

// delLocked makes ev neither pending nor active.
func (b *Base) delLocked(ev *Event) error {
	if ev.state&stateFreed != 0 {
		return ErrFreed
	}
	if b.closed && b.be == nil {
		return ErrClosed
	}
	was := counted(ev)
	if ev == b.runningEv {
		b.sigCalls = 0 // no more calls for deliveries not yet run
	}
	if ev.state&stateTimer != 0 {
		b.unscheduleLocked(ev)
	}
	if ev.state&stateActive != 0 {
		b.deactivateLocked(ev)
	}
	var err error
	if ev.state&stateInserted != 0 {
		if ev.events&Signal != 0 {
			b.sigDelLocked(ev)
		} else {
			err = b.ioDelLocked(ev)
		}
		ev.state &^= stateInserted
	}
	// A deleted event forgets its timeout: activated later by Active, a
	// persistent event must not re-arm a timer nobody asked for.
	ev.timeout = -1
	b.track(ev, was)
	// Wake a sleeping loop when its interest set is a copy (poll, select),
	// and when the last event is gone, so that Dispatch can return
	// (libevent 2.1.9 does the same).
	if b.polling && b.be != nil && (b.be.features()&featureNeedsWake != 0 || b.nevents == 0) {
		b.notifyLocked()
	}
	return err
}

// scheduleLocked arms ev's timer for the absolute deadline.
func (b *Base) scheduleLocked(ev *Event, deadline int64) {
	q := b.common[time.Duration(ev.timeout)]
	if ev.state&stateTimer != 0 && (ev.common != nil || q != nil) {
		b.unscheduleLocked(ev)
	}
	ev.deadline = deadline
	b.seq++
	ev.seq = b.seq
	ev.state |= stateTimer
	if q != nil {
		q.pushBack(ev)
		if q.head == ev {
			q.rearmLocked(b)
		}
		return
	}
	if ev.heapIdx >= 0 {
		b.timers.fix(ev)
	} else {
		b.timers.push(ev)
	}
}

func (b *Base) unscheduleLocked(ev *Event) {
	if q := ev.common; q != nil {
		wasHead := q.head == ev
		q.remove(ev)
		if wasHead {
			q.rearmLocked(b)
		}
	} else if ev.heapIdx >= 0 {
		b.timers.remove(ev)
	}
	ev.state &^= stateTimer
}

// expireLocked handles a timer that reached its deadline: a one-shot event
// is deleted (its I/O interest too), then ev runs with Timeout.
func (b *Base) expireLocked(ev *Event) {
	was := counted(ev)
	ev.state &^= stateTimer
	b.track(ev, was)
	if ev.events&Persist == 0 {
		b.delLocked(ev)
	}
	b.activateLocked(ev, Timeout, 1)
}

// timeoutProcessLocked activates every timer due at now.
func (b *Base) timeoutProcessLocked(now int64) {
	for len(b.timers) > 0 {
		ev := b.timers[0]
		if ev.deadline > now {
			return
		}
		if q := ev.marker(); q != nil {
			b.timers.remove(ev)
			q.expireLocked(b, now)
			continue
		}
		b.timers.remove(ev)
		b.expireLocked(ev)
	}
}

// marker returns the common queue ev stands for in the heap, if it is one.
func (ev *Event) marker() *commonQueue {
	if ev.state&stateInternal != 0 && ev.common != nil && &ev.common.marker == ev {
		return ev.common
	}
	return nil
}

// activateLocked puts ev on its priority's active queue with result res.
func (b *Base) activateLocked(ev *Event, res Flags, ncalls int) {
	if ev.state&stateActive != 0 {
		ev.res |= res
		ev.ncalls += ncalls
		return
	}
	ev.res = res
	ev.ncalls = ncalls
	ev.state |= stateActive
	b.active[ev.pri].pushBack(ev)
	b.nactive++
	if ev.pri < b.runningPri {
		b.continueHigher = true
	}
}

func (b *Base) deactivateLocked(ev *Event) {
	b.active[ev.pri].remove(ev)
	ev.state &^= stateActive
	b.nactive--
}

// interest is the backend mask an event asks for.
func interest(ev *Event) Flags { return ev.events & (Read | Write | Closed | ET) }

func (b *Base) ioAddLocked(ev *Event) error {
	fd := ev.fd
	if fd < 0 {
		return fmt.Errorf("%w: I/O event on fd %d", ErrInvalid, fd)
	}
	want := interest(ev)
	feat := b.be.features()
	if want&ET != 0 && feat&FeatureET == 0 {
		return fmt.Errorf("%w: ET on %s", ErrUnsupported, b.beName)
	}
	if want&Closed != 0 && feat&FeatureEarlyClose == 0 {
		return fmt.Errorf("%w: Closed on %s", ErrUnsupported, b.beName)
	}
	if fd >= len(b.fds) {
		// Grow by a quarter (and at least to fd): the table is indexed by
		// fd, so doubling would leave up to half of it unused at scale.
		n := len(b.fds) + len(b.fds)/4
		if n <= fd {
			n = fd + 1
		}
		if n < 64 {
			n = 64
		}
		fds := make([]fdEntry, n)
		copy(fds, b.fds)
		b.fds = fds
	}
	e := &b.fds[fd]
	if e.head != nil && e.applied&ET != want&ET {
		return fmt.Errorf("%w: events on fd %d disagree on ET", ErrInvalid, fd)
	}
	if mask := e.applied | want; mask != e.applied {
		if err := b.be.ctl(fd, e.applied, mask); err != nil {
			return err
		}
		e.applied = mask
		if b.polling && feat&featureNeedsWake != 0 {
			b.notifyLocked()
		}
	}
	ev.fdNext = nil
	if e.head == nil {
		e.head = ev
		return nil
	}
	last := e.head
	for last.fdNext != nil {
		last = last.fdNext
	}
	last.fdNext = ev
	return nil
}

func (b *Base) ioDelLocked(ev *Event) error {
	e := &b.fds[ev.fd]
	for p := &e.head; *p != nil; p = &(*p).fdNext {
		if *p == ev {
			*p = ev.fdNext
			break
		}
	}
	ev.fdNext = nil
	var mask Flags
	for o := e.head; o != nil; o = o.fdNext {
		mask |= interest(o)
	}
	if mask&(Read|Write|Closed) == 0 {
		mask = 0
	}
	if mask == e.applied {
		return nil
	}
	err := b.be.ctl(ev.fd, e.applied, mask)
	e.applied = mask
	return err
}

// ready is called by backends, with mu held, for each fd the kernel
// reported; what is a mask of Read, Write and Closed.
func (b *Base) ready(fd int, what Flags) {
	if fd < 0 || fd >= len(b.fds) {
		return
	}
	for ev := b.fds[fd].head; ev != nil; ev = ev.fdNext {
		if res := ev.events & what & (Read | Write | Closed); res != 0 {
			b.activateLocked(ev, res, 1)
		}
	}
}
