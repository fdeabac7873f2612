package core

import (
	"fmt"
	"sync"
	"time"
)

// A Base is one event loop: libevent's event_base. It owns a kernel
// poller, the timers, the active queues and the deferred queue, and runs
// callbacks on the goroutine that calls Loop or Dispatch.
//
// Every method of Base is safe to call from any goroutine; a call from
// outside the loop wakes a loop blocked in the poller. A Base must not be
// copied.
type Base struct {
	_ noCopy

	be      backend // immutable
	beName  string  // immutable
	clock   Clock   // immutable; nil means the runtime clock
	start   time.Time
	maxCB   int           // immutable
	maxIntv time.Duration // immutable
	minPri  int           // immutable

	defaultPri int // immutable

	mu sync.Mutex
	// All fields below are guarded by mu.
	cond        sync.Cond // signalled when a callback finishes; L is &mu
	fds         []fdEntry
	timers      timerHeap
	seq         uint64
	common      map[time.Duration]*commonQueue
	active      []eventList // one queue per priority
	nactive     int
	deferred    deferredList
	deferredRun deferredList // the batch runDeferredLocked is running
	posted      []func()
	postedRun   []func()
	nevents     int // user events inserted or with a timer
	prepare     []*Watcher
	check       []*Watcher
	sig         *sigState
	sigPending  bool

	cached         int64 // cached monotonic ns during callbacks, when cacheOK
	cacheOK        bool
	running        bool
	loopTID        int64
	runningEv      *Event
	runningPri     int         // priority whose queue is running; 0 when none
	continueHigher bool        // an event more urgent than runningPri was activated
	sigCalls       int         // calls left for the running signal event
	sigStopped     []*sigWatch // forwarders stopped, not yet waited for
	delWaiters     int
	polling        bool
	notified       bool
	gotExit        bool
	gotBreak       bool
	exitAfterRun   bool
	exitTimer      *Event
	closed         bool

	wake     waker
	wakeEv   Event
	closeErr error
}

// noCopy makes go vet's copylocks check flag copies of a Base.
type noCopy struct{}

func (*noCopy) Lock()   {}
func (*noCopy) Unlock() {}

// fdEntry is the per-fd record (libevent's evmap): the events on the fd
// and the interest the backend currently holds for it.
type fdEntry struct {
	// head lists the events inserted on the fd, in insertion order,
	// through Event.fdNext: an intrusive list costs no allocation per fd
	// and keeps the entry at 16 B, which matters at tens of thousands of
	// connections (the table is indexed by fd).
	head    *Event
	applied Flags // Read|Write|Closed|ET as registered with the backend
}

// NewBase returns a new event loop. Without options it uses the best
// backend on this system (Backends lists them in order), one priority, and
// the runtime's monotonic clock.
func NewBase(opts ...Option) (*Base, error) {
	var c config
	c.priorities = 1
	for _, o := range opts {
		o(&c)
	}
	if c.priorities < 1 || c.priorities > 256 {
		return nil, fmt.Errorf("%w: %d priorities (want 1 to 256)", ErrInvalid, c.priorities)
	}
	var info *backendInfo
	for i := range backendTable {
		bi := &backendTable[i]
		if c.avoid[bi.name] || (c.backend != "" && c.backend != bi.name) {
			continue
		}
		info = bi
		break
	}
	if info == nil {
		if c.backend != "" {
			return nil, fmt.Errorf("%w: %q (have %v)", ErrBackendUnavailable, c.backend, Backends())
		}
		return nil, fmt.Errorf("%w: every backend avoided (have %v)", ErrBackendUnavailable, Backends())
	}
	be, err := info.new()
	if err != nil {
		return nil, err
	}
	b := &Base{
		be:         be,
		beName:     be.name(),
		clock:      c.clock,
		maxCB:      c.maxCallback,
		maxIntv:    c.maxInterval,
		minPri:     c.minPriority,
		defaultPri: c.priorities / 2,
		active:     make([]eventList, c.priorities),
	}
	if b.clock != nil {
		b.start = b.clock.Now()
	} else {
		b.start = time.Now()
	}
	b.cond.L = &b.mu
	w, err := newWaker()
	if err != nil {
		be.close()
		return nil, err
	}
	b.wake = w
	b.wakeEv.Assign(b, w.readFD(), Read|Persist, func(int, Flags) { b.drainWake() })
	b.wakeEv.state |= stateInternal
	b.mu.Lock()
	err = b.addLocked(&b.wakeEv, -1)
	b.mu.Unlock()
	if err != nil {
		w.close()
		be.close()
		return nil, err
	}
	return b, nil
}

// Backend returns the name of the kernel interface the Base uses: "epoll",
// "kqueue", "poll" or "select".
func (b *Base) Backend() string { return b.beName }

// Features returns what the Base's backend supports.
func (b *Base) Features() Features { return b.be.features() &^ featureNeedsWake }

// Priorities returns the number of priority levels.
func (b *Base) Priorities() int { return len(b.active) }

// monoNow reads the clock as nanoseconds since the Base was made.
func (b *Base) monoNow() int64 {
	if b.clock != nil {
		return int64(b.clock.Now().Sub(b.start))
	}
	return int64(time.Since(b.start))
}

// nowLocked is the cached time during a loop pass, else the clock.
func (b *Base) nowLocked() int64 {
	if b.cacheOK {
		return b.cached
	}
	return b.monoNow()
}

func (b *Base) timeAt(mono int64) time.Time { return b.start.Add(time.Duration(mono)) }

// Now returns the time, cached once per loop iteration like libevent's
// event_base_gettimeofday_cached: callbacks of one pass see one value and
// pay for no clock read. Outside a pass it reads the clock.
// Safe from any goroutine.
func (b *Base) Now() time.Time {
	b.mu.Lock()
	t := b.nowLocked()
	b.mu.Unlock()
	return b.timeAt(t)
}

// UpdateCacheTime refreshes the cached time (libevent's
// event_base_update_cache_time), for a callback that ran long.
// Safe from any goroutine.
func (b *Base) UpdateCacheTime() {
	b.mu.Lock()
	if b.cacheOK {
		b.cached = b.monoNow()
	}
	b.mu.Unlock()
}

// InitCommonTimeout marks d as a common timeout of this Base: afterwards
// every AddTimeout(d) goes on a FIFO queue for d, which costs O(1) to add
// and expire instead of O(log n) on the heap. Use it for a duration that
// many events share (an idle timeout). At most 256 per Base.
// Safe from any goroutine.
func (b *Base) InitCommonTimeout(d time.Duration) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	if d <= 0 {
		return fmt.Errorf("%w: common timeout %v", ErrInvalid, d)
	}
	if b.common[d] != nil {
		return nil
	}
	if len(b.common) >= 256 {
		return fmt.Errorf("%w: more than 256 common timeouts", ErrInvalid)
	}
	if b.common == nil {
		b.common = make(map[time.Duration]*commonQueue)
	}
	b.common[d] = newCommonQueue(b, d)
	return nil
}

// LoopExit makes the loop exit after d has passed; with d <= 0, after the
// callbacks of the current pass have run. Called while no loop runs, it
// applies to the next one, which then runs one pass and returns. With
// several calls pending, the earliest exit wins. The exit timer counts as
// an added event (as libevent's does), so Dispatch with nothing else added
// waits d. Safe from any goroutine.
func (b *Base) LoopExit(d time.Duration) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.closed {
		return ErrClosed
	}
	if d <= 0 {
		b.exitAfterRun = true
		b.notifyLocked()
		return nil
	}
	if b.exitTimer == nil {
		b.exitTimer = new(Event)
		b.exitTimer.Assign(b, -1, 0, func(int, Flags) {
			b.mu.Lock()
			b.exitAfterRun = true
			b.mu.Unlock()
		})
	}
	// Like libevent, where each call schedules its own one-shot timer, the
	// earliest of several pending LoopExit calls wins.
	if b.exitTimer.state&stateTimer != 0 && b.exitTimer.deadline <= b.monoNow()+int64(d) {
		return nil
	}
	return b.addLocked(b.exitTimer, d)
}

// LoopBreak makes the loop exit right after the callback that is running,
// or at once if none is. Safe from any goroutine.
func (b *Base) LoopBreak() error {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.closed {
		return ErrClosed
	}
	b.gotBreak = true
	b.notifyLocked()
	return nil
}

// GotExit reports whether the last loop ended because of LoopExit.
func (b *Base) GotExit() bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.gotExit
}

// GotBreak reports whether the last loop ended because of LoopBreak.
func (b *Base) GotBreak() bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.gotBreak
}

// Post runs fn on the loop goroutine during the next loop pass, after the
// I/O callbacks of that pass. It is how other goroutines hand work to
// objects that belong to the loop (bufferevents, HTTP requests). Functions
// run in the order posted. Post fails with ErrClosed after Close.
// Safe from any goroutine.
func (b *Base) Post(fn func()) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.closed {
		return ErrClosed
	}
	b.posted = append(b.posted, fn)
	b.notifyLocked()
	return nil
}

// NumEvents returns how many user events are added (with I/O, signal or
// timeout interest) and how many are active.
func (b *Base) NumEvents() (added, active int) {
	b.mu.Lock()
	defer b.mu.Unlock()
	active = b.nactive
	if b.wakeEv.state&stateActive != 0 {
		active-- // the loop's own wakeup is not a user event
	}
	return b.nevents, active
}

// Close stops the loop and releases the Base's fds and goroutines. If the
// loop is running on another goroutine, Close waits for it to return;
// called from a callback, the loop returns after that callback. Events
// still added are dropped (their fds are not closed: they belong to the
// caller). Close is idempotent.
// Safe from any goroutine.
func (b *Base) Close() error {
	b.mu.Lock()
	if b.closed {
		b.mu.Unlock()
		return nil
	}
	b.closed = true
	b.gotBreak = true
	b.notifyLocked()
	if b.running && !b.onLoopLocked() {
		for b.running {
			b.cond.Wait()
		}
	}
	if b.running {
		// Called from a callback: the loop frees the rest as it returns.
		b.mu.Unlock()
		return nil
	}
	err := b.releaseLocked()
	stopped := b.takeStoppedSignalsLocked()
	b.mu.Unlock()
	waitSignalsStopped(stopped)
	return err
}

// releaseLocked frees the backend, the waker and the signal goroutine.
func (b *Base) releaseLocked() error {
	if b.be == nil {
		return b.closeErr
	}
	b.stopSignalsLocked()
	err := b.be.close()
	if werr := b.wake.close(); err == nil {
		err = werr
	}
	b.be = nil
	// Events still added or active are dropped: clear their state so that
	// Pending reports nothing and nothing points into freed structures.
	drop := func(ev *Event) {
		ev.state &^= stateInserted | stateTimer | stateActive
		ev.heapIdx, ev.fdIdx, ev.common, ev.fdNext = -1, -1, nil, nil
		ev.actPrev, ev.actNext, ev.ctPrev, ev.ctNext = nil, nil, nil, nil
	}
	for _, e := range b.fds {
		for ev := e.head; ev != nil; {
			next := ev.fdNext
			drop(ev)
			ev = next
		}
	}
	for _, ev := range b.timers {
		if q := ev.marker(); q != nil {
			for m := q.head; m != nil; {
				next := m.ctNext
				drop(m)
				m = next
			}
		}
		drop(ev)
	}
	for i := range b.active {
		for ev := b.active[i].head; ev != nil; {
			next := ev.actNext
			drop(ev)
			ev = next
		}
	}
	b.fds = nil
	b.timers = nil
	for i := range b.active {
		b.active[i] = eventList{}
	}
	b.nactive, b.nevents = 0, 0
	for d := b.deferred.head; d != nil; d = b.deferred.head {
		b.deferred.remove(d)
		d.queued = false
	}
	b.posted = nil
	b.closeErr = err
	return err
}

// notifyLocked wakes the loop if it is blocked in the poller. Only a
// goroutine other than the loop's can observe polling == true.
func (b *Base) notifyLocked() {
	if b.polling && !b.notified {
		b.notified = true
		b.wake.wake()
	}
}

func (b *Base) drainWake() {
	b.wake.drain()
	b.mu.Lock()
	b.notified = false
	b.mu.Unlock()
}

// onLoopLocked reports whether the caller is the goroutine running the
// loop. The loop goroutine is locked to its OS thread while it runs, and
// records that thread's id just before it first runs user code in a Loop
// call (noteLoopThreadLocked). Until then no code but the loop's own runs
// on that goroutine, so an unknown id means the caller is elsewhere. Taking
// the id lazily keeps the gettid syscall (about 1 µs on these VMs, 40% of
// an idle LoopNonblock pass) off passes that run no callback.
func (b *Base) onLoopLocked() bool {
	return b.running && b.loopTID != 0 && threadID() == b.loopTID
}

// noteLoopThreadLocked records the loop thread's id before user code runs
// on it.
func (b *Base) noteLoopThreadLocked() {
	if b.loopTID == 0 {
		b.loopTID = threadID()
	}
}

// delWaitLocked blocks, when called from outside the loop, until a running
// callback of ev has returned.
func (b *Base) delWaitLocked(ev *Event) {
	if b.runningEv != ev || b.onLoopLocked() {
		return
	}
	b.sigCalls = 0 // a signal callback stops after the call that runs
	b.delWaiters++
	for b.runningEv == ev {
		b.cond.Wait()
	}
	// The loop waits for every waiter before it goes on; the caller holds
	// the lock until its delete is done.
	if b.delWaiters--; b.delWaiters == 0 {
		b.cond.Broadcast()
	}
}
