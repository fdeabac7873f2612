package evrpc_test

import (
	"fmt"
	"net"
	"testing"
	"time"

	"github.com/goevent/goevent/core"
	"github.com/goevent/goevent/evhttp"
	"github.com/goevent/goevent/evrpc"
	"github.com/goevent/goevent/internal/basetest"
)

// callLoop keeps calls to Message in flight through a Pool: each slot
// makes its next call from the callback of its last one, reusing its
// reply and its callback, until total calls have finished.
type callLoop struct {
	base     *core.Base
	pool     *evrpc.Pool
	req      Msg
	total    int
	started  int
	finished int
	failed   error
	slots    []*callSlot
}

// callSlot is one call in flight of a callLoop.
type callSlot struct {
	l     *callLoop
	reply Kill
	done  func(error)
}

// newCallLoop sets up a Message server and a Pool of conns connections
// to it on base, all on base's loop, keeping conns*depth calls in flight:
// depth 1 is libevent's one call per connection, more pipelines them
// (PoolConfig.Pipeline).
func newCallLoop(tb testing.TB, base *core.Base, conns, depth int) *callLoop {
	tb.Helper()
	srv := evhttp.New(base, nil)
	bs, err := srv.Bind("127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	rpc := evrpc.NewBase(srv)
	if err := RegisterMessage(rpc, func(r *evrpc.Request[Msg, Kill]) {
		r.Reply.Weapon = "dagger"
		r.Reply.Action = r.Req.ToName
		r.Reply.HowOften = append(r.Reply.HowOften, uint32(len(r.Req.FromName)), 0x123456)
		r.Done()
	}); err != nil {
		tb.Fatal(err)
	}
	l := &callLoop{
		base: base,
		pool: evrpc.NewPool(base, &evrpc.PoolConfig{Pipeline: depth}),
		req:  Msg{FromName: "bench", ToName: "server", Attack: &Kill{Weapon: "w", Action: "a", HowOften: []uint32{1, 2, 3}}},
	}
	for range conns {
		l.pool.AddConnection(evhttp.NewConnection(base, nil, "127.0.0.1", bs.Addr().(*net.TCPAddr).Port))
	}
	for range conns * depth {
		s := &callSlot{l: l}
		s.done = s.onDone
		l.slots = append(l.slots, s)
	}
	tb.Cleanup(func() {
		l.pool.Close()
		done := srv.Shutdown(0)
		go func() { <-done; base.LoopBreak() }()
		base.Loop(core.LoopNoExitOnEmpty)
	})
	return l
}

// run makes n calls and returns when all have finished.
func (l *callLoop) run(tb testing.TB, n int) error {
	l.total, l.started, l.finished, l.failed = n, 0, 0, nil
	for _, s := range l.slots {
		s.next()
	}
	basetest.Run(tb, l.base, time.Duration(n)*time.Second+time.Minute)
	return l.failed
}

func (s *callSlot) next() {
	l := s.l
	if l.started == l.total {
		return
	}
	l.started++
	if _, err := MakeMessageRequest(l.pool, &l.req, &s.reply, s.done); err != nil {
		l.failed = err
		l.base.LoopBreak()
	}
}

func (s *callSlot) onDone(err error) {
	l := s.l
	l.finished++
	if err == nil && (s.reply.Weapon != "dagger" || s.reply.Action != "server" || len(s.reply.HowOften) != 2) {
		err = fmt.Errorf("wrong reply %+v", s.reply)
	}
	if err != nil && l.failed == nil {
		l.failed = err
	}
	if l.finished == l.total {
		l.base.LoopBreak()
		return
	}
	s.next()
}

// BenchmarkCall measures calls per second between a goevent client and
// server on one loop: 1 and 64 calls in flight one per connection, and 64
// pipelined over 4 connections 16 deep and over 1 connection 64 deep.
// Its allocs/op counts the client's and the server's allocations.
func BenchmarkCall(b *testing.B) {
	for _, shape := range [][2]int{{1, 1}, {64, 1}, {4, 16}, {1, 64}} {
		conns, depth := shape[0], shape[1]
		b.Run(fmt.Sprintf("conns=%d/depth=%d", conns, depth), func(b *testing.B) {
			l := newCallLoop(b, basetest.New(b), conns, depth)
			if err := l.run(b, 2*conns*depth); err != nil { // connect, warm up
				b.Fatal(err)
			}
			b.ReportAllocs()
			b.ResetTimer()
			err := l.run(b, b.N)
			b.StopTimer()
			if err != nil {
				b.Fatal(err)
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "calls/s")
		})
	}
}

// maxCallAllocs is what a call may allocate, client and server together,
// in TestCallAllocs: 20 measured (2 in evrpc, 7 for the decoded strings,
// slices and pointers of the message and reply, 1 in the handler, the
// rest in evhttp and evbuffer; 59 before allocations were cut), plus a
// small margin. Lower it when a change saves allocations.
const maxCallAllocs = 22

// maxPipelinedCallAllocs is the same bound for a pipelined call: 22
// measured. The 2 more are evhttp's client copying each reply body out of
// a read that holds several replies (a reply alone in its read moves its
// block instead); evrpc adds nothing per call.
const maxPipelinedCallAllocs = 24

// TestCallAllocs pins the allocations of a call, one at a time and
// pipelined: a regression on the call path shows here before it shows in
// the benchmarks.
func TestCallAllocs(t *testing.T) {
	if testing.Short() {
		t.Skip("runs calls over loopback")
	}
	if raceEnabled {
		t.Skip("the race detector changes allocation counts")
	}
	for _, c := range []struct {
		name              string
		conns, depth, max int
		warm, calls       int
	}{
		{"one at a time", 1, 1, maxCallAllocs, 50, 400},
		{"pipelined", 2, 8, maxPipelinedCallAllocs, 100, 800},
	} {
		t.Run(c.name, func(t *testing.T) {
			l := newCallLoop(t, basetest.New(t), c.conns, c.depth)
			if err := l.run(t, c.warm); err != nil {
				t.Fatal(err)
			}
			var err error
			allocs := testing.AllocsPerRun(1, func() { err = l.run(t, c.calls) })
			if err != nil {
				t.Fatal(err)
			}
			perCall := allocs / float64(c.calls)
			t.Logf("%.1f allocations per call", perCall)
			if perCall > float64(c.max) {
				t.Errorf("a call allocates %.1f times, want at most %d", perCall, c.max)
			}
		})
	}
}
