package core

import (
	"os"
	"os/signal"
	"syscall"
)

// Signals reach the loop through os/signal: for each signal number that has
// events on a Base, one goroutine receives from a channel registered with
// signal.Notify, counts the delivery under the Base's lock and wakes the
// loop. The loop then activates that signal's events with Signal, calling
// each callback once per delivery (libevent's ncalls). Unlike libevent,
// several Bases may watch one signal at once: os/signal delivers to every
// registered channel. When the last event of a signal is deleted its
// channel is stopped, which restores the signal's previous disposition if
// nothing else in the process watches it.
type sigState struct {
	bySig map[syscall.Signal]*sigWatch
}

type sigWatch struct {
	evs     []*Event
	pending int
	ch      chan os.Signal
	done    chan struct{} // closed to stop the forwarder
	exited  chan struct{} // closed by the forwarder as it returns
}

func (b *Base) sigAddLocked(ev *Event) error {
	sig := syscall.Signal(ev.fd)
	if ev.fd <= 0 || ev.fd >= 65 {
		return ErrInvalid
	}
	if b.sig == nil {
		b.sig = &sigState{bySig: make(map[syscall.Signal]*sigWatch)}
	}
	w := b.sig.bySig[sig]
	if w == nil {
		w = &sigWatch{ch: make(chan os.Signal, 16), done: make(chan struct{}), exited: make(chan struct{})}
		b.sig.bySig[sig] = w
		signal.Notify(w.ch, sig)
		go b.sigForward(w)
	}
	ev.fdIdx = len(w.evs)
	w.evs = append(w.evs, ev)
	return nil
}

func (b *Base) sigDelLocked(ev *Event) {
	sig := syscall.Signal(ev.fd)
	w := b.sig.bySig[sig]
	i, last := ev.fdIdx, len(w.evs)-1
	if i != last {
		w.evs[i] = w.evs[last]
		w.evs[i].fdIdx = i
	}
	w.evs[last] = nil
	w.evs = w.evs[:last]
	ev.fdIdx = -1
	if len(w.evs) == 0 {
		delete(b.sig.bySig, sig)
		b.stopWatchLocked(w)
	}
}

// stopWatchLocked stops w's forwarder; Close waits for it to return.
func (b *Base) stopWatchLocked(w *sigWatch) {
	signal.Stop(w.ch)
	close(w.done)
	live := b.sigStopped[:0]
	for _, o := range b.sigStopped {
		select {
		case <-o.exited:
		default:
			live = append(live, o)
		}
	}
	b.sigStopped = append(live, w)
}

// takeStoppedSignalsLocked returns the stopped forwarders of a closed Base,
// for the caller to wait for (waitSignalsStopped) once it has released the
// lock, which they may need to return. Close and a loop that Close stopped
// both wait, so that Close returns with no goroutine of the Base left.
func (b *Base) takeStoppedSignalsLocked() []*sigWatch {
	if !b.closed {
		return nil
	}
	return b.sigStopped
}

func waitSignalsStopped(ws []*sigWatch) {
	for _, w := range ws {
		<-w.exited
	}
}

// sigForward is the goroutine of one watched signal.
func (b *Base) sigForward(w *sigWatch) {
	defer close(w.exited)
	for {
		select {
		case <-w.ch:
			b.mu.Lock()
			select {
			case <-w.done:
			default:
				w.pending++
				b.sigPending = true
				b.notifyLocked()
			}
			b.mu.Unlock()
		case <-w.done:
			return
		}
	}
}

// signalProcessLocked activates the events of each delivered signal.
func (b *Base) signalProcessLocked() {
	if !b.sigPending {
		return
	}
	b.sigPending = false
	for _, w := range b.sig.bySig {
		if w.pending == 0 {
			continue
		}
		n := w.pending
		w.pending = 0
		for _, ev := range w.evs {
			b.activateLocked(ev, Signal, n)
		}
	}
}

// stopSignalsLocked stops every signal goroutine (Close).
func (b *Base) stopSignalsLocked() {
	if b.sig == nil {
		return
	}
	for sig, w := range b.sig.bySig {
		for _, ev := range w.evs {
			ev.state &^= stateInserted
			ev.fdIdx = -1
		}
		delete(b.sig.bySig, sig)
		b.stopWatchLocked(w)
	}
}
