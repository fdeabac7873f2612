package bufferevent

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/goevent/goevent/core"
	"github.com/goevent/goevent/internal/looptest"
	"golang.org/x/sys/unix"
)

func fdOpen(fd int) bool {
	_, err := unix.FcntlInt(uintptr(fd), unix.F_GETFD, 0)
	return err == nil
}

// TestFreeInCallbacks: every kind's callbacks may free their own
// BufferEvent; nothing runs afterwards.
func TestFreeInCallbacks(t *testing.T) {
	kinds := map[string]func(t *testing.T, base *core.Base) (bev *BufferEvent, feed func()){
		"socket": func(t *testing.T, base *core.Base) (*BufferEvent, func()) {
			fds := socketpair(t)
			bev := mustSocket(t, base, fds[0], CloseOnFree)
			fd := fds[0]
			fds[0] = -1
			t.Cleanup(func() {
				if fdOpen(fd) {
					t.Error("CloseOnFree left the fd open")
				}
			})
			return bev, func() { looptest.WriteString(t, fds[1], "data") }
		},
		"pair": func(t *testing.T, base *core.Base) (*BufferEvent, func()) {
			a, b := mustPair(t, base)
			t.Cleanup(a.Free)
			return b, func() { a.Output().AddString("data") }
		},
		"filter": func(t *testing.T, base *core.Base) (*BufferEvent, func()) {
			a, b := mustPair(t, base)
			t.Cleanup(a.Free)
			f, _ := NewFilter(b, nil, nil, CloseOnFree)
			t.Cleanup(func() {
				if !b.released {
					t.Error("CloseOnFree did not free the underlying BufferEvent")
				}
			})
			return f, func() { a.Output().AddString("data") }
		},
	}
	for name, mk := range kinds {
		for _, opts := range []Options{0, DeferCallbacks} {
			t.Run(name+"/"+map[Options]string{0: "inline", DeferCallbacks: "deferred"}[opts], func(t *testing.T) {
				base := newBase(t)
				bev, feed := mk(t, base)
				if opts != 0 {
					bev.opts |= opts
				}
				calls := 0
				bev.SetCallbacks(func(bev *BufferEvent) {
					calls++
					bev.Free()
					bev.Free() // idempotent
					if bev.Input().Len() == 0 && bev.released {
						t.Error("released inside its own callback")
					}
					base.LoopExit(20 * time.Millisecond)
				}, func(*BufferEvent) {
					if bev.freed {
						t.Error("write callback on a freed BufferEvent")
					}
				}, func(bev *BufferEvent, w What, err error) {
					t.Errorf("event %v after Free", w)
				})
				bev.Enable(Read)
				feed()
				run(t, base)
				if calls != 1 || !bev.released {
					t.Fatalf("calls %d released %v", calls, bev.released)
				}
				if err := bev.Enable(Read); !errors.Is(err, ErrFreed) {
					t.Errorf("Enable after Free: %v", err)
				}
			})
		}
	}
}

func TestCloseLinger(t *testing.T) {
	forEachBackend(t, func(t *testing.T, base *core.Base) {
		// Drained: the peer reads everything.
		fds := socketpair(t)
		bev := mustSocket(t, base, fds[0], CloseOnFree)
		fds[0] = -1
		msg := strings.Repeat("z", 1<<20)
		bev.Output().AddString(msg)
		var unsent = -1
		var closeErr error
		bev.Close(5*time.Second, func(n int, err error) {
			unsent, closeErr = n, err
			base.LoopBreak()
		})
		got := 0
		var pump func(int, core.Flags)
		pump = func(int, core.Flags) {
			got += len(looptest.Drain(fds[1]))
			if unsent < 0 {
				base.Once(-1, 0, time.Millisecond, pump)
			}
		}
		base.Once(-1, 0, 0, pump)
		run(t, base)
		got += len(looptest.Drain(fds[1]))
		if unsent != 0 || closeErr != nil || got != len(msg) {
			t.Fatalf("unsent %d err %v, peer got %d of %d", unsent, closeErr, got, len(msg))
		}

		// Stuck: the peer never reads; linger expires and reports the rest.
		fds = socketpair(t)
		bev = mustSocket(t, base, fds[0], 0)
		bev.Output().Add(make([]byte, 8<<20))
		unsent = -1
		bev.Close(50*time.Millisecond, func(n int, err error) {
			unsent, closeErr = n, err
			base.LoopBreak()
		})
		run(t, base)
		inq, _ := kernelQueued(fds[1])
		if unsent <= 0 || !errors.Is(closeErr, ErrCloseTimeout) || unsent+inq > 8<<20 {
			t.Fatalf("unsent %d err %v", unsent, closeErr)
		}
		if !fdOpen(fds[0]) {
			t.Error("fd closed without CloseOnFree")
		}

		// Peer gone: the error is reported with the unsent count.
		fds = socketpair(t)
		bev = mustSocket(t, base, fds[0], 0)
		looptest.CloseEarly(fds, 1)
		bev.Output().AddString("lost")
		unsent = -1
		bev.Close(0, func(n int, err error) {
			unsent, closeErr = n, err
			base.LoopBreak()
		})
		run(t, base)
		if unsent != 4 || !errors.Is(closeErr, ErrPeerClosed) || !errors.Is(closeErr, unix.EPIPE) {
			t.Fatalf("unsent %d err %v", unsent, closeErr)
		}
	})
}

func TestCloseFilterPair(t *testing.T) {
	base := newBase(t)
	a, b := mustPair(t, base)
	f, _ := NewFilter(b, nil, mapFilter(upper), CloseOnFree)
	var got string
	a.SetCallbacks(func(bev *BufferEvent) { got += takeAll(bev.Input()) }, nil, nil)
	a.Enable(Read)
	f.Output().AddString("bye")
	f.Close(time.Second, func(n int, err error) {
		if n != 0 || err != nil {
			t.Errorf("unsent %d err %v", n, err)
		}
		base.LoopExit(10 * time.Millisecond)
	})
	run(t, base)
	if got != "BYE" || !b.released {
		t.Fatalf("got %q, underlying released %v", got, b.released)
	}
	a.Free()
}
