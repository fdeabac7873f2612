package core

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/goevent/goevent/internal/looptest"
)

// maxLate is how late a timer may fire on a loaded 2-core machine: on an
// idle one it is within 5 ms, but with the test packages and other work
// sharing two cores the loop goroutine has been seen 62 ms late. The bound
// still catches a timer that waits for an unrelated wake-up or a coarser
// clock. A timer never fires early: that is asserted strictly.
const maxLate = 250 * time.Millisecond

// TestTimerBounds: each timer fires no earlier than its duration after
// AddTimeout, and at most maxLate after, and they fire in order.
func TestTimerBounds(t *testing.T) {
	forEachBackend(t, func(t *testing.T, newBase func(...Option) *Base) {
		b := newBase()
		durs := []time.Duration{30 * time.Millisecond, 0, 5 * time.Millisecond, time.Millisecond,
			50 * time.Millisecond, 10 * time.Millisecond, 2 * time.Millisecond, 20 * time.Millisecond}
		var order []time.Duration
		for _, d := range durs {
			start := time.Now()
			ev := b.NewTimer(func(fd int, what Flags) {
				el := time.Since(start)
				order = append(order, d)
				if what != Timeout || fd != -1 {
					t.Errorf("timer callback got (%d, %v), want (-1, Timeout)", fd, what)
				}
				if el < d {
					t.Errorf("%v timer fired early, after %v", d, el)
				}
				if el > d+maxLate {
					t.Errorf("%v timer fired %v late", d, el-d)
				}
			})
			mustAddTimeout(t, ev, d)
		}
		wantNumEvents(t, b, len(durs), 0)
		mustDispatch(t, b)
		for i := 1; i < len(order); i++ {
			if order[i] < order[i-1] {
				t.Fatalf("timers fired in order %v", order)
			}
		}
		if len(order) != len(durs) {
			t.Fatalf("%d of %d timers fired", len(order), len(durs))
		}
		wantNumEvents(t, b, 0, 0)
	})
}

// TestTimerAddedLateInPass: a timer added by a callback that ran long
// counts its duration from the AddTimeout call, not from the pass's cached
// time, so it does not fire early.
func TestTimerAddedLateInPass(t *testing.T) {
	forEachBackend(t, func(t *testing.T, newBase func(...Option) *Base) {
		b := newBase()
		const d = 20 * time.Millisecond
		var start time.Time
		var elapsed time.Duration
		second := b.NewTimer(func(int, Flags) { elapsed = time.Since(start) })
		first := b.NewTimer(func(int, Flags) {
			// A slow callback: the pass's cached time falls behind.
			for busy := time.Now(); time.Since(busy) < 30*time.Millisecond; {
			}
			start = time.Now()
			mustAddTimeout(t, second, d)
		})
		mustAddTimeout(t, first, 0)
		mustDispatch(t, b)
		if elapsed < d {
			t.Errorf("timer added late in a pass fired after %v, before its %v", elapsed, d)
		}
	})
}

// TestTimerOrderTies (on a manual clock): timers fire in deadline order,
// ties in the order they were added, including re-adds.
func TestTimerOrderTies(t *testing.T) {
	forEachBackend(t, func(t *testing.T, newBase func(...Option) *Base) {
		clk := newFakeClock()
		b := newBase(WithClock(clk))
		var rec recorder
		evs := map[string]*Event{}
		add := func(name string, d time.Duration) {
			ev := evs[name]
			if ev == nil {
				ev = b.NewTimer(func(int, Flags) { rec.add(name) })
				evs[name] = ev
			}
			mustAddTimeout(t, ev, d)
		}
		add("c30", 30*time.Millisecond)
		add("a10", 10*time.Millisecond)
		add("b10", 10*time.Millisecond)
		add("x", time.Hour)
		add("d20", 20*time.Millisecond)
		add("e10", 10*time.Millisecond)
		add("x", 10*time.Millisecond) // moved: now last of the 10 ms ties
		evs["b10"].Del()
		clk.Advance(9 * time.Millisecond)
		onePass(t, b)
		rec.want(t)
		clk.Advance(time.Millisecond)
		onePass(t, b)
		rec.want(t, "a10", "e10", "x")
		clk.Advance(100 * time.Millisecond)
		mustDispatch(t, b)
		rec.want(t, "a10", "e10", "x", "d20", "c30")
	})
}

// TestManyTimers: 100k timers (10k under -short or -race) with random
// durations, a third of them deleted, fire in deadline order and never early.
func TestManyTimers(t *testing.T) {
	n := 100_000
	if testing.Short() || raceEnabled {
		n = 10_000
	}
	forEachBackend(t, func(t *testing.T, newBase func(...Option) *Base) {
		b := newBase()
		rng := rand.New(rand.NewPCG(1, 2))
		type timer struct {
			ev       *Event
			deadline time.Time // as the Base reports it
			due      time.Time // at the earliest, by the test's clock
			fired    bool
			deleted  bool
		}
		timers := make([]timer, n)
		var last time.Time
		fired, early := 0, 0
		var maxLateSeen time.Duration
		for i := range timers {
			tm := &timers[i]
			d := time.Duration(rng.IntN(100_000)) * time.Microsecond
			tm.ev = b.NewTimer(func(int, Flags) {
				now := time.Now()
				if now.Before(tm.due) {
					early++
				}
				if l := now.Sub(tm.due); l > maxLateSeen {
					maxLateSeen = l
				}
				if tm.deadline.Before(last) {
					t.Fatalf("timer due %v fired after one due %v", tm.deadline, last)
				}
				last = tm.deadline
				tm.fired = true
				fired++
			})
			tm.due = time.Now().Add(d)
			mustAddTimeout(t, tm.ev, d)
			tm.deadline, _ = tm.ev.Deadline()
		}
		deleted := 0
		for i := range timers {
			if rng.IntN(3) == 0 {
				timers[i].ev.Del()
				timers[i].deleted = true
				deleted++
			}
		}
		wantNumEvents(t, b, n-deleted, 0)
		mustDispatch(t, b)
		if fired != n-deleted || early != 0 {
			t.Errorf("%d timers fired (want %d), %d early", fired, n-deleted, early)
		}
		for i := range timers {
			if tm := &timers[i]; tm.fired == tm.deleted || tm.ev.Pending(Timeout) != 0 {
				t.Fatalf("timer %d: deleted %v, fired %v, pending %v", i, tm.deleted, tm.fired, tm.ev.Pending(Timeout))
			}
		}
		t.Logf("%d timers, latest %v after its deadline", n-deleted, maxLateSeen)
		wantNumEvents(t, b, 0, 0)
	})
}

// TestPersistentTimerNoDrift (manual clock): a persistent timer re-arms
// from its previous deadline, not from when it ran, so it does not drift;
// after missed periods it re-arms from now, without a burst of catch-up runs.
func TestPersistentTimerNoDrift(t *testing.T) {
	forEachBackend(t, func(t *testing.T, newBase func(...Option) *Base) {
		clk := newFakeClock()
		b := newBase(WithClock(clk))
		const period = 10 * time.Millisecond
		t0 := clk.Now()
		var deadlines []time.Duration
		var ev *Event
		ev = b.NewEvent(-1, Persist, func(fd int, what Flags) {
			if what != Timeout {
				t.Errorf("what = %v, want Timeout", what)
			}
			dl, ok := ev.Deadline() // already re-armed when the callback runs
			if !ok {
				t.Fatal("persistent timer not re-armed before its callback")
			}
			deadlines = append(deadlines, dl.Sub(t0))
		})
		mustAddTimeout(t, ev, period)
		for _, step := range []time.Duration{13, 7, 12, 35} { // ms, each run late
			clk.Advance(step * time.Millisecond)
			onePass(t, b)
		}
		want := []time.Duration{20, 30, 40, 77} // 13+7+12 = 32 → 40; 67 > 50 → 67+10
		if len(deadlines) != len(want) {
			t.Fatalf("ran %d times, want %d: %v", len(deadlines), len(want), deadlines)
		}
		for i := range want {
			if deadlines[i] != want[i]*time.Millisecond {
				t.Fatalf("re-armed deadlines %v, want %v ms", deadlines, want)
			}
		}
		wantNumEvents(t, b, 1, 0)
		ev.Del()
		wantNumEvents(t, b, 0, 0)
	})
}

// TestPersistentTimeoutAfterIO (manual clock): a persistent I/O event with
// a timeout re-arms from now when I/O fired it, and from its previous
// deadline when the timeout did.
func TestPersistentTimeoutAfterIO(t *testing.T) {
	forEachBackend(t, func(t *testing.T, newBase func(...Option) *Base) {
		clk := newFakeClock()
		b := newBase(WithClock(clk))
		fds := looptest.Socketpair(t)
		t0 := clk.Now()
		var rec recorder
		var ev *Event
		ev = b.NewEvent(fds[0], Read|Persist, func(fd int, what Flags) {
			looptest.Drain(fd)
			dl, _ := ev.Deadline()
			rec.add(fmt.Sprintf("%v@%v", what, dl.Sub(t0)))
		})
		mustAddTimeout(t, ev, 10*time.Millisecond)
		clk.Advance(4 * time.Millisecond)
		looptest.WriteString(t, fds[1], "x")
		onePass(t, b)
		clk.Advance(10 * time.Millisecond) // t0+14: due
		onePass(t, b)
		clk.Advance(10 * time.Millisecond) // t0+24: due
		onePass(t, b)
		rec.want(t, "Read@14ms", "Timeout@24ms", "Timeout@34ms")
		// Add without a timeout removes it.
		mustAdd(t, ev)
		if _, ok := ev.Deadline(); ok {
			t.Error("Add() kept the timeout")
		}
		wantNumEvents(t, b, 1, 0)
		ev.Del()
	})
}

// TestActiveDeletedPersistentEvent: a persistent event that was deleted
// (or never had a timeout) and is then activated runs once and stays
// deleted: it must not re-arm a timeout nobody asked for.
func TestActiveDeletedPersistentEvent(t *testing.T) {
	forEachBackend(t, func(t *testing.T, newBase func(...Option) *Base) {
		b := newBase()
		fds := looptest.Socketpair(t)
		for _, withTimeout := range []bool{false, true} {
			calls := 0
			ev := b.NewEvent(fds[0], Read|Persist, func(int, Flags) { calls++ })
			if withTimeout {
				mustAddTimeout(t, ev, time.Hour)
				ev.Del()
			}
			ev.Active(Read)
			wantNumEvents(t, b, 0, 1)
			mustDispatch(t, b)
			if calls != 1 || ev.Pending(Read|Timeout) != 0 {
				t.Errorf("withTimeout=%v: ran %d times (want 1), pending %v afterwards", withTimeout, calls, ev.Pending(Read|Timeout))
			}
			wantNumEvents(t, b, 0, 0)
		}
	})
}

// TestTimerCallbacksAddAndDelete: a callback re-adds its own timer, deletes
// another that is due in the same pass (it must not run), and adds a new
// one with a zero timeout (it runs on the next pass).
func TestTimerCallbacksAddAndDelete(t *testing.T) {
	forEachBackend(t, func(t *testing.T, newBase func(...Option) *Base) {
		clk := newFakeClock()
		b := newBase(WithClock(clk))
		var rec recorder
		var self, victim *Event
		n := 0
		later := b.NewTimer(func(int, Flags) { rec.add("later") })
		self = b.NewTimer(func(int, Flags) {
			n++
			rec.add(fmt.Sprintf("self%d", n))
			if n == 1 {
				victim.Del()
				mustAddTimeout(t, later, 0)
			}
			if n < 3 {
				mustAddTimeout(t, self, time.Millisecond)
			}
		})
		victim = b.NewTimer(func(int, Flags) { rec.add("victim") })
		mustAddTimeout(t, self, time.Millisecond)
		mustAddTimeout(t, victim, time.Millisecond)
		clk.Advance(time.Millisecond)
		onePass(t, b)
		rec.want(t, "self1")
		wantNumEvents(t, b, 2, 0)
		onePass(t, b)
		rec.want(t, "self1", "later")
		clk.Advance(time.Millisecond)
		onePass(t, b)
		clk.Advance(time.Millisecond)
		onePass(t, b)
		rec.want(t, "self1", "later", "self2", "self3")
		wantNumEvents(t, b, 0, 0)
	})
}

// TestDeadline: Deadline reports the armed expiry and nothing otherwise.
func TestDeadline(t *testing.T) {
	forEachBackend(t, func(t *testing.T, newBase func(...Option) *Base) {
		b := newBase()
		ev := b.NewTimer(func(int, Flags) {})
		if _, ok := ev.Deadline(); ok {
			t.Error("Deadline of a new timer")
		}
		const d = 40 * time.Millisecond
		before := time.Now()
		mustAddTimeout(t, ev, d)
		after := time.Now()
		dl, ok := ev.Deadline()
		if !ok || dl.Before(before.Add(d)) || dl.After(after.Add(d)) {
			t.Errorf("Deadline = %v, %v; want in [%v, %v]", dl, ok, before.Add(d), after.Add(d))
		}
		if ev.Pending(Timeout) != Timeout {
			t.Error("Pending(Timeout) of an armed timer is 0")
		}
		// A re-add moves the deadline, earlier as well as later.
		mustAddTimeout(t, ev, time.Hour)
		if dl2, _ := ev.Deadline(); !dl2.After(dl) {
			t.Errorf("re-add for an hour: deadline %v not after %v", dl2, dl)
		}
		mustAddTimeout(t, ev, -time.Second) // negative means zero
		if dl3, _ := ev.Deadline(); dl3.After(time.Now()) {
			t.Errorf("AddTimeout(-1s) deadline %v is in the future", dl3)
		}
		mustDispatch(t, b)
		if _, ok := ev.Deadline(); ok {
			t.Error("Deadline of a fired one-shot timer")
		}
		mustAddTimeout(t, ev, time.Hour)
		ev.Del()
		if _, ok := ev.Deadline(); ok {
			t.Error("Deadline of a deleted timer")
		}
	})
}

// TestCommonTimeout (manual clock): events on a common timeout fire in
// FIFO order, mixed correctly with heap timers; deleting the head,
// re-adding, and persistent re-arming keep the queue right.
func TestCommonTimeout(t *testing.T) {
	forEachBackend(t, func(t *testing.T, newBase func(...Option) *Base) {
		clk := newFakeClock()
		b := newBase(WithClock(clk))
		const ct = 100 * time.Millisecond
		if err := b.InitCommonTimeout(ct); err != nil {
			t.Fatal(err)
		}
		if err := b.InitCommonTimeout(ct); err != nil {
			t.Errorf("InitCommonTimeout twice: %v", err)
		}
		var rec recorder
		mk := func(name string, what Flags) *Event {
			return b.NewEvent(-1, what, func(int, Flags) { rec.add(name) })
		}
		a, c, d, e := mk("a", 0), mk("c", 0), mk("d", 0), mk("e", 0)
		heap := mk("heap", 0)
		per := mk("per", Persist)
		mustAddTimeout(t, a, ct) // due 100
		clk.Advance(10 * time.Millisecond)
		mustAddTimeout(t, c, ct)   // due 110
		mustAddTimeout(t, per, ct) // due 110
		clk.Advance(10 * time.Millisecond)
		mustAddTimeout(t, d, ct)                     // due 120
		mustAddTimeout(t, heap, 95*time.Millisecond) // due 115, on the heap
		mustAddTimeout(t, e, ct)                     // due 120
		a.Del()                                      // the head goes
		mustAddTimeout(t, c, ct)                     // c moves to the tail: due 120
		if dl, _ := c.Deadline(); dl.Sub(clk.Now()) != ct {
			t.Errorf("common-timeout deadline %v from now, want %v", dl.Sub(clk.Now()), ct)
		}
		wantNumEvents(t, b, 5, 0)

		var dump fmtBuf
		b.Dump(&dump)
		if n := dump.count("Timeout="); n != 5 {
			t.Errorf("Dump lists %d timers, want 5:\n%s", n, dump.String())
		}

		clk.Advance(89 * time.Millisecond) // 109
		onePass(t, b)
		rec.want(t)
		clk.Advance(time.Millisecond) // 110
		onePass(t, b)
		rec.want(t, "per")
		clk.Advance(5 * time.Millisecond) // 115
		onePass(t, b)
		rec.want(t, "per", "heap")
		clk.Advance(5 * time.Millisecond) // 120
		onePass(t, b)
		rec.want(t, "per", "heap", "d", "e", "c")
		// The persistent one re-armed from now, at 210.
		clk.Advance(90 * time.Millisecond)
		onePass(t, b)
		rec.want(t, "per", "heap", "d", "e", "c", "per")
		wantNumEvents(t, b, 1, 0)
		per.Del()
		wantNumEvents(t, b, 0, 0)
		if len(b.timers) != 0 {
			t.Errorf("%d entries left in the timer heap, want 0", len(b.timers))
		}

		// Invalid durations, and the 256 limit.
		if err := b.InitCommonTimeout(0); !errors.Is(err, ErrInvalid) {
			t.Errorf("InitCommonTimeout(0) = %v, want ErrInvalid", err)
		}
		for i := 2; i <= 256; i++ {
			if err := b.InitCommonTimeout(time.Duration(i) * time.Second); err != nil {
				t.Fatalf("common timeout #%d: %v", i, err)
			}
		}
		if err := b.InitCommonTimeout(time.Hour); !errors.Is(err, ErrInvalid) {
			t.Errorf("257th common timeout: %v, want ErrInvalid", err)
		}
	})
}

// TestCommonTimeoutBounds (real clock): common timeouts never fire early.
func TestCommonTimeoutBounds(t *testing.T) {
	forEachBackend(t, func(t *testing.T, newBase func(...Option) *Base) {
		b := newBase()
		const ct = 15 * time.Millisecond
		b.InitCommonTimeout(ct)
		fired := 0
		for range 50 {
			start := time.Now()
			ev := b.NewTimer(func(int, Flags) {
				fired++
				if el := time.Since(start); el < ct || el > ct+maxLate {
					t.Errorf("common timeout fired after %v, want [%v, %v]", el, ct, ct+maxLate)
				}
			})
			mustAddTimeout(t, ev, ct)
		}
		mustDispatch(t, b)
		if fired != 50 {
			t.Errorf("%d of 50 fired", fired)
		}
	})
}

// TestIOTimeout: an I/O event with a timeout reports Timeout when the fd
// stays idle; a one-shot one is then no longer pending for I/O.
func TestIOTimeout(t *testing.T) {
	forEachBackend(t, func(t *testing.T, newBase func(...Option) *Base) {
		b := newBase()
		fds := looptest.Socketpair(t)
		var rec recorder
		ev := b.NewEvent(fds[0], Read, func(fd int, what Flags) { rec.add(what.String()) })
		start := time.Now()
		mustAddTimeout(t, ev, 10*time.Millisecond)
		mustDispatch(t, b)
		if el := time.Since(start); el < 10*time.Millisecond {
			t.Errorf("timeout fired after %v", el)
		}
		rec.want(t, "Timeout")
		if ev.Pending(Read|Timeout) != 0 {
			t.Error("one-shot event still pending after its timeout")
		}
		// I/O first: the timeout is removed with the event.
		mustAddTimeout(t, ev, time.Hour)
		looptest.WriteString(t, fds[1], "x")
		mustDispatch(t, b)
		rec.want(t, "Timeout", "Read")
		wantNumEvents(t, b, 0, 0)
	})
}

// TestTimeoutReAddWhileActive (manual clock): re-adding a timer that timed
// out but has not run yet takes it off the active queue; its new deadline
// decides.
func TestTimeoutReAddWhileActive(t *testing.T) {
	forEachBackend(t, func(t *testing.T, newBase func(...Option) *Base) {
		clk := newFakeClock()
		b := newBase(WithClock(clk), WithPriorities(2))
		var rec recorder
		var late *Event
		first := b.NewTimer(func(int, Flags) {
			rec.add("first")
			mustAddTimeout(t, late, 5*time.Millisecond) // late is active, not yet run
		})
		first.SetPriority(0)
		late = b.NewTimer(func(int, Flags) { rec.add("late") })
		late.SetPriority(1)
		mustAddTimeout(t, first, time.Millisecond)
		mustAddTimeout(t, late, time.Millisecond)
		clk.Advance(time.Millisecond)
		onePass(t, b)
		onePass(t, b)
		rec.want(t, "first")
		wantNumEvents(t, b, 1, 0)
		clk.Advance(5 * time.Millisecond)
		onePass(t, b)
		rec.want(t, "first", "late")
	})
}
