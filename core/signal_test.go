package core

import (
	"os"
	"os/signal"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/goevent/goevent/internal/looptest"
)

// Signals are sent to the test process itself. An unwatched SIGUSR1 or
// SIGUSR2 does not kill a Go program: the runtime's handler ignores it.

// sigGoroutine matches a signal forwarder, started or not yet running
// (then only the go statement's wrapper is on its stack).
var sigGoroutine = []string{"core.(*Base).sigForward", "core.(*Base).sigAddLocked"}

func kill(t *testing.T, sig syscall.Signal) {
	t.Helper()
	if err := unix.Kill(os.Getpid(), sig); err != nil {
		t.Fatalf("kill: %v", err)
	}
}

// sigPending is how many deliveries of sig the Base has counted and not
// yet turned into callbacks.
func sigPending(b *Base, sig syscall.Signal) int {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.sig == nil || b.sig.bySig[sig] == nil {
		return -1
	}
	return b.sig.bySig[sig].pending
}

// deliver sends sig and waits until b has counted it, so that deliveries
// are not merged (the kernel and the runtime each keep one pending bit per
// signal).
func deliver(t *testing.T, b *Base, sig syscall.Signal) {
	t.Helper()
	n := sigPending(b, sig)
	kill(t, sig)
	looptest.WaitFor(t, "signal delivery", func() bool { return sigPending(b, sig) > n })
}

func TestSignal(t *testing.T) {
	forEachBackend(t, func(t *testing.T, newBase func(...Option) *Base) {
		b := newBase()
		var rec recorder
		var ev *Event
		ev = b.NewSignal(syscall.SIGUSR1, func(fd int, what Flags) {
			if fd != int(syscall.SIGUSR1) {
				t.Errorf("signal callback fd %d", fd)
			}
			rec.add(what.String())
			ev.Del()
		})
		mustAdd(t, ev)
		if ev.Pending(Signal) != Signal {
			t.Error("Pending(Signal) of an added signal event is 0")
		}
		wantNumEvents(t, b, 1, 0)
		// Sent while the loop sleeps: it must wake.
		polls := make(chan struct{}, 1)
		b.AddPrepareWatcher(func(time.Duration) {
			select {
			case polls <- struct{}{}:
			default:
			}
		})
		go func() { <-polls; kill(t, syscall.SIGUSR1) }()
		mustDispatch(t, b)
		rec.want(t, "Signal")
		wantNumEvents(t, b, 0, 0)
	})
}

// TestSignalMultiple: every event of a signal runs, once per delivery;
// events of other signals do not.
func TestSignalMultiple(t *testing.T) {
	forEachBackend(t, func(t *testing.T, newBase func(...Option) *Base) {
		b := newBase()
		n1, n2, n3 := 0, 0, 0
		e1 := b.NewSignal(syscall.SIGUSR1, func(int, Flags) { n1++ })
		e2 := b.NewSignal(syscall.SIGUSR1, func(int, Flags) { n2++ })
		e3 := b.NewSignal(syscall.SIGUSR2, func(int, Flags) { n3++ })
		for _, ev := range []*Event{e1, e2, e3} {
			mustAdd(t, ev)
		}
		deliver(t, b, syscall.SIGUSR1)
		deliver(t, b, syscall.SIGUSR1)
		deliver(t, b, syscall.SIGUSR1)
		onePass(t, b)
		if n1 != 3 || n2 != 3 || n3 != 0 {
			t.Errorf("after three SIGUSR1: %d, %d and %d (SIGUSR2) calls; want 3, 3, 0", n1, n2, n3)
		}
		deliver(t, b, syscall.SIGUSR2)
		onePass(t, b)
		if n1 != 3 || n3 != 1 {
			t.Errorf("after SIGUSR2: %d SIGUSR1 calls, %d SIGUSR2; want 3, 1", n1, n3)
		}
		for _, ev := range []*Event{e1, e2, e3} {
			ev.Del()
		}
		wantNumEvents(t, b, 0, 0)
	})
}

// TestSignalDelStopsCalls: a Del (or Free) in a signal callback cancels
// the calls left for deliveries counted before it; so does LoopBreak.
func TestSignalDelStopsCalls(t *testing.T) {
	forEachBackend(t, func(t *testing.T, newBase func(...Option) *Base) {
		for _, how := range []string{"del", "free", "break"} {
			t.Run(how, func(t *testing.T) {
				b := newBase()
				calls := 0
				var ev *Event
				ev = b.NewSignal(syscall.SIGUSR2, func(int, Flags) {
					calls++
					switch how {
					case "del":
						ev.Del()
					case "free":
						ev.Free()
					case "break":
						b.LoopBreak()
					}
				})
				mustAdd(t, ev)
				deliver(t, b, syscall.SIGUSR2)
				deliver(t, b, syscall.SIGUSR2)
				onePass(t, b)
				if calls != 1 {
					t.Errorf("%d calls after %s in the first, want 1", calls, how)
				}
				ev.Free()
			})
		}
	})
}

// TestSignalNonPersistent: a signal event made without Persist runs once
// per delivery counted, then is deleted.
func TestSignalNonPersistent(t *testing.T) {
	forEachBackend(t, func(t *testing.T, newBase func(...Option) *Base) {
		b := newBase()
		calls := 0
		ev := b.NewEvent(int(syscall.SIGUSR1), Signal, func(int, Flags) { calls++ })
		mustAdd(t, ev)
		deliver(t, b, syscall.SIGUSR1)
		deliver(t, b, syscall.SIGUSR1)
		mustDispatch(t, b)
		if calls != 2 {
			t.Errorf("%d calls for two deliveries, want 2", calls)
		}
		if ev.Pending(Signal) != 0 {
			t.Error("one-shot signal event still pending")
		}
	})
}

// TestSignalDel: after its last event is deleted the Base no longer sees
// the signal, and its forwarding goroutine is gone.
func TestSignalDel(t *testing.T) {
	forEachBackend(t, func(t *testing.T, newBase func(...Option) *Base) {
		b := newBase()
		calls := 0
		ev := b.NewSignal(syscall.SIGUSR1, func(int, Flags) { calls++ })
		mustAdd(t, ev)
		if len(looptest.Goroutines(sigGoroutine...)) == 0 {
			t.Error("no forwarding goroutine for a watched signal")
		}
		ev.Del()
		// The test's own watcher tells when the process got the signal.
		seen := make(chan os.Signal, 1)
		signal.Notify(seen, syscall.SIGUSR1)
		defer signal.Stop(seen)
		kill(t, syscall.SIGUSR1)
		<-seen
		onePass(t, b)
		if calls != 0 || sigPending(b, syscall.SIGUSR1) != -1 {
			t.Errorf("deleted signal event ran %d times", calls)
		}
		if left := looptest.WaitGoroutines(5*time.Second, sigGoroutine...); len(left) != 0 {
			t.Errorf("forwarding goroutine left after Del:\n%s", left[0])
		}
		// Added again, it works again.
		mustAdd(t, ev)
		deliver(t, b, syscall.SIGUSR1)
		onePass(t, b)
		if calls != 1 {
			t.Errorf("re-added signal event ran %d times, want 1", calls)
		}
		ev.Del()
	})
}

// TestSignalTwoBases: unlike libevent, two Bases may watch one signal;
// both see each delivery.
func TestSignalTwoBases(t *testing.T) {
	forEachBackend(t, func(t *testing.T, newBase func(...Option) *Base) {
		b1, b2 := newBase(), newBase()
		n1, n2 := 0, 0
		e1 := b1.NewSignal(syscall.SIGUSR2, func(int, Flags) { n1++ })
		e2 := b2.NewSignal(syscall.SIGUSR2, func(int, Flags) { n2++ })
		mustAdd(t, e1)
		mustAdd(t, e2)
		kill(t, syscall.SIGUSR2)
		looptest.WaitFor(t, "delivery to both Bases", func() bool {
			return sigPending(b1, syscall.SIGUSR2) == 1 && sigPending(b2, syscall.SIGUSR2) == 1
		})
		onePass(t, b1)
		onePass(t, b2)
		if n1 != 1 || n2 != 1 {
			t.Errorf("calls %d and %d, want 1 and 1", n1, n2)
		}
	})
}

// TestSignalTimeout: a signal event with a timeout reports Timeout when no
// signal comes.
func TestSignalTimeout(t *testing.T) {
	forEachBackend(t, func(t *testing.T, newBase func(...Option) *Base) {
		b := newBase()
		var rec recorder
		var ev *Event
		ev = b.NewSignal(syscall.SIGUSR1, func(_ int, what Flags) {
			rec.add(what.String())
			ev.Del()
		})
		mustAddTimeout(t, ev, 5*time.Millisecond)
		mustDispatch(t, b)
		rec.want(t, "Timeout")
	})
}

func TestSignalInvalid(t *testing.T) {
	forEachBackend(t, func(t *testing.T, newBase func(...Option) *Base) {
		b := newBase()
		for _, sig := range []int{0, -1, 65} {
			if err := b.NewEvent(sig, Signal, func(int, Flags) {}).Add(); err == nil {
				t.Errorf("signal %d: Add succeeded", sig)
			}
		}
		wantNumEvents(t, b, 0, 0)
	})
}

// TestSignalClose: Close stops the forwarding goroutines before it returns.
func TestSignalClose(t *testing.T) {
	forEachBackend(t, func(t *testing.T, newBase func(...Option) *Base) {
		b := newBase()
		mustAdd(t, b.NewSignal(syscall.SIGUSR1, func(int, Flags) {}))
		mustAdd(t, b.NewSignal(syscall.SIGUSR2, func(int, Flags) {}))
		deliver(t, b, syscall.SIGUSR1) // a forwarder has run
		b.Close()
		if left := looptest.Goroutines(sigGoroutine...); len(left) != 0 {
			t.Errorf("%d forwarding goroutines running after Close:\n%s", len(left), left[0])
		}
	})
}
