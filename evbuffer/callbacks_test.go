package evbuffer

import (
	"errors"
	"testing"
)

func TestCallbacksInfo(t *testing.T) {
	var b Buffer
	var got []CallbackInfo
	b.AddCallback(func(bb *Buffer, info CallbackInfo) {
		if bb != &b {
			t.Error("callback got another buffer")
		}
		got = append(got, info)
	})
	b.AddString("hello")               // {0 5 0}
	b.Drain(2)                         // {5 0 2}
	b.Prepend([]byte("ab"))            // {3 2 0}
	b.Drain(0)                         // nothing
	b.Pullup(-1)                       // nothing: no bytes added or deleted
	b.Remove(make([]byte, 10))         // {5 0 5}
	b.AddReference([]byte("xyz"), nil) // {0 3 0}
	var o Buffer
	o.AddString("12")
	b.AddBuffer(&o)       // {3 2 0}
	b.RemoveBuffer(&o, 4) // {5 0 4}
	b.ReadLine(EOLLF)     // nothing: no line
	b.Reset()             // {1 0 1}
	want := []CallbackInfo{{0, 5, 0}, {5, 0, 2}, {3, 2, 0}, {5, 0, 5}, {0, 3, 0}, {3, 2, 0}, {5, 0, 4}, {1, 0, 1}}
	if len(got) != len(want) {
		t.Fatalf("got %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("call %d: got %v, want %v", i, got[i], want[i])
		}
	}
}

func TestCallbackSuspendDisable(t *testing.T) {
	var b Buffer
	var got []CallbackInfo
	cb := b.AddCallback(func(_ *Buffer, info CallbackInfo) { got = append(got, info) })
	b.AddString("abcd")
	cb.Suspend()
	b.AddString("ef")
	b.Drain(3)
	b.AddString("g")
	if len(got) != 1 {
		t.Fatalf("suspended callback ran: %v", got)
	}
	cb.Unsuspend()
	if len(got) != 2 || got[1] != (CallbackInfo{OrigSize: 4, Added: 3, Deleted: 3}) {
		t.Fatalf("after Unsuspend: %v", got)
	}
	cb.Unsuspend() // not suspended: nothing
	cb.Suspend()
	cb.Unsuspend() // nothing changed: no call
	if len(got) != 2 {
		t.Fatalf("empty suspension reported: %v", got)
	}
	cb.Disable()
	b.AddString("h")
	if cb.Enabled() || len(got) != 2 {
		t.Fatalf("disabled callback ran: %v", got)
	}
	cb.Enable()
	b.AddString("i")
	if len(got) != 3 || got[2] != (CallbackInfo{OrigSize: 5, Added: 1}) {
		t.Fatalf("after Enable: %v", got)
	}
}

func TestCallbackRemoveDuringCallback(t *testing.T) {
	var b Buffer
	var calls []string
	var second, removed *Callback
	first := b.AddCallback(func(bb *Buffer, _ CallbackInfo) {
		calls = append(calls, "first")
		if second != nil {
			if err := bb.RemoveCallback(second); err != nil {
				t.Error(err)
			}
			removed, second = second, nil
		}
	})
	second = b.AddCallback(func(*Buffer, CallbackInfo) { calls = append(calls, "second") })
	b.AddString("x")
	b.AddString("y")
	if len(calls) != 2 || calls[0] != "first" || calls[1] != "first" {
		t.Fatalf("calls %v", calls)
	}
	if err := b.RemoveCallback(removed); !errors.Is(err, ErrInvalid) {
		t.Fatalf("second removal: %v", err)
	}
	if err := b.RemoveCallback(first); err != nil {
		t.Fatal(err)
	}
	if len(b.cbs) != 0 {
		t.Fatalf("%d callbacks left", len(b.cbs))
	}
	var other Buffer
	if err := other.RemoveCallback(other.AddCallback(nil)); err != nil {
		t.Fatal(err)
	}
	if err := b.RemoveCallback(nil); !errors.Is(err, ErrInvalid) {
		t.Fatal("RemoveCallback(nil)")
	}
}

// TestCallbackChangesBuffer: a callback that drains the buffer (as a
// watermark handler might) runs again for its own change, and a callback
// added during a round first runs for the next change.
func TestCallbackChangesBuffer(t *testing.T) {
	var b Buffer
	var infos []CallbackInfo
	added := false
	b.AddCallback(func(bb *Buffer, info CallbackInfo) {
		infos = append(infos, info)
		if bb.Len() > 3 {
			bb.Drain(bb.Len() - 3)
		}
		if !added {
			added = true
			bb.AddCallback(func(*Buffer, CallbackInfo) { infos = append(infos, CallbackInfo{-1, -1, -1}) })
		}
	})
	b.AddString("abcdef")
	b.AddString("g")
	want := []CallbackInfo{{0, 6, 0}, {6, 0, 3}, {3, 1, 0}, {4, 0, 1}, {-1, -1, -1}, {-1, -1, -1}}
	if len(infos) != len(want) {
		t.Fatalf("infos %v, want %v", infos, want)
	}
	for i := range want {
		if infos[i] != want[i] {
			t.Fatalf("infos %v, want %v", infos, want)
		}
	}
	mustEqual(t, &b, []byte("efg"))
}

func TestNilCallbackMethods(t *testing.T) {
	var cb *Callback
	cb.Enable()
	cb.Disable()
	cb.Suspend()
	cb.Unsuspend()
	if cb.Enabled() {
		t.Fatal("nil callback enabled")
	}
}

// TestCallbackDrainsDuringWriteToFD: a callback that empties the buffer
// while WriteToFD runs does not upset it.
func TestCallbackDrainsDuringWriteToFD(t *testing.T) {
	fds := socketpair(t)
	f := tempFile(t, []byte("second"))
	var b Buffer
	b.AddString("first")
	b.AddFile(f, 0, 6) // a second write call: sendfile after writev
	b.AddCallback(func(bb *Buffer, info CallbackInfo) {
		if info.Deleted > 0 && bb.Len() > 0 {
			bb.Drain(bb.Len())
		}
	})
	n, err := b.WriteToFD(fds[0], -1) // writes "first", then the callback drains "second"
	if n != 5 || err != nil || b.Len() != 0 {
		t.Fatalf("WriteToFD = %d, %v, len %d", n, err, b.Len())
	}
}

// TestCallbackChangesDuringReadLine: a callback that adds to the buffer
// while ReadLine reports its deletion does not invalidate the line.
func TestCallbackChangesDuringReadLine(t *testing.T) {
	var b Buffer
	b.AddString("line\n")
	var other Buffer
	b.AddCallback(func(bb *Buffer, info CallbackInfo) {
		if info.Deleted > 0 {
			bb.AddString("refill refill refill\n")
			other.AddString("xxxxxxxxxxxxxxxxxxxxx") // would reuse a block given back too early
			scribblePools()
		}
	})
	line, ok := b.ReadLine(EOLLF)
	if !ok || string(line) != "line" {
		t.Fatalf("ReadLine = %q, %v", line, ok)
	}
	b.Drain(b.Len())
	if len(b.held) != 0 {
		t.Fatal("held segment kept after a change outside callbacks")
	}
}

func TestSetNotify(t *testing.T) {
	var b Buffer
	var order []string
	var got []CallbackInfo
	b.SetNotify(func(bb *Buffer, info CallbackInfo) {
		if bb != &b {
			t.Errorf("hook got %p, want %p", bb, &b)
		}
		order = append(order, "hook")
		got = append(got, info)
	})
	cb := b.AddCallback(func(*Buffer, CallbackInfo) { order = append(order, "cb") })
	cb.Disable() // the hook does not depend on the callbacks
	b.Add([]byte("hello"))
	cb.Enable()
	b.Drain(2)
	want := []CallbackInfo{{0, 5, 0}, {5, 0, 2}}
	if len(got) != len(want) || got[0] != want[0] || got[1] != want[1] {
		t.Fatalf("hook infos %v, want %v", got, want)
	}
	if len(order) != 3 || order[1] != "hook" || order[2] != "cb" {
		t.Fatalf("order %v, want [hook hook cb]", order)
	}
	b.SetNotify(nil)
	b.Add([]byte("x"))
	if len(got) != 2 {
		t.Fatalf("hook ran after SetNotify(nil)")
	}
	if n := testing.AllocsPerRun(100, func() { b.SetNotify(hookFunc) }); n != 0 {
		t.Fatalf("SetNotify allocates %v times", n)
	}
}

func hookFunc(*Buffer, CallbackInfo) {}
