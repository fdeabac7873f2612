package core

import (
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/goevent/goevent/internal/looptest"
)

// pollSignal returns a channel that receives (without blocking the loop)
// each time b is about to poll, to sequence other goroutines with a loop
// that sleeps.
func pollSignal(b *Base) <-chan struct{} {
	ch := make(chan struct{}, 1)
	b.AddPrepareWatcher(func(time.Duration) {
		select {
		case ch <- struct{}{}:
		default:
		}
	})
	return ch
}

// TestCrossGoroutineWakeup: Add, AddTimeout, Active and Del from another
// goroutine reach a loop asleep in its poller with no timeout.
func TestCrossGoroutineWakeup(t *testing.T) {
	forEachBackend(t, func(t *testing.T, newBase func(...Option) *Base) {
		b := newBase()
		fds := looptest.Socketpair(t)
		idle := b.NewEvent(fds[0], Read|Persist, func(int, Flags) { t.Error("idle fd became readable") })
		mustAdd(t, idle)
		polls := pollSignal(b)
		var rec recorder
		step := make(chan struct{})
		io := b.NewEvent(fds[1], Write, func(int, Flags) { rec.add("io"); step <- struct{}{} })
		tm := b.NewTimer(func(int, Flags) { rec.add("timer"); step <- struct{}{} })
		act := b.NewTimer(func(int, Flags) { rec.add("active"); step <- struct{}{} })
		go func() {
			<-polls
			io.Add()
			<-step
			<-polls
			tm.AddTimeout(0)
			<-step
			<-polls
			act.Active(Timeout)
			<-step
			<-polls
			idle.Del() // the last event: Dispatch must return
		}()
		mustDispatch(t, b)
		rec.want(t, "io", "timer", "active")
		wantNumEvents(t, b, 0, 0)
	})
}

// TestCrossGoroutineEarlierTimer: a timer added from another goroutine
// that is due before the one the loop sleeps for wakes it.
func TestCrossGoroutineEarlierTimer(t *testing.T) {
	forEachBackend(t, func(t *testing.T, newBase func(...Option) *Base) {
		b := newBase()
		far := b.NewTimer(func(int, Flags) { t.Error("the one-hour timer fired") })
		mustAddTimeout(t, far, time.Hour)
		polls := pollSignal(b)
		var start time.Time
		near := b.NewTimer(func(int, Flags) {
			if el := time.Since(start); el < 10*time.Millisecond || el > 10*time.Millisecond+maxLate {
				t.Errorf("timer added while the loop slept fired after %v, want 10ms", el)
			}
			far.Del()
		})
		go func() {
			<-polls
			start = time.Now()
			near.AddTimeout(10 * time.Millisecond)
		}()
		mustDispatch(t, b)
	})
}

// TestDelWait: a Del from another goroutine returns only after the
// running callback of that event has returned (libevent's del_wait); a Del
// of another event does not wait.
func TestDelWait(t *testing.T) {
	forEachBackend(t, func(t *testing.T, newBase func(...Option) *Base) {
		for _, free := range []bool{false, true} {
			b := newBase()
			entered, release := make(chan struct{}), make(chan struct{})
			var finished atomic.Bool
			other := b.NewTimer(func(int, Flags) {})
			mustAddTimeout(t, other, time.Hour)
			calls := 0
			ev := b.NewEvent(-1, Persist, func(int, Flags) {
				if calls++; calls > 1 {
					t.Error("callback ran again while Del was waiting for it")
					return
				}
				close(entered)
				<-release
				finished.Store(true)
			})
			mustAddTimeout(t, ev, 0) // persistent: due again at once
			delDone := make(chan bool)
			go func() {
				<-entered
				other.Del() // not running: must not wait
				if free {
					ev.Free()
				} else {
					ev.Del()
				}
				delDone <- finished.Load()
			}()
			go func() {
				// Release the callback only once Del is waiting for it.
				looptest.WaitFor(t, "Del to wait", func() bool {
					b.mu.Lock()
					defer b.mu.Unlock()
					return b.delWaiters == 1
				})
				close(release)
			}()
			mustDispatch(t, b)
			if !<-delDone {
				t.Errorf("free=%v: Del returned while the callback was running", free)
			}
			wantNumEvents(t, b, 0, 0)
		}
	})
}

// TestCallbackFreesItself: a callback may Del and Free its own event
// without deadlock, and the loop never calls it again.
func TestCallbackFreesItself(t *testing.T) {
	forEachBackend(t, func(t *testing.T, newBase func(...Option) *Base) {
		b := newBase()
		fds := looptest.Socketpair(t)
		looptest.WriteString(t, fds[1], "x") // stays readable
		calls := 0
		var ev *Event
		ev = b.NewEvent(fds[0], Read|Persist, func(int, Flags) {
			calls++
			ev.Del()
			ev.Free()
			ev.Free()
		})
		mustAddTimeout(t, ev, time.Hour)
		ev.Active(Write) // active twice over: by hand and by I/O
		mustDispatch(t, b)
		if calls != 1 {
			t.Errorf("freed event ran %d times", calls)
		}
		wantNumEvents(t, b, 0, 0)
	})
}

// TestCloseWhileDispatching: Close from another goroutine, while the loop
// sleeps or while a callback runs, waits for the loop to return; then no
// goroutine and no fd of the Base is left.
func TestCloseWhileDispatching(t *testing.T) {
	forEachBackend(t, func(t *testing.T, newBase func(...Option) *Base) {
		for _, inCallback := range []bool{false, true} {
			b := newBase()
			mustAdd(t, b.NewSignal(syscall.SIGUSR1, func(int, Flags) {}))
			entered, release := make(chan struct{}), make(chan struct{})
			var finished atomic.Bool
			if inCallback {
				mustAddTimeout(t, b.NewTimer(func(int, Flags) {
					close(entered)
					<-release
					finished.Store(true)
				}), 0)
			} else {
				polls := pollSignal(b)
				go func() { <-polls; close(entered) }()
			}
			closed := make(chan bool)
			go func() {
				<-entered
				if err := b.Close(); err != nil {
					t.Errorf("Close: %v", err)
				}
				closed <- finished.Load()
			}()
			if inCallback {
				go func() {
					looptest.WaitFor(t, "Close to wait", func() bool {
						b.mu.Lock()
						defer b.mu.Unlock()
						return b.closed
					})
					close(release)
				}()
			}
			err := b.Dispatch()
			if err != nil {
				t.Errorf("Dispatch stopped by Close: %v", err)
			}
			if fin := <-closed; inCallback && !fin {
				t.Error("Close returned while a callback was running")
			}
			if left := looptest.Goroutines(sigGoroutine...); len(left) != 0 {
				t.Errorf("goroutines left after Close:\n%s", left[0])
			}
		}
	})
}

// TestCloseLeavesNothing: a Base that used I/O, timers, common timeouts,
// signals, deferreds, watchers and posted functions leaves no fd and no
// goroutine after Close.
func TestCloseLeavesNothing(t *testing.T) {
	if looptest.OpenFDs() < 0 {
		t.Skip("no /proc/self/fd")
	}
	forEachBackend(t, func(t *testing.T, newBase func(...Option) *Base) {
		fds := looptest.Socketpair(t)
		name := newBase().Backend()
		for range 2 { // the first round warms up the runtime's own fds
			before := looptest.OpenFDs()
			b, err := NewBase(WithBackend(name))
			if err != nil {
				t.Fatal(err)
			}
			b.InitCommonTimeout(time.Millisecond)
			mustAdd(t, b.NewEvent(fds[0], Read|Write|Persist, func(int, Flags) {}))
			mustAddTimeout(t, b.NewTimer(func(int, Flags) {}), time.Millisecond)
			mustAddTimeout(t, b.NewTimer(func(int, Flags) {}), time.Hour)
			mustAdd(t, b.NewSignal(syscall.SIGUSR2, func(int, Flags) {}))
			b.NewDeferred(func() {}).Schedule()
			b.AddCheckWatcher(func() {})
			b.Post(func() {})
			b.LoopExit(5 * time.Millisecond)
			mustDispatch(t, b)
			if err := b.Close(); err != nil {
				t.Fatal(err)
			}
			if after := looptest.OpenFDs(); after != before {
				t.Errorf("%d fds open before NewBase, %d after Close", before, after)
			}
			if left := looptest.Goroutines(sigGoroutine...); len(left) != 0 {
				t.Errorf("goroutines left after Close:\n%s", left[0])
			}
		}
	})
}

// TestConcurrentStress: several goroutines add, delete, activate and
// re-time events while the loop runs (meant for -race); the accounting
// ends where it started.
func TestConcurrentStress(t *testing.T) {
	rounds := 2000
	if testing.Short() || raceEnabled {
		rounds = 300
	}
	forEachBackend(t, func(t *testing.T, newBase func(...Option) *Base) {
		b := newBase(WithPriorities(2))
		b.InitCommonTimeout(time.Millisecond)
		const workers = 4
		var calls atomic.Int64
		evs := make([]*Event, workers*2)
		for i := range evs {
			fds := looptest.Socketpair(t)
			what := Write
			if i%2 == 1 {
				what = Read | Persist
				looptest.WriteString(t, fds[1], "x")
			}
			evs[i] = b.NewEvent(fds[0], what, func(int, Flags) {
				calls.Add(1)
				if i%3 == 0 {
					evs[i].Del()
				}
			})
			evs[i].SetPriority(i % 2)
		}
		var wg sync.WaitGroup
		for w := range workers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for r := range rounds {
					ev := evs[(w*7+r)%len(evs)]
					switch r % 6 {
					case 0:
						ev.Add()
					case 1:
						ev.AddTimeout(time.Duration(r%3) * time.Millisecond)
					case 2:
						ev.Active(Write)
					case 3:
						ev.Del()
					case 4:
						b.Post(func() { calls.Add(1) })
					case 5:
						ev.Pending(Read | Timeout)
						b.NumEvents()
					}
				}
			}()
		}
		keep := b.NewEvent(-1, Persist, func(int, Flags) {})
		mustAddTimeout(t, keep, time.Hour)
		go func() {
			wg.Wait()
			for _, ev := range evs {
				ev.Del()
			}
			b.Post(func() { keep.Del() })
		}()
		mustDispatch(t, b)
		wantNumEvents(t, b, 0, 0)
		if calls.Load() == 0 {
			t.Error("no callback ran")
		}
	})
}
