package bufferevent

import (
	"context"
	"errors"
	"net"
	"net/netip"
	"testing"

	"github.com/goevent/goevent/core"
	"golang.org/x/sys/unix"
)

// fakeResolver answers from a map, from the loop.
type fakeResolver map[string][]netip.Addr

func (r fakeResolver) LookupHost(base *core.Base, host string, family int, done func([]netip.Addr, error)) func() {
	cancelled := false
	base.Post(func() {
		if cancelled {
			return
		}
		if a, ok := r[host]; ok {
			done(a, nil)
		} else {
			done(nil, errors.New("no such host"))
		}
	})
	return func() { cancelled = true }
}

func TestNetResolverLiteral(t *testing.T) {
	base := newBase(t)
	var got []netip.Addr
	var gotErr error
	called := 0
	NetResolver{}.LookupHost(base, "127.0.0.1", unix.AF_INET, func(a []netip.Addr, err error) {
		called++
		got, gotErr = a, err
		base.LoopBreak()
	})
	run(t, base)
	if called != 1 || gotErr != nil || len(got) != 1 || got[0] != netip.MustParseAddr("127.0.0.1") {
		t.Fatalf("got %v %v (%d calls)", got, gotErr, called)
	}
}

// TestNetResolverCancel: a lookup stuck on a DNS server that never
// answers is cancelled: done never runs and no goroutine stays behind
// (TestMain checks).
func TestNetResolverCancel(t *testing.T) {
	base := newBase(t)
	dialed := make(chan struct{})
	r := &net.Resolver{PreferGo: true, Dial: func(ctx context.Context, _, _ string) (net.Conn, error) {
		select {
		case dialed <- struct{}{}:
		default:
		}
		<-ctx.Done()
		return nil, ctx.Err()
	}}
	cancel := NetResolver{Resolver: r}.LookupHost(base, "never.invalid.", unix.AF_UNSPEC, func([]netip.Addr, error) {
		t.Error("done ran after cancel")
	})
	<-dialed
	cancel()
	base.LoopExit(50_000_000)
	run(t, base)
}

func TestConnectHostname(t *testing.T) {
	base := newBase(t)
	addr := echoServer(t, base)
	res := fakeResolver{"echo.test": {netip.MustParseAddr("::1"), addr.Addr()}}
	bev := mustSocket(t, base, -1, CloseOnFree)
	var events []What
	bev.SetCallbacks(func(bev *BufferEvent) {
		if takeAll(bev.Input()) == "hi" {
			base.LoopBreak()
		}
	}, nil, func(_ *BufferEvent, w What, err error) {
		events = append(events, w)
		if w != Connected {
			t.Errorf("event %v %v", w, err)
			base.LoopBreak()
		}
	})
	if err := bev.ConnectHostname(res, unix.AF_INET, "echo.test", int(addr.Port())); err != nil {
		t.Fatal(err)
	}
	bev.Write([]byte("hi"))
	bev.Enable(Read)
	run(t, base)
	if len(events) != 1 {
		t.Fatalf("events %v", events)
	}
	bev.Free()

	// A failed lookup.
	bev = mustSocket(t, base, -1, 0)
	var gotErr error
	bev.SetCallbacks(nil, nil, func(_ *BufferEvent, w What, err error) {
		gotErr = err
		base.LoopBreak()
	})
	bev.ConnectHostname(res, unix.AF_UNSPEC, "missing.test", 80)
	run(t, base)
	if !errors.Is(gotErr, ErrResolve) {
		t.Fatalf("err %v", gotErr)
	}
	bev.Free()

	// Free cancels a lookup in progress.
	bev = mustSocket(t, base, -1, 0)
	bev.SetCallbacks(nil, nil, func(_ *BufferEvent, w What, err error) { t.Errorf("event after Free: %v", w) })
	bev.ConnectHostname(res, unix.AF_INET, "echo.test", int(addr.Port()))
	bev.Free()
	base.LoopExit(20_000_000)
	run(t, base)
}

// TestCrossGoroutinePost drives a BufferEvent from other goroutines
// through Base.Post, for the race detector.
func TestCrossGoroutinePost(t *testing.T) {
	base := newBase(t)
	a, b := mustPair(t, base)
	total := 0
	done := make(chan struct{})
	b.SetCallbacks(func(bev *BufferEvent) {
		total += bev.Input().Len()
		bev.Input().Drain(bev.Input().Len())
		if total == 4*100*10 {
			close(done)
		}
	}, nil, nil)
	b.Enable(Read)
	startLoop(t, base)
	errs := make(chan error, 4)
	for g := 0; g < 4; g++ {
		go func() {
			for i := 0; i < 100; i++ {
				if err := base.Post(func() {
					a.Output().AddString("0123456789")
					b.Disable(Read)
					b.Enable(Read)
				}); err != nil {
					errs <- err
					return
				}
			}
			errs <- nil
		}()
	}
	for range 4 {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	<-done
	onLoop(t, base, func() { a.Free(); b.Free() })
}
