package bufferevent

import (
	"strings"
	"testing"

	"github.com/goevent/goevent/core"
)

func mustPair(t testing.TB, base *core.Base) (*BufferEvent, *BufferEvent) {
	t.Helper()
	a, b, err := NewPair(base, 0)
	if err != nil {
		t.Fatal(err)
	}
	return a, b
}

func TestPairEcho(t *testing.T) {
	base := newBase(t)
	a, b := mustPair(t, base)
	if a.Partner() != b || b.Partner() != a {
		t.Fatal("Partner")
	}
	b.SetCallbacks(func(bev *BufferEvent) { bev.Output().AddBuffer(bev.Input()) }, nil, nil)
	b.Enable(Read)
	var got strings.Builder
	msg := strings.Repeat("pair ", 1000)
	a.SetCallbacks(func(bev *BufferEvent) {
		got.WriteString(takeAll(bev.Input()))
		if got.Len() == len(msg) {
			base.LoopBreak()
		}
	}, nil, nil)
	a.Enable(Read)
	a.Output().AddString(msg)
	run(t, base)
	if got.String() != msg {
		t.Fatal("echo mismatch")
	}
	a.Free()
	if b.Partner() != nil {
		t.Error("partner still linked after Free")
	}
	b.Free()
}

func TestPairFlushFinished(t *testing.T) {
	base := newBase(t)
	a, b := mustPair(t, base)
	var what What
	var data string
	b.SetCallbacks(func(bev *BufferEvent) { data += takeAll(bev.Input()) }, nil, func(bev *BufferEvent, w What, err error) {
		what = w
		base.LoopBreak()
	})
	b.Enable(Read)
	a.Output().AddString("last words")
	if err := a.Flush(Write, Normal); err != nil {
		t.Fatal(err)
	}
	if b.Input().Len() != 0 {
		t.Fatal("Normal flush moved data")
	}
	a.Flush(Write, Finished)
	if b.Input().Len() != len("last words") {
		t.Fatalf("Finished flush left partner input at %d", b.Input().Len())
	}
	run(t, base)
	if what != EOF|Reading || data != "last words" {
		t.Fatalf("event %v data %q", what, data)
	}
	a.Free()
	b.Free()
}

// TestPairWatermarks: the reading end's high watermark holds data back
// in the writer's Output, and draining resumes the flow.
func TestPairWatermarks(t *testing.T) {
	base := newBase(t)
	a, b := mustPair(t, base)
	const high, total = 100, 1000
	b.SetWatermark(Read, 0, high)
	got, writes := 0, 0
	b.SetCallbacks(func(bev *BufferEvent) {
		if n := bev.Input().Len(); n > high {
			t.Fatalf("partner input %d above high watermark", n)
		}
		if a.Output().Len()+bev.Input().Len()+got != total {
			t.Fatal("bytes lost")
		}
		got += bev.Input().Len()
		bev.Input().Drain(bev.Input().Len())
		if got == total && writes > 0 {
			base.LoopBreak()
		}
	}, nil, nil)
	b.Enable(Read)
	a.SetCallbacks(nil, func(*BufferEvent) {
		if writes++; got == total {
			base.LoopBreak()
		}
	}, nil)
	a.Output().AddString(strings.Repeat("w", total))
	run(t, base)
	if writes == 0 {
		t.Error("no write callback once the output drained")
	}
	a.Free()
	b.Free()
}

// TestDeferredNotReentrant: with DeferCallbacks a callback never runs
// inside another, even when the callback causes the next event at once.
func TestDeferredNotReentrant(t *testing.T) {
	base := newBase(t)
	fds := socketpair(t)
	bev := mustSocket(t, base, fds[0], DeferCallbacks)
	depth, calls := 0, 0
	bev.SetCallbacks(func(bev *BufferEvent) {
		depth++
		defer func() { depth-- }()
		if depth > 1 {
			t.Fatal("read callback re-entered")
		}
		calls++
		bev.Input().Drain(bev.Input().Len())
		bev.Trigger(Read, TriggerIgnoreWatermarks) // deferred: must not recurse
		if calls == 5 {
			bev.Free()
			base.LoopBreak()
		}
	}, nil, nil)
	bev.Enable(Read)
	unixWrite(t, fds[1], "go")
	run(t, base)
}
