package core

// eventList is an intrusive FIFO of events linked through actPrev/actNext:
// the active queues. Adding and removing cost O(1) and allocate nothing.
type eventList struct {
	head, tail *Event
}

func (l *eventList) pushBack(ev *Event) {
	ev.actNext = nil
	ev.actPrev = l.tail
	if l.tail != nil {
		l.tail.actNext = ev
	} else {
		l.head = ev
	}
	l.tail = ev
}

func (l *eventList) remove(ev *Event) {
	if ev.actPrev != nil {
		ev.actPrev.actNext = ev.actNext
	} else {
		l.head = ev.actNext
	}
	if ev.actNext != nil {
		ev.actNext.actPrev = ev.actPrev
	} else {
		l.tail = ev.actPrev
	}
	ev.actPrev, ev.actNext = nil, nil
}
