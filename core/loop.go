package core

import (
	"runtime"
	"time"
)

// Dispatch runs the loop until no events are pending or active, or until
// LoopExit, LoopBreak or Close. It is Loop(0).
func (b *Base) Dispatch() error { return b.Loop(0) }

// Loop runs the event loop on the calling goroutine, which it locks to its
// OS thread while it runs. Without flags it runs until no events are added
// or active (then it returns nil), or until LoopExit or LoopBreak (nil;
// GotExit and GotBreak tell which). LoopOnce returns after one pass that
// ran callbacks; LoopNonblock polls without blocking and returns once no
// callback is ready. It returns ErrReentrant if the loop is already running
// (from a callback, or on another goroutine), ErrClosed after Close, and a
// *BackendError if the kernel poller fails.
//
// Each pass follows libevent's order: compute the poll timeout (zero when
// callbacks are ready), run prepare watchers, poll, refresh the cached
// time, run check watchers, activate expired timers and delivered signals,
// run the active callbacks of the most urgent priority that has any, then
// the deferred callbacks and posted functions.
func (b *Base) Loop(flags LoopFlags) error {
	b.mu.Lock()
	if b.closed {
		b.mu.Unlock()
		return ErrClosed
	}
	if b.running {
		b.mu.Unlock()
		return ErrReentrant
	}
	runtime.LockOSThread()
	b.running = true
	b.loopTID = 0 // taken before the first user code runs; see noteLoopThreadLocked
	// exitAfterRun survives from a LoopExit(0) made while no loop ran:
	// this loop then runs one pass and returns, as libevent's does.
	b.gotExit, b.gotBreak = false, false
	passed := false
	var err error
	for {
		if b.exitAfterRun && passed {
			b.exitAfterRun = false
			b.gotExit = true
			break
		}
		if b.gotBreak || b.closed {
			break
		}
		var timeout time.Duration = -1
		if flags&LoopNonblock != 0 || b.readyLocked() || b.exitAfterRun {
			timeout = 0
		} else if len(b.timers) > 0 {
			timeout = time.Duration(b.timers[0].deadline - b.monoNow())
			if timeout < 0 {
				timeout = 0
			}
		}
		if flags&LoopNoExitOnEmpty == 0 && b.nevents == 0 && !b.readyLocked() && !b.exitAfterRun {
			break
		}
		// polling is set before the prepare watchers run (they run
		// unlocked): a call from another goroutine meanwhile must wake
		// the poll that follows.
		b.polling = timeout != 0
		if len(b.prepare) > 0 {
			b.runWatchersLocked(b.prepare, timeout)
		}
		b.cacheOK = false
		err = b.be.wait(b, timeout)
		b.polling = false
		passed = true
		if err != nil {
			break
		}
		b.cached, b.cacheOK = b.monoNow(), true
		if len(b.check) > 0 {
			b.runWatchersLocked(b.check, -1)
		}
		b.timeoutProcessLocked(b.cached)
		if b.sig != nil {
			b.signalProcessLocked()
		}
		if b.readyLocked() {
			ran := b.processActiveLocked()
			if flags&LoopOnce != 0 && !b.readyLocked() && ran {
				break
			}
		} else if flags&LoopNonblock != 0 {
			break
		}
	}
	b.cacheOK = false
	b.running = false
	b.runningEv = nil
	b.cond.Broadcast()
	if b.closed {
		if rerr := b.releaseLocked(); err == nil && rerr != nil {
			err = rerr
		}
	}
	stopped := b.takeStoppedSignalsLocked()
	b.mu.Unlock()
	waitSignalsStopped(stopped)
	runtime.UnlockOSThread()
	return err
}

// readyLocked reports whether any callback is ready to run.
func (b *Base) readyLocked() bool {
	return b.nactive > 0 || b.deferred.head != nil || len(b.posted) > 0 || b.sigPending
}

// processActiveLocked runs the active queue of the most urgent priority
// that has events, then the deferred callbacks and posted functions. It
// reports whether any callback ran.
func (b *Base) processActiveLocked() bool {
	ran := false
	var start int64
	if b.maxIntv > 0 {
		start = b.monoNow()
	}
	for pri := range b.active {
		if b.active[pri].head == nil {
			continue
		}
		b.runningPri = pri
		n := b.processQueueLocked(pri, start)
		b.runningPri = 0
		if n > 0 {
			ran = true
			break
		}
		if b.gotBreak {
			return ran
		}
		if b.continueHigher {
			break
		}
	}
	b.continueHigher = false
	if b.gotBreak {
		return ran
	}
	if b.deferred.head != nil {
		ran = b.runDeferredLocked() || ran
	}
	if len(b.posted) > 0 && !b.gotBreak {
		b.runPostedLocked()
		ran = true
	}
	return ran
}

// processQueueLocked runs the callbacks on one active queue until it is
// empty, LoopBreak is called, or a WithMaxDispatch bound is hit.
func (b *Base) processQueueLocked(pri int, start int64) int {
	q := &b.active[pri]
	bounded := (b.maxCB > 0 || b.maxIntv > 0) && pri >= b.minPri
	n := 0
	for q.head != nil {
		ev := q.head
		b.deactivateLocked(ev)
		res, ncalls := ev.res, ev.ncalls
		if ev.events&Persist != 0 {
			if ev.timeout >= 0 && ev.state&stateInternal == 0 {
				b.rearmPersistLocked(ev, res)
			}
		} else {
			b.delLocked(ev)
		}
		if ev.state&stateInternal == 0 {
			n++
		}
		b.runningEv = ev
		b.noteLoopThreadLocked()
		if res&Signal != 0 {
			// One call per delivery; Del, Free or LoopBreak during a call
			// cancels the rest (libevent's ev_pncalls).
			b.sigCalls = ncalls
			for b.sigCalls > 0 && !b.gotBreak {
				b.sigCalls--
				b.mu.Unlock()
				ev.cb(ev.fd, res)
				b.mu.Lock()
			}
			b.sigCalls = 0
		} else {
			b.mu.Unlock()
			ev.cb(ev.fd, res)
			b.mu.Lock()
		}
		b.runningEv = nil
		if b.delWaiters > 0 {
			// Let the waiting Del or Free take effect before the loop can
			// run the event again (a persistent event due again at once).
			b.cond.Broadcast()
			for b.delWaiters > 0 {
				b.cond.Wait()
			}
		}
		if b.gotBreak {
			break
		}
		if b.continueHigher {
			// A callback activated an event of a more urgent priority:
			// run it before the rest of this queue (libevent's
			// event_continue).
			break
		}
		if bounded {
			if b.maxCB > 0 && n >= b.maxCB {
				break
			}
			if b.maxIntv > 0 && b.monoNow()-start >= int64(b.maxIntv) {
				break
			}
		}
	}
	return n
}

// rearmPersistLocked re-arms a persistent event's timeout before its
// callback runs (libevent's event_persist_closure): after a timeout,
// relative to the old deadline so periodic timers do not drift, unless that
// is already past; after I/O or Active, relative to now.
func (b *Base) rearmPersistLocked(ev *Event, res Flags) {
	now := b.monoNow()
	deadline := now + int64(ev.timeout)
	if res&Timeout != 0 && ev.common == nil && b.common[ev.timeout] == nil {
		if d := ev.deadline + int64(ev.timeout); d > now {
			deadline = d
		}
	}
	was := counted(ev)
	b.scheduleLocked(ev, deadline)
	b.track(ev, was)
}

func (b *Base) runPostedLocked() {
	b.postedRun, b.posted = b.posted, b.postedRun[:0]
	run := b.postedRun
	b.noteLoopThreadLocked()
	b.mu.Unlock()
	for i, fn := range run {
		fn()
		run[i] = nil
	}
	b.mu.Lock()
}
