package core

import (
	"errors"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// forEachBackend runs fn once per backend available on this system (one
// subtest per name in Backends(), so backends added later are covered with
// no change here). newBase makes a Base on that backend, checks that
// Backend() reports it, and closes it when the subtest ends.
func forEachBackend(t *testing.T, fn func(t *testing.T, newBase func(...Option) *Base)) {
	t.Helper()
	names := Backends()
	if len(names) == 0 {
		t.Fatal("Backends() is empty")
	}
	for _, name := range names {
		t.Run(name, func(t *testing.T) {
			newBase := func(opts ...Option) *Base {
				t.Helper()
				b, err := NewBase(append([]Option{WithBackend(name)}, opts...)...)
				if err != nil {
					t.Fatalf("NewBase(WithBackend(%q)): %v", name, err)
				}
				if got := b.Backend(); got != name {
					b.Close()
					t.Fatalf("Backend() = %q, asked for %q", got, name)
				}
				t.Cleanup(func() {
					if err := b.Close(); err != nil {
						t.Errorf("Close: %v", err)
					}
				})
				return b
			}
			fn(t, newBase)
		})
	}
}

// requireFeature skips the test when b's backend lacks f.
func requireFeature(t *testing.T, b *Base, f Features) {
	t.Helper()
	if b.Features()&f == 0 {
		t.Skipf("%s lacks %v", b.Backend(), f)
	}
}

// loopTimeout bounds every loop a test runs, so a hang fails the test
// instead of the whole package run.
const loopTimeout = 20 * time.Second

// mustLoop runs b.Loop(flags) on the calling goroutine and fails the test
// if it returns an error or runs longer than loopTimeout.
func mustLoop(t testing.TB, b *Base, flags LoopFlags) {
	t.Helper()
	var hung atomic.Bool
	w := time.AfterFunc(loopTimeout, func() {
		hung.Store(true)
		b.LoopBreak()
	})
	err := b.Loop(flags)
	w.Stop()
	if hung.Load() {
		t.Fatalf("Loop(%#x) still running after %v", flags, loopTimeout)
	}
	if err != nil {
		t.Fatalf("Loop(%#x): %v", flags, err)
	}
}

func mustDispatch(t testing.TB, b *Base) { t.Helper(); mustLoop(t, b, 0) }

// onePass runs one non-blocking pass. (LoopNonblock alone, like libevent's
// EVLOOP_NONBLOCK, goes on while callbacks keep becoming ready.)
func onePass(t testing.TB, b *Base) { t.Helper(); mustLoop(t, b, LoopOnce|LoopNonblock) }

func mustAdd(t testing.TB, ev *Event) {
	t.Helper()
	if err := ev.Add(); err != nil {
		t.Fatalf("Add: %v", err)
	}
}

func mustAddTimeout(t testing.TB, ev *Event, d time.Duration) {
	t.Helper()
	if err := ev.AddTimeout(d); err != nil {
		t.Fatalf("AddTimeout(%v): %v", d, err)
	}
}

// wantNumEvents checks Base.NumEvents.
func wantNumEvents(t testing.TB, b *Base, added, active int) {
	t.Helper()
	if a, c := b.NumEvents(); a != added || c != active {
		t.Errorf("NumEvents() = (%d added, %d active), want (%d, %d)", a, c, added, active)
	}
}

// fakeClock is a manual Clock: time moves only when the test says so. A
// Base on it fires timers on the next pass after Advance (LoopNonblock).
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func newFakeClock() *fakeClock { return &fakeClock{now: time.Unix(1_000_000, 0)} }

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

// recorder collects what callbacks saw, safe from any goroutine.
type recorder struct {
	mu  sync.Mutex
	got []string
}

func (r *recorder) add(s string) {
	r.mu.Lock()
	r.got = append(r.got, s)
	r.mu.Unlock()
}

func (r *recorder) list() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.got...)
}

func (r *recorder) want(t testing.TB, want ...string) {
	t.Helper()
	got := r.list()
	if len(got) != len(want) {
		t.Fatalf("callbacks ran %q, want %q", got, want)
	}
	for i := range got {
		if got[i] != want[i] {
			t.Fatalf("callbacks ran %q, want %q", got, want)
		}
	}
}

func TestBackends(t *testing.T) {
	names := Backends()
	t.Logf("backends: %v", names)
	b, err := NewBase()
	if err != nil {
		t.Fatal(err)
	}
	if b.Backend() != names[0] {
		t.Errorf("default backend %q, want the first of %v", b.Backend(), names)
	}
	b.Close()
	if _, err := NewBase(WithBackend("no-such-backend")); !errors.Is(err, ErrBackendUnavailable) {
		t.Errorf("WithBackend(unknown): %v, want ErrBackendUnavailable", err)
	}
	var avoid []Option
	for _, n := range names {
		avoid = append(avoid, WithoutBackend(n))
	}
	if _, err := NewBase(avoid...); !errors.Is(err, ErrBackendUnavailable) {
		t.Errorf("every backend avoided: %v, want ErrBackendUnavailable", err)
	}
	if len(names) > 1 {
		b, err := NewBase(WithoutBackend(names[0]))
		if err != nil {
			t.Fatal(err)
		}
		if b.Backend() != names[1] {
			t.Errorf("WithoutBackend(%q) picked %q, want %q", names[0], b.Backend(), names[1])
		}
		b.Close()
	}
	for _, n := range []int{0, -1, 257} {
		if _, err := NewBase(WithPriorities(n)); !errors.Is(err, ErrInvalid) {
			t.Errorf("WithPriorities(%d): %v, want ErrInvalid", n, err)
		}
	}
	forEachBackend(t, func(t *testing.T, newBase func(...Option) *Base) {
		b := newBase()
		f := b.Features()
		t.Logf("%s features: %v", b.Backend(), f)
		if f&featureNeedsWake != 0 {
			t.Errorf("Features() leaks the internal featureNeedsWake bit")
		}
		if b.Backend() == "epoll" && f != FeatureET|FeatureO1|FeatureEarlyClose {
			t.Errorf("epoll features %v, want ET|O1|EarlyClose (libevent's)", f)
		}
		if b.Priorities() != 1 {
			t.Errorf("Priorities() = %d, want 1", b.Priorities())
		}
	})
}

func TestFlagsString(t *testing.T) {
	for _, c := range []struct {
		f    Flags
		want string
	}{
		{0, "0"}, {Read, "Read"}, {Read | Write | Persist, "Read|Write|Persist"},
		{Timeout | Signal, "Timeout|Signal"}, {ET | Closed, "ET|Closed"}, {Read | 0x40, "Read|0x40"},
	} {
		if got := c.f.String(); got != c.want {
			t.Errorf("Flags(%#x).String() = %q, want %q", uint16(c.f), got, c.want)
		}
	}
	// The values are libevent's EV_* constants.
	if Timeout != 0x01 || Read != 0x02 || Write != 0x04 || Signal != 0x08 || Persist != 0x10 || ET != 0x20 || Closed != 0x80 {
		t.Error("flag values differ from libevent's EV_* constants")
	}
	if LoopOnce != 1 || LoopNonblock != 2 || LoopNoExitOnEmpty != 4 {
		t.Error("loop flag values differ from libevent's EVLOOP_*")
	}
	if got := (FeatureET | FeatureEarlyClose).String(); got != "ET|EarlyClose" {
		t.Errorf("Features.String() = %q", got)
	}
	if got := Features(0).String(); got != "0" {
		t.Errorf("Features(0).String() = %q", got)
	}
}

// fmtBuf is a strings.Builder with a counter, for Dump output.
type fmtBuf struct{ strings.Builder }

func (f *fmtBuf) count(s string) int { return strings.Count(f.String(), s) }

// fdStat reports whether fd is open.
func fdStat(fd int) (unix.Stat_t, error) {
	var st unix.Stat_t
	err := unix.Fstat(fd, &st)
	return st, err
}
