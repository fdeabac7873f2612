package core

import "time"

// A Watcher runs a function just before (prepare) or just after (check)
// each poll of the loop: libevent 2.2's evwatch. Together they measure how
// long the loop sleeps and how long its callbacks take.
type Watcher struct {
	base    *Base
	prepare func(timeout time.Duration)
	check   func()
}

// AddPrepareWatcher runs fn on the loop goroutine before each poll, with
// the poll's timeout (negative: it may sleep until an event). Watchers run
// in the order added. Safe from any goroutine.
func (b *Base) AddPrepareWatcher(fn func(timeout time.Duration)) *Watcher {
	w := &Watcher{base: b, prepare: fn}
	b.mu.Lock()
	b.prepare = append(b.prepare[:len(b.prepare):len(b.prepare)], w)
	b.mu.Unlock()
	return w
}

// AddCheckWatcher runs fn on the loop goroutine after each poll, before
// any callback of that pass. Safe from any goroutine.
func (b *Base) AddCheckWatcher(fn func()) *Watcher {
	w := &Watcher{base: b, check: fn}
	b.mu.Lock()
	b.check = append(b.check[:len(b.check):len(b.check)], w)
	b.mu.Unlock()
	return w
}

// Free removes the watcher; it may be called from a watcher function.
// Safe from any goroutine.
func (w *Watcher) Free() {
	b := w.base
	b.mu.Lock()
	b.prepare = removeWatcher(b.prepare, w)
	b.check = removeWatcher(b.check, w)
	b.mu.Unlock()
}

// removeWatcher returns ws without w, in a new array so a list being run
// is not disturbed.
func removeWatcher(ws []*Watcher, w *Watcher) []*Watcher {
	for i, x := range ws {
		if x == w {
			out := make([]*Watcher, 0, len(ws)-1)
			out = append(out, ws[:i]...)
			return append(out, ws[i+1:]...)
		}
	}
	return ws
}

func (b *Base) runWatchersLocked(ws []*Watcher, timeout time.Duration) {
	b.noteLoopThreadLocked()
	b.mu.Unlock()
	for _, w := range ws {
		if w.prepare != nil {
			w.prepare(timeout)
		} else {
			w.check()
		}
	}
	b.mu.Lock()
}
