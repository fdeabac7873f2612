package core

import (
	"errors"
	"fmt"
	"testing"

	"golang.org/x/sys/unix"

	"github.com/goevent/goevent/internal/looptest"
)

// An fdPair is a connected pair of fds, one end polled and one end the
// test's: a socketpair (both ends read and write) or a pipe.
type fdPair struct {
	name string
	make func(t *testing.T) (rd, wr int, fds []int)
}

var fdPairs = []fdPair{
	{"socketpair", func(t *testing.T) (int, int, []int) {
		fds := looptest.Socketpair(t)
		return fds[0], fds[1], fds
	}},
	{"pipe", func(t *testing.T) (int, int, []int) {
		fds := looptest.Pipe(t)
		return fds[0], fds[1], fds
	}},
}

func TestReadReadiness(t *testing.T) {
	forEachBackend(t, func(t *testing.T, newBase func(...Option) *Base) {
		for _, p := range fdPairs {
			t.Run(p.name, func(t *testing.T) {
				b := newBase()
				rd, wr, _ := p.make(t)
				var rec recorder
				ev := b.NewEvent(rd, Read, func(fd int, what Flags) {
					rec.add(fmt.Sprintf("%v %q", what, looptest.Drain(fd)))
					if fd != rd {
						t.Errorf("callback fd %d, want %d", fd, rd)
					}
				})
				mustAdd(t, ev)
				wantNumEvents(t, b, 1, 0)
				if got := ev.Pending(Read | Write | Timeout); got != Read {
					t.Errorf("Pending = %v, want Read", got)
				}
				// Nothing to read yet: a non-blocking pass runs nothing.
				onePass(t, b)
				rec.want(t)
				looptest.WriteString(t, wr, "hello")
				mustDispatch(t, b) // one-shot: returns once it ran
				rec.want(t, `Read "hello"`)
				if got := ev.Pending(Read); got != 0 {
					t.Errorf("Pending after a one-shot fired = %v", got)
				}
				wantNumEvents(t, b, 0, 0)
			})
		}
	})
}

func TestWriteReadiness(t *testing.T) {
	forEachBackend(t, func(t *testing.T, newBase func(...Option) *Base) {
		for _, p := range fdPairs {
			t.Run(p.name, func(t *testing.T) {
				b := newBase()
				_, wr, _ := p.make(t)
				var rec recorder
				ev := b.NewEvent(wr, Write, func(fd int, what Flags) { rec.add(what.String()) })
				mustAdd(t, ev)
				mustDispatch(t, b)
				rec.want(t, "Write")

				// Fill the buffer: no longer writable until the peer reads.
				buf := make([]byte, 64<<10)
				for {
					if _, err := unix.Write(wr, buf); err != nil {
						break
					}
				}
				mustAdd(t, ev)
				onePass(t, b)
				rec.want(t, "Write")
				ev.Del()
			})
		}
	})
}

// TestPersistVsOneShot: on a level-triggered fd that stays readable, a
// persistent event runs on every pass and a one-shot event once.
func TestPersistVsOneShot(t *testing.T) {
	forEachBackend(t, func(t *testing.T, newBase func(...Option) *Base) {
		b := newBase()
		fds := looptest.Socketpair(t)
		looptest.WriteString(t, fds[1], "x") // never drained
		once, persist := 0, 0
		one := b.NewEvent(fds[0], Read, func(int, Flags) { once++ })
		var per *Event
		per = b.NewEvent(fds[0], Read|Persist, func(int, Flags) {
			persist++
			if persist == 5 {
				per.Del()
			}
		})
		mustAdd(t, one)
		mustAdd(t, per)
		wantNumEvents(t, b, 2, 0)
		mustDispatch(t, b)
		if once != 1 || persist != 5 {
			t.Errorf("one-shot ran %d times (want 1), persistent %d (want 5)", once, persist)
		}
		wantNumEvents(t, b, 0, 0)
		// A one-shot event can be added again after it fired.
		mustAdd(t, one)
		mustDispatch(t, b)
		if once != 2 {
			t.Errorf("re-added one-shot ran %d times, want 2", once)
		}
	})
}

// TestEdgeTriggered: an ET event runs once per new arrival, not while data
// stays unread; a level-triggered one runs on every pass.
func TestEdgeTriggered(t *testing.T) {
	forEachBackend(t, func(t *testing.T, newBase func(...Option) *Base) {
		b := newBase()
		fds := looptest.Socketpair(t)
		if b.Features()&FeatureET == 0 {
			ev := b.NewEvent(fds[0], Read|ET, func(int, Flags) {})
			if err := ev.Add(); !errors.Is(err, ErrUnsupported) {
				t.Fatalf("ET on %s: Add = %v, want ErrUnsupported", b.Backend(), err)
			}
			wantNumEvents(t, b, 0, 0)
			t.Skipf("%s lacks ET", b.Backend())
		}
		etCalls, ltCalls := 0, 0
		et := b.NewEvent(fds[0], Read|ET|Persist, func(fd int, what Flags) {
			etCalls++
			var one [1]byte
			unix.Read(fd, one[:]) // leave the rest unread
		})
		lt := b.NewEvent(fds[1], Read|Persist, func(fd int, what Flags) { ltCalls++ })
		mustAdd(t, et)
		mustAdd(t, lt)
		looptest.WriteString(t, fds[1], "abc")
		looptest.WriteString(t, fds[0], "abc")
		for range 4 {
			onePass(t, b)
		}
		if etCalls != 1 {
			t.Errorf("ET event ran %d times for one arrival, want 1", etCalls)
		}
		if ltCalls != 4 {
			t.Errorf("level-triggered event ran %d times in 4 passes, want 4", ltCalls)
		}
		looptest.WriteString(t, fds[1], "d")
		onePass(t, b)
		onePass(t, b)
		if etCalls != 2 {
			t.Errorf("ET event ran %d times after a second arrival, want 2", etCalls)
		}
		// Every event on one fd must agree on ET.
		mixed := b.NewEvent(fds[0], Write, func(int, Flags) {})
		if err := mixed.Add(); !errors.Is(err, ErrInvalid) {
			t.Errorf("non-ET event on an ET fd: Add = %v, want ErrInvalid", err)
		}
		wantNumEvents(t, b, 2, 0)
		et.Del()
		lt.Del()
	})
}

// TestClosed: Closed reports the peer's shutdown or close, alone or with
// Read; without FeatureEarlyClose, Add refuses it.
func TestClosed(t *testing.T) {
	forEachBackend(t, func(t *testing.T, newBase func(...Option) *Base) {
		for _, how := range []string{"shutdown", "close"} {
			t.Run(how, func(t *testing.T) {
				b := newBase()
				fds := looptest.Socketpair(t)
				var rec recorder
				ev := b.NewEvent(fds[0], Closed, func(fd int, what Flags) { rec.add(what.String()) })
				if b.Features()&FeatureEarlyClose == 0 {
					if err := ev.Add(); !errors.Is(err, ErrUnsupported) {
						t.Fatalf("Closed on %s: Add = %v, want ErrUnsupported", b.Backend(), err)
					}
					t.Skipf("%s lacks EarlyClose", b.Backend())
				}
				mustAdd(t, ev)
				looptest.WriteString(t, fds[1], "data") // data alone is not Closed
				onePass(t, b)
				rec.want(t)
				if how == "shutdown" {
					unix.Shutdown(fds[1], unix.SHUT_WR)
				} else {
					looptest.CloseEarly(fds, 1)
				}
				mustDispatch(t, b)
				rec.want(t, "Closed")

				// With Read too, both are reported, unread data or not.
				rw := b.NewEvent(fds[0], Read|Closed, func(fd int, what Flags) { rec.add(what.String()) })
				mustAdd(t, rw)
				mustDispatch(t, b)
				rec.want(t, "Closed", "Read|Closed")
			})
		}
	})
}

// TestReadEOF: on every backend a Read event fires at the peer's close and
// the read returns 0.
func TestReadEOF(t *testing.T) {
	forEachBackend(t, func(t *testing.T, newBase func(...Option) *Base) {
		for _, p := range fdPairs {
			t.Run(p.name, func(t *testing.T) {
				b := newBase()
				rd, _, fds := p.make(t)
				n := -1
				ev := b.NewEvent(rd, Read, func(fd int, what Flags) {
					var buf [8]byte
					n, _ = unix.Read(fd, buf[:])
				})
				mustAdd(t, ev)
				looptest.CloseEarly(fds, 1)
				mustDispatch(t, b)
				if n != 0 {
					t.Errorf("read after peer close = %d, want 0 (EOF)", n)
				}
			})
		}
	})
}

// TestMultipleEventsPerFD: any number of events on one fd, each told only
// about what it asked for; deleting one leaves the others working.
func TestMultipleEventsPerFD(t *testing.T) {
	forEachBackend(t, func(t *testing.T, newBase func(...Option) *Base) {
		b := newBase()
		fds := looptest.Socketpair(t)
		var rec recorder
		mk := func(name string, what Flags) *Event {
			return b.NewEvent(fds[0], what, func(fd int, got Flags) { rec.add(name + ":" + got.String()) })
		}
		r1, r2, w := mk("r1", Read|Persist), mk("r2", Read|Persist), mk("w", Write|Persist)
		for _, ev := range []*Event{r1, r2, w} {
			mustAdd(t, ev)
		}
		wantNumEvents(t, b, 3, 0)
		onePass(t, b)
		rec.want(t, "w:Write")
		looptest.WriteString(t, fds[1], "x")
		mustLoop(t, b, LoopOnce)
		if got := rec.list(); len(got) != 4 {
			t.Fatalf("got %q, want w, r1 and r2 once more", got)
		}
		r1.Del()
		w.Del()
		wantNumEvents(t, b, 1, 0)
		rec = recorder{}
		onePass(t, b)
		rec.want(t, "r2:Read")
		r2.Del()
		wantNumEvents(t, b, 0, 0)
		mustDispatch(t, b) // nothing left: returns at once
		rec.want(t, "r2:Read")
		// Adding an added event changes nothing.
		mustAdd(t, r1)
		mustAdd(t, r1)
		wantNumEvents(t, b, 1, 0)
		r1.Del()
		r1.Del() // deleting a deleted event is not an error
		wantNumEvents(t, b, 0, 0)
	})
}

// TestDelDuringPass: when two events are ready in one pass and the first
// callback deletes (or frees) the second and closes its fd, the second never
// runs, though the backend reported it.
func TestDelDuringPass(t *testing.T) {
	forEachBackend(t, func(t *testing.T, newBase func(...Option) *Base) {
		for _, free := range []bool{false, true} {
			t.Run(fmt.Sprintf("free=%v", free), func(t *testing.T) {
				b := newBase()
				a, c := looptest.Socketpair(t), looptest.Socketpair(t)
				looptest.WriteString(t, a[1], "a")
				looptest.WriteString(t, c[1], "c")
				ran := 0
				var ea, ec *Event
				kill := func(other *Event, fds []int) {
					if free {
						other.Free()
					} else if err := other.Del(); err != nil {
						t.Errorf("Del: %v", err)
					}
					looptest.CloseEarly(fds, 0)
				}
				ea = b.NewEvent(a[0], Read|Persist, func(int, Flags) { ran++; kill(ec, c); ea.Del() })
				ec = b.NewEvent(c[0], Read|Persist, func(int, Flags) { ran++; kill(ea, a); ec.Del() })
				mustAdd(t, ea)
				mustAdd(t, ec)
				mustDispatch(t, b)
				if ran != 1 {
					t.Errorf("%d callbacks ran, want 1", ran)
				}
				wantNumEvents(t, b, 0, 0)
			})
		}
	})
}

// TestManySockets: 70 socketpairs (libevent's many_events), each with a
// one-shot Write and a Read event, all fire.
func TestManySockets(t *testing.T) {
	forEachBackend(t, func(t *testing.T, newBase func(...Option) *Base) {
		b := newBase()
		const n = 70
		writes, reads := 0, 0
		for range n {
			fds := looptest.Socketpair(t)
			looptest.WriteString(t, fds[1], "x")
			mustAdd(t, b.NewEvent(fds[0], Write, func(int, Flags) { writes++ }))
			mustAdd(t, b.NewEvent(fds[0], Read, func(int, Flags) { reads++ }))
		}
		wantNumEvents(t, b, 2*n, 0)
		mustDispatch(t, b)
		if writes != n || reads != n {
			t.Errorf("%d writes and %d reads ran, want %d each", writes, reads, n)
		}
	})
}

func TestInvalidIOEvent(t *testing.T) {
	forEachBackend(t, func(t *testing.T, newBase func(...Option) *Base) {
		b := newBase()
		if err := b.NewEvent(-1, Read, func(int, Flags) {}).Add(); !errors.Is(err, ErrInvalid) {
			t.Errorf("Read on fd -1: Add = %v, want ErrInvalid", err)
		}
		wantNumEvents(t, b, 0, 0)
	})
}
