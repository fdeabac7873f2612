package core

import (
	"errors"
	"fmt"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/goevent/goevent/internal/looptest"
)

func TestDispatchEmpty(t *testing.T) {
	forEachBackend(t, func(t *testing.T, newBase func(...Option) *Base) {
		b := newBase()
		for _, f := range []LoopFlags{0, LoopOnce, LoopNonblock, LoopOnce | LoopNonblock} {
			if err := b.Loop(f); err != nil {
				t.Errorf("Loop(%#x) with no events: %v", f, err)
			}
		}
		if b.GotExit() || b.GotBreak() {
			t.Error("GotExit or GotBreak after a loop that ran out of events")
		}
		wantNumEvents(t, b, 0, 0)
	})
}

// TestLoopOnce: LoopOnce blocks until something runs, runs that pass, and
// returns with the rest still pending.
func TestLoopOnce(t *testing.T) {
	forEachBackend(t, func(t *testing.T, newBase func(...Option) *Base) {
		b := newBase()
		var rec recorder
		soon := b.NewTimer(func(int, Flags) { rec.add("soon") })
		never := b.NewTimer(func(int, Flags) { rec.add("never") })
		mustAddTimeout(t, soon, 5*time.Millisecond)
		mustAddTimeout(t, never, time.Hour)
		start := time.Now()
		mustLoop(t, b, LoopOnce)
		if el := time.Since(start); el < 5*time.Millisecond {
			t.Errorf("LoopOnce returned after %v, before the timer", el)
		}
		rec.want(t, "soon")
		wantNumEvents(t, b, 1, 0)
		never.Del()
	})
}

// TestLoopNonblock: returns at once when nothing is ready, and runs what is.
func TestLoopNonblock(t *testing.T) {
	forEachBackend(t, func(t *testing.T, newBase func(...Option) *Base) {
		b := newBase()
		fds := looptest.Socketpair(t)
		var rec recorder
		ev := b.NewEvent(fds[0], Read, func(fd int, what Flags) { rec.add(looptest.Drain(fd)) })
		mustAdd(t, ev)
		tm := b.NewTimer(func(int, Flags) { rec.add("timer") })
		mustAddTimeout(t, tm, time.Hour)
		start := time.Now()
		mustLoop(t, b, LoopNonblock)
		if el := time.Since(start); el > maxLate {
			t.Errorf("LoopNonblock with nothing ready took %v", el)
		}
		rec.want(t)
		looptest.WriteString(t, fds[1], "x")
		mustLoop(t, b, LoopNonblock)
		rec.want(t, "x")
		tm.Del()
	})
}

// TestLoopNoExitOnEmpty: the loop keeps running with nothing added until
// LoopBreak; an event added from another goroutine meanwhile runs.
func TestLoopNoExitOnEmpty(t *testing.T) {
	forEachBackend(t, func(t *testing.T, newBase func(...Option) *Base) {
		b := newBase()
		polls := make(chan struct{}, 1)
		b.AddPrepareWatcher(func(time.Duration) {
			select {
			case polls <- struct{}{}:
			default:
			}
		})
		ran := make(chan struct{})
		go func() {
			<-polls
			ev := b.NewTimer(func(int, Flags) { close(ran) })
			ev.AddTimeout(0)
			<-ran
			<-polls // the loop is empty again and about to sleep
			b.LoopBreak()
		}()
		mustLoop(t, b, LoopNoExitOnEmpty)
		if !b.GotBreak() || b.GotExit() {
			t.Errorf("GotBreak %v, GotExit %v; want true, false", b.GotBreak(), b.GotExit())
		}
	})
}

// TestLoopExit0: LoopExit(0) from a callback lets the rest of that pass
// run, then the loop returns with GotExit.
func TestLoopExit0(t *testing.T) {
	forEachBackend(t, func(t *testing.T, newBase func(...Option) *Base) {
		b := newBase()
		var rec recorder
		var evs []*Event
		for i := range 3 {
			ev := b.NewEvent(-1, Persist, func(int, Flags) {
				rec.add(fmt.Sprint(i))
				if i == 0 {
					b.LoopExit(0)
				}
			})
			mustAddTimeout(t, ev, 0)
			evs = append(evs, ev)
		}
		mustDispatch(t, b)
		rec.want(t, "0", "1", "2")
		if !b.GotExit() || b.GotBreak() {
			t.Errorf("GotExit %v, GotBreak %v; want true, false", b.GotExit(), b.GotBreak())
		}
		for _, ev := range evs {
			ev.Del()
		}

		// Called while no loop runs, it applies to the next loop, which runs
		// one pass.
		b.LoopExit(0)
		once := b.NewTimer(func(int, Flags) { rec.add("once") })
		mustAddTimeout(t, once, 0)
		hour := b.NewTimer(func(int, Flags) { rec.add("hour") })
		mustAddTimeout(t, hour, time.Hour)
		mustDispatch(t, b)
		if !b.GotExit() {
			t.Error("LoopExit(0) made before Dispatch was lost")
		}
		rec.want(t, "0", "1", "2", "once")
		hour.Del()
		mustDispatch(t, b)
		if b.GotExit() {
			t.Error("a consumed LoopExit(0) applied to a later loop")
		}
	})
}

// TestLoopExitDelay: LoopExit(d) ends the loop after d, not before; with
// several pending the earliest wins; alone it keeps Dispatch running.
func TestLoopExitDelay(t *testing.T) {
	forEachBackend(t, func(t *testing.T, newBase func(...Option) *Base) {
		b := newBase()
		ticks := 0
		tick := b.NewEvent(-1, Persist, func(int, Flags) { ticks++ })
		mustAddTimeout(t, tick, 2*time.Millisecond)
		const d = 40 * time.Millisecond
		start := time.Now()
		if err := b.LoopExit(d); err != nil {
			t.Fatal(err)
		}
		if err := b.LoopExit(time.Hour); err != nil { // later: ignored
			t.Fatal(err)
		}
		mustDispatch(t, b)
		el := time.Since(start)
		if el < d || el > d+maxLate {
			t.Errorf("LoopExit(%v) returned after %v", d, el)
		}
		if !b.GotExit() || b.GotBreak() {
			t.Errorf("GotExit %v, GotBreak %v; want true, false", b.GotExit(), b.GotBreak())
		}
		if ticks == 0 {
			t.Error("the persistent timer never ran")
		}
		tick.Del()
		wantNumEvents(t, b, 0, 0)

		// Nothing else added: the exit timer alone keeps the loop running,
		// like libevent's loopexit event.
		start = time.Now()
		b.LoopExit(10 * time.Millisecond)
		wantNumEvents(t, b, 1, 0)
		mustDispatch(t, b)
		if el := time.Since(start); el < 10*time.Millisecond || !b.GotExit() {
			t.Errorf("Dispatch with only LoopExit(10ms) returned after %v, GotExit %v", el, b.GotExit())
		}
		wantNumEvents(t, b, 0, 0)
	})
}

// TestLoopBreak: LoopBreak stops the loop right after the running
// callback; the rest of the pass runs on the next loop.
func TestLoopBreak(t *testing.T) {
	forEachBackend(t, func(t *testing.T, newBase func(...Option) *Base) {
		b := newBase()
		var rec recorder
		for i := range 3 {
			ev := b.NewTimer(func(int, Flags) {
				rec.add(fmt.Sprint(i))
				if i == 0 {
					b.LoopBreak()
				}
			})
			ev.Active(Timeout)
		}
		mustDispatch(t, b)
		rec.want(t, "0")
		if !b.GotBreak() || b.GotExit() {
			t.Errorf("GotBreak %v, GotExit %v; want true, false", b.GotBreak(), b.GotExit())
		}
		wantNumEvents(t, b, 0, 2)
		mustDispatch(t, b)
		rec.want(t, "0", "1", "2")
		if b.GotBreak() {
			t.Error("GotBreak still set by the previous loop")
		}

		// From another goroutine while the loop sleeps.
		ev := b.NewEvent(-1, Persist, func(int, Flags) {})
		mustAddTimeout(t, ev, time.Hour)
		polls := make(chan struct{}, 1)
		w := b.AddPrepareWatcher(func(time.Duration) {
			select {
			case polls <- struct{}{}:
			default:
			}
		})
		go func() {
			<-polls
			b.LoopBreak()
		}()
		mustDispatch(t, b)
		if !b.GotBreak() {
			t.Error("GotBreak false after LoopBreak from another goroutine")
		}
		w.Free()
		ev.Del()
	})
}

// TestReentrantLoop: Loop from a callback, or from another goroutine while
// the loop runs, returns ErrReentrant.
func TestReentrantLoop(t *testing.T) {
	forEachBackend(t, func(t *testing.T, newBase func(...Option) *Base) {
		b := newBase()
		var inner, other error
		ev := b.NewTimer(func(int, Flags) {
			inner = b.Loop(0)
			done := make(chan struct{})
			go func() { other = b.Dispatch(); close(done) }()
			<-done
		})
		ev.Active(Timeout)
		mustDispatch(t, b)
		if !errors.Is(inner, ErrReentrant) || !errors.Is(other, ErrReentrant) {
			t.Errorf("reentrant Loop: %v; from another goroutine: %v; want ErrReentrant", inner, other)
		}
	})
}

// TestNowCached: callbacks of one pass see one Now; UpdateCacheTime
// refreshes it; outside the loop Now reads the clock.
func TestNowCached(t *testing.T) {
	forEachBackend(t, func(t *testing.T, newBase func(...Option) *Base) {
		clk := newFakeClock()
		b := newBase(WithClock(clk))
		var seen []time.Time
		for range 3 {
			ev := b.NewTimer(func(int, Flags) {
				seen = append(seen, b.Now())
				clk.Advance(time.Millisecond) // time passes during callbacks
			})
			ev.Active(Timeout)
		}
		upd := b.NewTimer(func(int, Flags) {
			b.UpdateCacheTime()
			seen = append(seen, b.Now())
		})
		upd.Active(Timeout)
		start := clk.Now()
		mustDispatch(t, b)
		if len(seen) != 4 || !seen[0].Equal(start) || !seen[1].Equal(start) || !seen[2].Equal(start) {
			t.Errorf("Now in one pass: %v, want %v three times", seen, start)
		}
		if len(seen) == 4 && !seen[3].Equal(start.Add(3*time.Millisecond)) {
			t.Errorf("Now after UpdateCacheTime = %v, want %v", seen[3], start.Add(3*time.Millisecond))
		}
		if !b.Now().Equal(clk.Now()) {
			t.Errorf("Now outside the loop = %v, want the clock's %v", b.Now(), clk.Now())
		}

		// On the real clock, Now is the wall time within a pass.
		rb := newBase()
		var got time.Time
		e := rb.NewTimer(func(int, Flags) { got = rb.Now() })
		before := time.Now()
		e.Active(Timeout)
		mustDispatch(t, rb)
		if got.Before(before) || got.After(time.Now()) {
			t.Errorf("Now in a callback = %v, outside [%v, now]", got, before)
		}
	})
}

// TestWatchers: prepare watchers run before each poll with its timeout,
// check watchers after it and before that pass's callbacks, each kind in
// the order added; a watcher may free itself.
func TestWatchers(t *testing.T) {
	forEachBackend(t, func(t *testing.T, newBase func(...Option) *Base) {
		b := newBase()
		var rec recorder
		var timeouts []time.Duration
		b.AddPrepareWatcher(func(d time.Duration) { rec.add("prep1"); timeouts = append(timeouts, d) })
		var self *Watcher
		self = b.AddPrepareWatcher(func(time.Duration) { rec.add("prep2"); self.Free() })
		b.AddCheckWatcher(func() { rec.add("check1") })
		b.AddCheckWatcher(func() { rec.add("check2") })
		ev := b.NewTimer(func(int, Flags) { rec.add("timer") })
		mustAddTimeout(t, ev, 30*time.Millisecond)
		mustDispatch(t, b)
		got := strings.Join(rec.list(), " ")
		if !strings.HasPrefix(got, "prep1 prep2 check1 check2") || !strings.HasSuffix(got, "check1 check2 timer") ||
			strings.Count(got, "prep2") != 1 {
			t.Errorf("watchers and callback ran as %q", got)
		}
		if len(timeouts) == 0 || timeouts[0] <= 0 || timeouts[0] > 30*time.Millisecond {
			t.Errorf("first prepare timeout %v, want in (0, 30ms]", timeouts)
		}
		// A ready callback makes the poll non-blocking; nothing due at all
		// makes it unbounded (negative).
		timeouts = nil
		ev.Active(Timeout)
		mustDispatch(t, b)
		if len(timeouts) == 0 || timeouts[0] != 0 {
			t.Errorf("prepare timeout with an active event: %v, want 0", timeouts)
		}
		timeouts = nil
		// A LoopBreak made by a prepare watcher must still stop the poll
		// that follows, which would otherwise sleep forever.
		stop := b.AddPrepareWatcher(func(d time.Duration) {
			if d < 0 {
				b.LoopBreak()
			}
		})
		mustLoop(t, b, LoopNoExitOnEmpty)
		stop.Free()
		if len(timeouts) == 0 || timeouts[0] >= 0 {
			t.Errorf("prepare timeout with nothing due: %v, want negative", timeouts)
		}
	})
}

// TestDump: the layout of libevent's event_base_dump_events.
func TestDump(t *testing.T) {
	forEachBackend(t, func(t *testing.T, newBase func(...Option) *Base) {
		b := newBase(WithPriorities(3))
		fds := looptest.Socketpair(t)
		rd := b.NewEvent(fds[0], Read|Persist, func(int, Flags) {})
		mustAddTimeout(t, rd, 10*time.Second)
		wr := b.NewEvent(fds[1], Write, func(int, Flags) {})
		wr.SetPriority(0)
		mustAdd(t, wr)
		tm := b.NewTimer(func(int, Flags) {})
		tm.Active(Timeout)
		var out fmtBuf
		if err := b.Dump(&out); err != nil {
			t.Fatal(err)
		}
		s := out.String()
		t.Logf("Dump:\n%s", s)
		re := regexp.MustCompile(`^Inserted events:\n` +
			`(  0x[0-9a-f]+ \[fd \d+\][^\n]*\n){2}` +
			`Active events:\n` +
			`  0x[0-9a-f]+ \[fd -1\] Timeout\n$`)
		if !re.MatchString(s) {
			t.Fatalf("Dump output does not match the expected layout:\n%s", s)
		}
		for _, want := range []string{
			fmt.Sprintf("[fd %d] Read Persist Timeout=", fds[0]),
			fmt.Sprintf("[fd %d] Write Priority=0\n", fds[1]),
		} {
			if !strings.Contains(s, want) {
				t.Errorf("Dump lacks %q", want)
			}
		}
		rd.Del()
		wr.Del()
		tm.Del()
		out.Reset()
		b.Dump(&out)
		if out.String() != "Inserted events:\nActive events:\n" {
			t.Errorf("Dump of an empty Base:\n%s", out.String())
		}
	})
}

// TestPost: posted functions run on the loop after the pass's I/O
// callbacks, in the order posted; one posted from a posted function runs on
// the next pass.
func TestPost(t *testing.T) {
	forEachBackend(t, func(t *testing.T, newBase func(...Option) *Base) {
		b := newBase()
		var rec recorder
		ev := b.NewTimer(func(int, Flags) {
			rec.add("cb")
			b.Post(func() { rec.add("from cb") })
		})
		b.Post(func() {
			rec.add("p1")
			b.Post(func() { rec.add("nested") })
		})
		b.Post(func() { rec.add("p2") })
		ev.Active(Timeout)
		mustDispatch(t, b)
		rec.want(t, "cb", "p1", "p2", "from cb", "nested")

		// From other goroutines while the loop sleeps: each one's posts run
		// in its order.
		const goroutines, each = 4, 100
		keep := b.NewEvent(-1, Persist, func(int, Flags) {})
		mustAddTimeout(t, keep, time.Hour)
		seen := make([]int, goroutines)
		bad := 0
		left := goroutines * each
		for g := range goroutines {
			go func() {
				for i := range each {
					b.Post(func() {
						if seen[g] != i {
							bad++
						}
						seen[g] = i + 1
						if left--; left == 0 {
							keep.Del()
						}
					})
				}
			}()
		}
		mustDispatch(t, b)
		if bad != 0 {
			t.Errorf("%d posted functions ran out of order", bad)
		}
	})
}

// TestDeferred: a Deferred runs after the pass's callbacks, at most once
// however often scheduled; one scheduled from a deferred callback runs on
// the next pass; Cancel unschedules.
func TestDeferred(t *testing.T) {
	forEachBackend(t, func(t *testing.T, newBase func(...Option) *Base) {
		b := newBase()
		var rec recorder
		var again *Deferred
		d1 := b.NewDeferred(func() {
			rec.add("d1")
			again.Schedule()
		})
		again = b.NewDeferred(func() { rec.add("again") })
		var embedded struct{ d Deferred }
		embedded.d.Init(b, func() { rec.add("cancelled") })
		for range 2 {
			ev := b.NewTimer(func(int, Flags) {
				rec.add("cb")
				d1.Schedule()
			})
			ev.Active(Timeout)
		}
		if !embedded.d.Schedule() || embedded.d.Schedule() {
			t.Error("Schedule: want true, then false while queued")
		}
		embedded.d.Cancel()
		passes := 0
		b.AddCheckWatcher(func() { passes++ })
		mustDispatch(t, b)
		rec.want(t, "cb", "cb", "d1", "again")
		if passes != 2 {
			t.Errorf("ran in %d passes, want 2 (the re-scheduled one waits a pass)", passes)
		}
	})
}

// TestOnce: Once runs its callback a single time, for I/O or timeout,
// needs no Free, and fails after Close.
func TestOnce(t *testing.T) {
	forEachBackend(t, func(t *testing.T, newBase func(...Option) *Base) {
		b := newBase()
		fds := looptest.Socketpair(t)
		var rec recorder
		if err := b.Once(-1, 0, 5*time.Millisecond, func(fd int, what Flags) { rec.add("timer " + what.String()) }); err != nil {
			t.Fatal(err)
		}
		if err := b.Once(fds[0], Read|Persist, time.Hour, func(fd int, what Flags) {
			rec.add("io " + what.String())
		}); err != nil {
			t.Fatal(err)
		}
		wantNumEvents(t, b, 2, 0)
		mustLoop(t, b, LoopOnce)
		rec.want(t, "timer Timeout")
		looptest.WriteString(t, fds[1], "x")
		looptest.WriteString(t, fds[1], "y")
		mustDispatch(t, b) // Persist was ignored: runs once, then nothing is left
		rec.want(t, "timer Timeout", "io Read")
		wantNumEvents(t, b, 0, 0)
		b.Close()
		if err := b.Once(-1, 0, 0, func(int, Flags) {}); !errors.Is(err, ErrClosed) {
			t.Errorf("Once after Close: %v, want ErrClosed", err)
		}
	})
}

// TestEventAccounting: NumEvents and Pending after every operation.
func TestEventAccounting(t *testing.T) {
	forEachBackend(t, func(t *testing.T, newBase func(...Option) *Base) {
		b := newBase()
		fds := looptest.Socketpair(t)
		io := b.NewEvent(fds[0], Read|Write|Persist, func(int, Flags) {})
		tm := b.NewTimer(func(int, Flags) {})
		wantNumEvents(t, b, 0, 0)
		mustAdd(t, io)
		wantNumEvents(t, b, 1, 0)
		mustAddTimeout(t, io, time.Hour) // same event, now with a timeout
		wantNumEvents(t, b, 1, 0)
		if got := io.Pending(Read | Write | Timeout | Signal); got != Read|Write|Timeout {
			t.Errorf("Pending = %v, want Read|Write|Timeout", got)
		}
		if got := io.Pending(Write); got != Write {
			t.Errorf("Pending(Write) = %v", got)
		}
		mustAddTimeout(t, tm, time.Hour)
		wantNumEvents(t, b, 2, 0)
		tm.Active(Read)
		tm.Active(Write) // ORs into the result
		wantNumEvents(t, b, 2, 1)
		if got := tm.Pending(Read | Write | Timeout); got != Read|Write|Timeout {
			t.Errorf("Pending of an active armed timer = %v", got)
		}
		var what Flags
		tm.cb = func(_ int, w Flags) { what = w }
		onePass(t, b) // tm runs (one-shot: deleted), io runs for Write
		if what != Read|Write {
			t.Errorf("activated twice: callback got %v, want Read|Write", what)
		}
		wantNumEvents(t, b, 1, 0)
		io.Del()
		wantNumEvents(t, b, 0, 0)
		if io.Pending(Read|Write|Timeout) != 0 {
			t.Error("deleted event still pending")
		}
		io.Active(Read)
		wantNumEvents(t, b, 0, 1)
		io.Del() // Del also deactivates
		wantNumEvents(t, b, 0, 0)
		io.Free()
		if err := io.Add(); !errors.Is(err, ErrFreed) {
			t.Errorf("Add after Free: %v, want ErrFreed", err)
		}
		if err := io.Del(); !errors.Is(err, ErrFreed) {
			t.Errorf("Del after Free: %v, want ErrFreed", err)
		}
		io.Active(Read) // ignored
		wantNumEvents(t, b, 0, 0)
		io.Free() // twice is fine
	})
}

// TestClose: Close is idempotent and everything fails cleanly afterwards;
// events still added are dropped.
func TestClose(t *testing.T) {
	forEachBackend(t, func(t *testing.T, newBase func(...Option) *Base) {
		b := newBase()
		fds := looptest.Socketpair(t)
		ev := b.NewEvent(fds[0], Read, func(int, Flags) {})
		mustAddTimeout(t, ev, time.Hour)
		tm := b.NewTimer(func(int, Flags) {})
		tm.Active(Timeout)
		if err := b.Close(); err != nil {
			t.Fatal(err)
		}
		if err := b.Close(); err != nil {
			t.Errorf("second Close: %v", err)
		}
		wantNumEvents(t, b, 0, 0)
		if ev.Pending(Read|Timeout) != 0 || tm.Pending(Timeout) != 0 {
			t.Error("events still pending after Close")
		}
		for name, err := range map[string]error{
			"Dispatch":  b.Dispatch(),
			"Add":       ev.Add(),
			"Del":       ev.Del(),
			"Post":      b.Post(func() {}),
			"LoopExit":  b.LoopExit(0),
			"LoopBreak": b.LoopBreak(),
		} {
			if !errors.Is(err, ErrClosed) {
				t.Errorf("%s after Close: %v, want ErrClosed", name, err)
			}
		}
		if b.NewDeferred(func() {}).Schedule() {
			t.Error("Deferred.Schedule after Close reported true")
		}
		ev.Active(Read) // ignored
		ev.Free()
		// The fd was the caller's: Close left it open.
		if _, err := fdStat(fds[0]); err != nil {
			t.Errorf("Close closed a caller's fd: %v", err)
		}
	})
}

// TestCloseFromCallback: Close in a callback ends the loop after that
// callback; the rest of the pass does not run.
func TestCloseFromCallback(t *testing.T) {
	forEachBackend(t, func(t *testing.T, newBase func(...Option) *Base) {
		b := newBase()
		var rec recorder
		for i := range 2 {
			ev := b.NewTimer(func(int, Flags) {
				rec.add(fmt.Sprint(i))
				if err := b.Close(); err != nil {
					t.Errorf("Close from a callback: %v", err)
				}
				if err := b.Post(func() {}); !errors.Is(err, ErrClosed) {
					t.Errorf("Post after Close in a callback: %v", err)
				}
			})
			ev.Active(Timeout)
		}
		if err := b.Dispatch(); err != nil {
			t.Errorf("Dispatch closed from a callback: %v", err)
		}
		rec.want(t, "0")
		if err := b.Dispatch(); !errors.Is(err, ErrClosed) {
			t.Errorf("Dispatch after Close: %v", err)
		}
	})
}

// TestMaxDispatch: with WithMaxDispatch(0, 2, 0) the loop polls again
// after every two callbacks.
func TestMaxDispatch(t *testing.T) {
	forEachBackend(t, func(t *testing.T, newBase func(...Option) *Base) {
		b := newBase(WithMaxDispatch(0, 2, 0))
		var rec recorder
		b.AddCheckWatcher(func() { rec.add("poll") })
		for i := range 5 {
			b.NewTimer(func(int, Flags) { rec.add(fmt.Sprint(i)) }).Active(Timeout)
		}
		mustDispatch(t, b)
		rec.want(t, "poll", "0", "1", "poll", "2", "3", "poll", "4")
	})
}

// Once with neither I/O nor a timeout runs on the next pass, as libevent's
// event_base_once does.
func TestOnceImmediate(t *testing.T) {
	forEachBackend(t, func(t *testing.T, newBase func(...Option) *Base) {
		b := newBase()
		ran := 0
		if err := b.Once(-1, 0, -1, func(fd int, what Flags) { ran++ }); err != nil {
			t.Fatal(err)
		}
		if err := b.Loop(LoopOnce | LoopNonblock); err != nil {
			t.Fatal(err)
		}
		if ran != 1 {
			t.Fatalf("Once ran %d times, want 1", ran)
		}
	})
}

// Dump names signal events "sig N", as libevent's dump does.
func TestDumpSignal(t *testing.T) {
	forEachBackend(t, func(t *testing.T, newBase func(...Option) *Base) {
		b := newBase()
		ev := b.NewSignal(syscall.SIGUSR2, func(int, Flags) {})
		if err := ev.Add(); err != nil {
			t.Fatal(err)
		}
		defer ev.Free()
		var buf strings.Builder
		if err := b.Dump(&buf); err != nil {
			t.Fatal(err)
		}
		if want := fmt.Sprintf("[sig %d] Signal Persist", syscall.SIGUSR2); !strings.Contains(buf.String(), want) {
			t.Fatalf("Dump:\n%s\nwant a line with %q", buf.String(), want)
		}
	})
}

// A Deferred still queued when its Base closes is no longer queued: Cancel
// and Schedule after Close are harmless.
func TestDeferredAfterClose(t *testing.T) {
	b, err := NewBase()
	if err != nil {
		t.Fatal(err)
	}
	d := b.NewDeferred(func() { t.Error("deferred ran after Close") })
	if !d.Schedule() {
		t.Fatal("Schedule reported already queued")
	}
	b.Close()
	d.Cancel()
	if d.Schedule() {
		t.Fatal("Schedule after Close reported success")
	}
}
