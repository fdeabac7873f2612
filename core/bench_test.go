package core

import (
	"testing"
	"time"

	"github.com/goevent/goevent/internal/looptest"
)

// Each hot path is set up once here and measured twice: by a benchmark and
// by the zero-allocation check in alloc_test.go (dnsmessage's
// benchmarkParsing/TestParsingAllocs pattern).

// hotPath is one measured operation on a Base of the named backend.
type hotPath struct {
	name  string
	setup func(tb testing.TB, b *Base) (op func())
}

// pass runs one non-blocking loop pass, as a hot path's op does.
func pass(tb testing.TB, b *Base) {
	if err := b.Loop(LoopOnce | LoopNonblock); err != nil {
		tb.Fatal(err)
	}
}

var hotPaths = []hotPath{
	{"EventAddDel", func(tb testing.TB, b *Base) func() {
		fds := looptest.Socketpair(tb)
		ev := b.NewEvent(fds[0], Read|Persist, func(int, Flags) {})
		return func() {
			ev.Add()
			ev.Del()
		}
	}},
	{"TimerAddDel", func(tb testing.TB, b *Base) func() {
		ev := b.NewTimer(func(int, Flags) {})
		return func() {
			ev.AddTimeout(time.Hour)
			ev.Del()
		}
	}},
	{"TimerAddDel10k", func(tb testing.TB, b *Base) func() {
		for i := range 10_000 { // a heap with other timers in it
			b.NewTimer(func(int, Flags) {}).AddTimeout(time.Hour + time.Duration(i)*time.Millisecond)
		}
		ev := b.NewTimer(func(int, Flags) {})
		return func() {
			ev.AddTimeout(time.Hour + 5*time.Second)
			ev.Del()
		}
	}},
	{"TimerExpire", func(tb testing.TB, b *Base) func() {
		ev := b.NewTimer(func(int, Flags) {})
		return func() {
			ev.AddTimeout(0)
			pass(tb, b)
		}
	}},
	{"CommonTimeout", func(tb testing.TB, b *Base) func() {
		if err := b.InitCommonTimeout(time.Hour); err != nil {
			tb.Fatal(err)
		}
		for range 1000 { // a queue with others in it
			b.NewTimer(func(int, Flags) {}).AddTimeout(time.Hour)
		}
		ev := b.NewTimer(func(int, Flags) {})
		return func() {
			ev.AddTimeout(time.Hour)
			ev.Del()
		}
	}},
	{"Post", func(tb testing.TB, b *Base) func() {
		fn := func() {}
		return func() {
			b.Post(fn)
			pass(tb, b)
		}
	}},
	{"Deferred", func(tb testing.TB, b *Base) func() {
		d := b.NewDeferred(func() {})
		return func() {
			d.Schedule()
			pass(tb, b)
		}
	}},
	{"ActiveDispatch", func(tb testing.TB, b *Base) func() {
		ev := b.NewEvent(-1, Persist, func(int, Flags) {})
		return func() {
			ev.Active(Read)
			pass(tb, b)
		}
	}},
	{"ReadDispatch", func(tb testing.TB, b *Base) func() {
		fds := looptest.Socketpair(tb)
		looptest.WriteString(tb, fds[1], "x") // stays readable
		ev := b.NewEvent(fds[0], Read|Persist, func(int, Flags) {})
		ev.Add()
		return func() { pass(tb, b) }
	}},
}

func findHotPath(name string) hotPath {
	for _, h := range hotPaths {
		if h.name == name {
			return h
		}
	}
	panic("no hot path " + name)
}

// benchHotPath runs the named hot path as a sub-benchmark per backend.
func benchHotPath(b *testing.B, name string) {
	h := findHotPath(name)
	for _, be := range Backends() {
		b.Run(be, func(b *testing.B) {
			base, err := NewBase(WithBackend(be))
			if err != nil {
				b.Fatal(err)
			}
			defer base.Close()
			op := h.setup(b, base)
			op() // warm up: grow what grows once
			b.ReportAllocs()
			b.ResetTimer()
			for b.Loop() {
				op()
			}
		})
	}
}

func BenchmarkEventAddDel(b *testing.B)    { benchHotPath(b, "EventAddDel") }
func BenchmarkTimerAddDel(b *testing.B)    { benchHotPath(b, "TimerAddDel") }
func BenchmarkTimerAddDel10k(b *testing.B) { benchHotPath(b, "TimerAddDel10k") }
func BenchmarkTimerExpire(b *testing.B)    { benchHotPath(b, "TimerExpire") }
func BenchmarkCommonTimeout(b *testing.B)  { benchHotPath(b, "CommonTimeout") }
func BenchmarkPost(b *testing.B)           { benchHotPath(b, "Post") }
func BenchmarkDeferred(b *testing.B)       { benchHotPath(b, "Deferred") }
func BenchmarkActiveDispatch(b *testing.B) { benchHotPath(b, "ActiveDispatch") }
func BenchmarkReadDispatch(b *testing.B)   { benchHotPath(b, "ReadDispatch") }
