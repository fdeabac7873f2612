package core

import (
	"errors"
	"fmt"
	"testing"

	"github.com/goevent/goevent/internal/looptest"
)

// TestPriorityOrder: with several priorities active at once, lower numbers
// run first, one priority level per pass (libevent's order).
func TestPriorityOrder(t *testing.T) {
	forEachBackend(t, func(t *testing.T, newBase func(...Option) *Base) {
		b := newBase(WithPriorities(3))
		if b.Priorities() != 3 {
			t.Fatalf("Priorities() = %d", b.Priorities())
		}
		var rec recorder
		b.AddCheckWatcher(func() { rec.add("poll") })
		for _, pri := range []int{2, 1, 0, 2, 1, 0} {
			ev := b.NewTimer(func(int, Flags) { rec.add(fmt.Sprint(pri)) })
			if err := ev.SetPriority(pri); err != nil {
				t.Fatal(err)
			}
			if ev.Priority() != pri {
				t.Fatalf("Priority() = %d, want %d", ev.Priority(), pri)
			}
			ev.Active(Timeout)
		}
		mustDispatch(t, b)
		rec.want(t, "poll", "0", "0", "poll", "1", "1", "poll", "2", "2")
	})
}

// TestPriorityStarvation: a priority keeps higher numbers from running
// only while it has active events: a level-triggered fd at priority 0
// starves a priority-1 timer until its event is deleted.
func TestPriorityStarvation(t *testing.T) {
	forEachBackend(t, func(t *testing.T, newBase func(...Option) *Base) {
		b := newBase(WithPriorities(2))
		fds := looptest.Socketpair(t)
		looptest.WriteString(t, fds[1], "x") // stays readable
		var rec recorder
		n := 0
		var hot *Event
		hot = b.NewEvent(fds[0], Read|Persist, func(int, Flags) {
			n++
			rec.add("hot")
			if n == 3 {
				hot.Del()
			}
		})
		hot.SetPriority(0)
		mustAdd(t, hot)
		cold := b.NewTimer(func(int, Flags) { rec.add("cold") })
		cold.SetPriority(1)
		mustAddTimeout(t, cold, 0)
		mustDispatch(t, b)
		rec.want(t, "hot", "hot", "hot", "cold")
	})
}

// TestPriorityActiveInversion (libevent's priority_active_inversion): a
// callback that activates a more urgent event gets it run before the rest
// of its own, less urgent, queue.
func TestPriorityActiveInversion(t *testing.T) {
	forEachBackend(t, func(t *testing.T, newBase func(...Option) *Base) {
		b := newBase(WithPriorities(3))
		var rec recorder
		urgent := b.NewTimer(func(int, Flags) { rec.add("urgent") })
		urgent.SetPriority(0)
		for i := range 3 {
			ev := b.NewTimer(func(int, Flags) {
				rec.add(fmt.Sprint("low", i))
				if i == 0 {
					urgent.Active(Timeout)
				}
			})
			ev.SetPriority(2)
			ev.Active(Timeout)
		}
		mustDispatch(t, b)
		rec.want(t, "low0", "urgent", "low1", "low2")
	})
}

// TestPriorityDefaultsAndErrors: new events get priority n/2; SetPriority
// refuses out-of-range values and active events.
func TestPriorityDefaultsAndErrors(t *testing.T) {
	forEachBackend(t, func(t *testing.T, newBase func(...Option) *Base) {
		for _, n := range []int{1, 2, 3, 8, 256} {
			b := newBase(WithPriorities(n))
			ev := b.NewTimer(func(int, Flags) {})
			if ev.Priority() != n/2 {
				t.Errorf("%d priorities: default %d, want %d", n, ev.Priority(), n/2)
			}
			for _, bad := range []int{-1, n} {
				if err := ev.SetPriority(bad); !errors.Is(err, ErrInvalid) {
					t.Errorf("SetPriority(%d) of %d: %v, want ErrInvalid", bad, n, err)
				}
			}
			ev.Active(Timeout)
			if err := ev.SetPriority(0); !errors.Is(err, ErrInvalid) {
				t.Errorf("SetPriority on an active event: %v, want ErrInvalid", err)
			}
			ev.Del()
			if err := ev.SetPriority(0); err != nil {
				t.Errorf("SetPriority after Del: %v", err)
			}
		}
	})
}
