package core_test

import (
	"errors"
	"runtime"
	"sync"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/goevent/goevent/core"
)

// Focused tests of the poll and select backends: the parts that differ from
// epoll (interest kept in user space, copied before each sleep) and
// select's FD_SETSIZE limit. The table-driven suite over every backend
// lives in backend_matrix_test.go.

var psBackends = []string{"poll", "select"}

// psBase returns a Base on the named backend, closed when the test ends.
func psBase(t *testing.T, name string) *core.Base {
	t.Helper()
	b, err := core.NewBase(core.WithBackend(name))
	if err != nil {
		t.Fatalf("NewBase(WithBackend(%q)): %v", name, err)
	}
	t.Cleanup(func() { b.Close() })
	if got := b.Backend(); got != name {
		t.Fatalf("Backend() = %q, want %q", got, name)
	}
	return b
}

// psPair returns a non-blocking unix socketpair, closed when the test ends.
func psPair(t *testing.T) (int, int) {
	t.Helper()
	fds, err := unix.Socketpair(unix.AF_UNIX, unix.SOCK_STREAM, 0)
	if err != nil {
		t.Fatal(err)
	}
	for _, fd := range fds {
		if err := unix.SetNonblock(fd, true); err != nil {
			t.Fatal(err)
		}
		fd := fd
		t.Cleanup(func() { unix.Close(fd) })
	}
	return fds[0], fds[1]
}

func psWrite(t *testing.T, fd int, s string) {
	t.Helper()
	if _, err := unix.Write(fd, []byte(s)); err != nil {
		t.Fatal(err)
	}
}

// psRecorder records the flags each callback fired with.
type psRecorder struct {
	mu  sync.Mutex
	got map[int][]core.Flags
}

func (r *psRecorder) cb(id int) core.Callback {
	return func(_ int, what core.Flags) {
		r.mu.Lock()
		defer r.mu.Unlock()
		if r.got == nil {
			r.got = make(map[int][]core.Flags)
		}
		r.got[id] = append(r.got[id], what)
	}
}

func (r *psRecorder) calls(id int) []core.Flags {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]core.Flags(nil), r.got[id]...)
}

func (r *psRecorder) reset() {
	r.mu.Lock()
	r.got = nil
	r.mu.Unlock()
}

func psLoop(t *testing.T, b *core.Base, flags core.LoopFlags) {
	t.Helper()
	if err := b.Loop(flags); err != nil {
		t.Fatalf("Loop(%v): %v", flags, err)
	}
}

func psAdd(t *testing.T, ev *core.Event) {
	t.Helper()
	if err := ev.Add(); err != nil {
		t.Fatalf("Add(fd %d, %v): %v", ev.FD(), ev.Events(), err)
	}
}

func TestPollSelectFeatures(t *testing.T) {
	for _, name := range psBackends {
		t.Run(name, func(t *testing.T) {
			b := psBase(t, name)
			f := b.Features()
			if f&core.FeatureFDs == 0 || f&(core.FeatureET|core.FeatureO1) != 0 {
				t.Errorf("Features() = %v, want FDs without ET or O1", f)
			}
			if f&^(core.FeatureET|core.FeatureO1|core.FeatureFDs|core.FeatureEarlyClose) != 0 {
				t.Errorf("Features() = %v leaks an internal bit", f)
			}
			wantEC := name == "poll" && runtime.GOOS == "linux"
			if got := f&core.FeatureEarlyClose != 0; got != wantEC {
				t.Errorf("Features() = %v: EarlyClose %v, want %v", f, got, wantEC)
			}
			r, _ := psPair(t)
			if err := b.NewEvent(r, core.Read|core.ET, nil).Add(); !errors.Is(err, core.ErrUnsupported) {
				t.Errorf("Add(Read|ET) = %v, want ErrUnsupported", err)
			}
			if !wantEC {
				if err := b.NewEvent(r, core.Closed, nil).Add(); !errors.Is(err, core.ErrUnsupported) {
					t.Errorf("Add(Closed) = %v, want ErrUnsupported", err)
				}
			}
		})
	}
}

func TestPollSelectReadWrite(t *testing.T) {
	for _, name := range psBackends {
		t.Run(name, func(t *testing.T) {
			b := psBase(t, name)
			a, peer := psPair(t)
			var rec psRecorder
			rd := b.NewEvent(a, core.Read|core.Persist, rec.cb(0))
			psAdd(t, rd)

			// Nothing to read yet.
			psLoop(t, b, core.LoopOnce|core.LoopNonblock)
			if got := rec.calls(0); len(got) != 0 {
				t.Fatalf("read fired with no data: %v", got)
			}

			psWrite(t, peer, "x")
			psLoop(t, b, core.LoopOnce)
			if got := rec.calls(0); len(got) != 1 || got[0] != core.Read {
				t.Fatalf("read callback got %v, want [Read]", got)
			}

			// A second event on the same fd changes the entry's
			// interest (poll's modify path, a second fd_set).
			wr := b.NewEvent(a, core.Write, rec.cb(1))
			psAdd(t, wr)
			psLoop(t, b, core.LoopOnce)
			if got := rec.calls(1); len(got) != 1 || got[0] != core.Write {
				t.Fatalf("write callback got %v, want [Write]", got)
			}
			// The data is still unread: level-triggered read fired again.
			if got := rec.calls(0); len(got) != 2 {
				t.Fatalf("read callback got %v, want two calls", got)
			}

			// Drain, then nothing more fires (the one-shot write event
			// is gone, and the fd is no longer readable).
			var buf [8]byte
			unix.Read(a, buf[:])
			rec.reset()
			psLoop(t, b, core.LoopOnce|core.LoopNonblock)
			if got := rec.calls(0); len(got) != 0 {
				t.Fatalf("read fired after drain: %v", got)
			}
			if got := rec.calls(1); len(got) != 0 {
				t.Fatalf("one-shot write fired again: %v", got)
			}

			// Removed: data arrives, the callback does not run.
			if err := rd.Del(); err != nil {
				t.Fatal(err)
			}
			psWrite(t, peer, "y")
			psLoop(t, b, core.LoopOnce|core.LoopNonblock)
			if got := rec.calls(0); len(got) != 0 {
				t.Fatalf("read fired after Del: %v", got)
			}
			if added, _ := b.NumEvents(); added != 0 {
				t.Fatalf("NumEvents added = %d, want 0", added)
			}

			// Added again: it fires.
			psAdd(t, rd)
			psLoop(t, b, core.LoopOnce)
			if got := rec.calls(0); len(got) != 1 || got[0] != core.Read {
				t.Fatalf("re-added read got %v, want [Read]", got)
			}
			rd.Del()
		})
	}
}

// TestPollSelectRemoveMiddle removes fds from the middle of the set (poll
// swap-removes the last entry into the hole; select lowers its maxfd) and
// checks that every remaining fd still reports and no removed one does.
func TestPollSelectRemoveMiddle(t *testing.T) {
	for _, name := range psBackends {
		t.Run(name, func(t *testing.T) {
			b := psBase(t, name)
			const n = 6
			var rec psRecorder
			evs := make([]*core.Event, n)
			peers := make([]int, n)
			for i := range evs {
				a, peer := psPair(t)
				peers[i] = peer
				evs[i] = b.NewEvent(a, core.Read|core.Persist, rec.cb(i))
				psAdd(t, evs[i])
			}
			removed := map[int]bool{0: true, 2: true, n - 1: true}
			for i := range removed {
				if err := evs[i].Del(); err != nil {
					t.Fatal(err)
				}
			}
			for i := range peers {
				psWrite(t, peers[i], "z")
			}
			psLoop(t, b, core.LoopOnce|core.LoopNonblock)
			for i := range evs {
				got := rec.calls(i)
				if removed[i] && len(got) != 0 {
					t.Errorf("removed event %d fired: %v", i, got)
				}
				if !removed[i] && (len(got) != 1 || got[0] != core.Read) {
					t.Errorf("event %d got %v, want [Read]", i, got)
				}
			}
			for i := range evs {
				evs[i].Del()
			}
		})
	}
}

// TestPollSelectWakeOnChange changes the interest set from another
// goroutine while the loop sleeps with a long timer pending. The loop
// polls a copy of the set, so only a wakeup makes it see the change.
func TestPollSelectWakeOnChange(t *testing.T) {
	cases := []struct {
		name string
		// setup is the interest registered on fd a before Dispatch
		// (0: none), by an event that never fires. change is the
		// event another goroutine adds on a while the loop sleeps; it
		// is ready at once, and its callback ends the loop.
		setup  core.Flags
		change core.Flags
	}{
		{"new fd", 0, core.Read},
		{"modify fd", core.Read, core.Write},
	}
	for _, name := range psBackends {
		for _, tc := range cases {
			t.Run(name+"/"+tc.name, func(t *testing.T) {
				b := psBase(t, name)
				a, peer := psPair(t)
				if tc.change == core.Read {
					psWrite(t, peer, "ready before the add")
				}
				timer := b.NewTimer(func(int, core.Flags) {})
				if err := timer.AddTimeout(10 * time.Second); err != nil {
					t.Fatal(err)
				}
				defer timer.Del()
				if tc.setup != 0 {
					// Registered, never ready: a has no data.
					idle := b.NewEvent(a, tc.setup|core.Persist, func(int, core.Flags) {})
					psAdd(t, idle)
					defer idle.Del()
				}
				var fired core.Flags
				ev := b.NewEvent(a, tc.change, func(_ int, what core.Flags) {
					fired = what
					b.LoopBreak()
				})
				defer ev.Del()
				addErr := make(chan error, 1)
				go func() {
					time.Sleep(50 * time.Millisecond) // let the loop sleep
					addErr <- ev.Add()
				}()
				start := time.Now()
				if err := b.Dispatch(); err != nil {
					t.Fatal(err)
				}
				el := time.Since(start)
				if err := <-addErr; err != nil {
					t.Fatal(err)
				}
				if fired != tc.change {
					t.Fatalf("callback got %v, want %v", fired, tc.change)
				}
				if !b.GotBreak() {
					t.Fatal("loop did not end by LoopBreak")
				}
				if el > 5*time.Second {
					t.Fatalf("loop took %v: the change did not wake it", el)
				}
			})
		}
	}
}

// TestPollSelectDelWhileSleeping deletes the only fd event from another
// goroutine while the loop sleeps; data then arriving must not run it.
func TestPollSelectDelWhileSleeping(t *testing.T) {
	for _, name := range psBackends {
		t.Run(name, func(t *testing.T) {
			b := psBase(t, name)
			a, peer := psPair(t)
			var rec psRecorder
			ev := b.NewEvent(a, core.Read|core.Persist, rec.cb(0))
			psAdd(t, ev)
			stop := b.NewTimer(func(int, core.Flags) {})
			if err := stop.AddTimeout(300 * time.Millisecond); err != nil {
				t.Fatal(err)
			}
			done := make(chan error, 1)
			go func() {
				time.Sleep(50 * time.Millisecond)
				err := ev.Del()
				if err == nil {
					_, err = unix.Write(peer, []byte("late"))
				}
				done <- err
			}()
			psLoop(t, b, 0) // ends when the timer fires: nothing else is added
			if err := <-done; err != nil {
				t.Fatal(err)
			}
			if got := rec.calls(0); len(got) != 0 {
				t.Fatalf("deleted event fired: %v", got)
			}
		})
	}
}

// TestPollSelectClosedFD: an fd closed while its event is still added.
// poll reports it (POLLNVAL) as Read|Write so the callback sees the error.
func TestPollSelectClosedFD(t *testing.T) {
	b := psBase(t, "poll")
	a, _ := psPair(t)
	fd, err := unix.Dup(a)
	if err != nil {
		t.Fatal(err)
	}
	var rec psRecorder
	ev := b.NewEvent(fd, core.Read|core.Write, rec.cb(0))
	psAdd(t, ev)
	unix.Close(fd)
	psLoop(t, b, core.LoopOnce|core.LoopNonblock)
	if got := rec.calls(0); len(got) != 1 || got[0] != core.Read|core.Write {
		t.Fatalf("callback got %v, want [Read|Write]", got)
	}
}

// TestPollEarlyClose: on Linux the poll backend reports Closed (POLLRDHUP)
// when the peer shuts down its side, even with data still unread.
func TestPollEarlyClose(t *testing.T) {
	b := psBase(t, "poll")
	if b.Features()&core.FeatureEarlyClose == 0 {
		t.Skipf("poll has no early close on %s", runtime.GOOS)
	}
	a, peer := psPair(t)
	var rec psRecorder
	ev := b.NewEvent(a, core.Closed, rec.cb(0))
	psAdd(t, ev)
	psLoop(t, b, core.LoopOnce|core.LoopNonblock)
	if got := rec.calls(0); len(got) != 0 {
		t.Fatalf("Closed fired before shutdown: %v", got)
	}
	psWrite(t, peer, "unread")
	if err := unix.Shutdown(peer, unix.SHUT_WR); err != nil {
		t.Fatal(err)
	}
	psLoop(t, b, core.LoopOnce)
	if got := rec.calls(0); len(got) != 1 || got[0] != core.Closed {
		t.Fatalf("callback got %v, want [Closed]", got)
	}
}

// psHighFD dups fd to a free fd number of at least 1100, raising the soft
// RLIMIT_NOFILE if it must; it skips the test if the hard limit is too low.
func psHighFD(t *testing.T, fd int) int {
	t.Helper()
	const want = 1100
	var lim unix.Rlimit
	if err := unix.Getrlimit(unix.RLIMIT_NOFILE, &lim); err != nil {
		t.Fatal(err)
	}
	if lim.Cur < want+64 {
		if lim.Max < want+64 {
			t.Skipf("RLIMIT_NOFILE hard limit %d is below %d", lim.Max, want+64)
		}
		old := lim
		lim.Cur = want + 64
		if err := unix.Setrlimit(unix.RLIMIT_NOFILE, &lim); err != nil {
			t.Skipf("cannot raise RLIMIT_NOFILE: %v", err)
		}
		t.Cleanup(func() { unix.Setrlimit(unix.RLIMIT_NOFILE, &old) })
	}
	for high := want; high < want+64; high++ {
		if _, err := unix.FcntlInt(uintptr(high), unix.F_GETFD, 0); err != unix.EBADF {
			continue // in use
		}
		if err := unix.Dup2(fd, high); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { unix.Close(high) })
		return high
	}
	t.Skip("no free fd number near 1100")
	return -1
}

func TestSelectFDTooLarge(t *testing.T) {
	b := psBase(t, "select")
	a, peer := psPair(t)
	high := psHighFD(t, a)
	ev := b.NewEvent(high, core.Read, func(int, core.Flags) { t.Error("callback ran") })
	err := ev.Add()
	if !errors.Is(err, core.ErrFDTooLarge) {
		t.Fatalf("Add(fd %d) = %v, want ErrFDTooLarge", high, err)
	}
	t.Log(err)
	if ev.Pending(core.Read) != 0 {
		t.Fatal("refused event is pending")
	}
	if added, _ := b.NumEvents(); added != 0 {
		t.Fatalf("NumEvents added = %d after a refused Add", added)
	}
	if err := ev.Del(); err != nil {
		t.Fatalf("Del of a refused event: %v", err)
	}
	// The Base still works for small fds.
	var rec psRecorder
	ok := b.NewEvent(a, core.Read, rec.cb(0))
	psAdd(t, ok)
	psWrite(t, peer, "x")
	psLoop(t, b, core.LoopOnce)
	if got := rec.calls(0); len(got) != 1 {
		t.Fatalf("small fd callback got %v", got)
	}
}

// TestPollHighFD: poll has no FD_SETSIZE limit.
func TestPollHighFD(t *testing.T) {
	b := psBase(t, "poll")
	a, peer := psPair(t)
	high := psHighFD(t, a)
	var rec psRecorder
	ev := b.NewEvent(high, core.Read, rec.cb(0))
	psAdd(t, ev)
	psWrite(t, peer, "x")
	psLoop(t, b, core.LoopOnce)
	if got := rec.calls(0); len(got) != 1 || got[0] != core.Read {
		t.Fatalf("callback got %v, want [Read]", got)
	}
}

// TestPollSelectTimer: a timer fires no earlier than its deadline (select's
// timeout is rounded up to microseconds, poll's to milliseconds), and the
// loop then ends.
func TestPollSelectTimer(t *testing.T) {
	for _, name := range psBackends {
		t.Run(name, func(t *testing.T) {
			b := psBase(t, name)
			const d = 15*time.Millisecond + 300*time.Microsecond
			var at time.Duration
			start := time.Now()
			tm := b.NewTimer(func(int, core.Flags) { at = time.Since(start) })
			if err := tm.AddTimeout(d); err != nil {
				t.Fatal(err)
			}
			psLoop(t, b, 0)
			if at < d {
				t.Fatalf("timer fired after %v, before its %v deadline", at, d)
			}
		})
	}
}
