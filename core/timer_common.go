package core

import "time"

// A commonQueue holds the events whose timeout is one common duration
// (Base.InitCommonTimeout), in FIFO order. Since every member's deadline is
// "added at + d" and time does not go backwards, FIFO order is deadline
// order: adding and expiring cost O(1). Only the queue's marker, an
// internal event due when the head is due, sits in the heap.
type commonQueue struct {
	d          time.Duration
	head, tail *Event
	marker     Event
}

func newCommonQueue(b *Base, d time.Duration) *commonQueue {
	q := &commonQueue{d: d}
	q.marker.Assign(b, -1, 0, nil)
	q.marker.state |= stateInternal
	q.marker.common = q
	return q
}

func (q *commonQueue) pushBack(ev *Event) {
	ev.ctNext = nil
	ev.ctPrev = q.tail
	if q.tail != nil {
		q.tail.ctNext = ev
	} else {
		q.head = ev
	}
	q.tail = ev
	ev.common = q
}

func (q *commonQueue) remove(ev *Event) {
	if ev.ctPrev != nil {
		ev.ctPrev.ctNext = ev.ctNext
	} else {
		q.head = ev.ctNext
	}
	if ev.ctNext != nil {
		ev.ctNext.ctPrev = ev.ctPrev
	} else {
		q.tail = ev.ctPrev
	}
	ev.ctPrev, ev.ctNext, ev.common = nil, nil, nil
}

// rearmLocked puts the marker in the heap at the head's deadline, or takes
// it out when the queue is empty.
func (q *commonQueue) rearmLocked(b *Base) {
	m := &q.marker
	if q.head == nil {
		if m.heapIdx >= 0 {
			b.timers.remove(m)
		}
		return
	}
	if m.heapIdx >= 0 && m.deadline == q.head.deadline {
		return
	}
	m.deadline = q.head.deadline
	b.seq++
	m.seq = b.seq
	if m.heapIdx >= 0 {
		b.timers.fix(m)
	} else {
		b.timers.push(m)
	}
}

// expireLocked expires every member due at now.
func (q *commonQueue) expireLocked(b *Base, now int64) {
	for q.head != nil && q.head.deadline <= now {
		ev := q.head
		q.remove(ev)
		b.expireLocked(ev)
	}
	q.rearmLocked(b)
}
