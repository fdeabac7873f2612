package core

// A Deferred is a callback queued to run on the loop goroutine after the
// current batch of I/O callbacks, never re-entrantly from inside another
// callback: libevent's deferred callbacks. bufferevent uses one per
// connection so its user callbacks never nest. Scheduling an already
// queued Deferred does nothing, so a Deferred runs at most once per pass
// however often it is scheduled; it allocates nothing.
//
// Schedule and Cancel are safe from any goroutine.
type Deferred struct {
	base   *Base
	fn     func()
	queued bool // guarded by base.mu
	list   *deferredList
	prev   *Deferred
	next   *Deferred
}

type deferredList struct {
	head, tail *Deferred
}

func (l *deferredList) pushBack(d *Deferred) {
	d.next, d.prev, d.list = nil, l.tail, l
	if l.tail != nil {
		l.tail.next = d
	} else {
		l.head = d
	}
	l.tail = d
}

func (l *deferredList) remove(d *Deferred) {
	if d.prev != nil {
		d.prev.next = d.next
	} else {
		l.head = d.next
	}
	if d.next != nil {
		d.next.prev = d.prev
	} else {
		l.tail = d.prev
	}
	d.prev, d.next, d.list = nil, nil, nil
}

// NewDeferred returns a Deferred that runs fn on b's loop goroutine each
// time it is scheduled.
func (b *Base) NewDeferred(fn func()) *Deferred {
	d := new(Deferred)
	d.Init(b, fn)
	return d
}

// Init sets up d in place (so it can live inside a larger struct). It must
// not be called while d is queued.
func (d *Deferred) Init(b *Base, fn func()) {
	*d = Deferred{base: b, fn: fn}
}

// Schedule queues d to run after the current batch of callbacks (or on the
// next pass, when called from a deferred callback). It reports false when
// d was already queued or the Base is closed.
func (d *Deferred) Schedule() bool {
	b := d.base
	b.mu.Lock()
	defer b.mu.Unlock()
	if d.queued || b.closed {
		return false
	}
	d.queued = true
	b.deferred.pushBack(d)
	b.notifyLocked()
	return true
}

// Cancel removes d from the queue if it has not run yet.
func (d *Deferred) Cancel() {
	b := d.base
	b.mu.Lock()
	if d.queued {
		d.list.remove(d)
		d.queued = false
	}
	b.mu.Unlock()
}

// runDeferredLocked runs the deferred callbacks queued before it started;
// ones scheduled meanwhile wait for the next pass (the poll before it does
// not block). It reports whether any ran.
func (b *Base) runDeferredLocked() bool {
	// The batch lives in the Base (each queued Deferred points at its
	// list, so a local would escape: one allocation per pass).
	run := &b.deferredRun
	*run = b.deferred
	b.deferred = deferredList{}
	for d := run.head; d != nil; d = d.next {
		d.list = run
	}
	ran := false
	for run.head != nil && !b.gotBreak {
		d := run.head
		run.remove(d)
		d.queued = false
		b.noteLoopThreadLocked()
		b.mu.Unlock()
		d.fn()
		ran = true
		b.mu.Lock()
	}
	// After a break, what did not run goes back in front of the queue.
	for d := run.tail; d != nil; d = run.tail {
		run.remove(d)
		d.list = &b.deferred
		d.next = b.deferred.head
		if b.deferred.head != nil {
			b.deferred.head.prev = d
		} else {
			b.deferred.tail = d
		}
		b.deferred.head = d
	}
	return ran
}
