package evrpc_test

import (
	"fmt"
	"net"
	"testing"

	"github.com/goevent/goevent/core"
	"github.com/goevent/goevent/evhttp"
	"github.com/goevent/goevent/evrpc"
	"github.com/goevent/goevent/internal/basetest"
)

// newPipeCallLoop is newCallLoop with a pipelined Pool: conns connections
// carrying depth calls each, all of them kept in flight.
func newPipeCallLoop(tb testing.TB, base *core.Base, conns, depth int) *callLoop {
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

// BenchmarkCallPipelined is BenchmarkCall with 64 calls in flight
// pipelined over 4 connections, 16 deep, and over 1 connection 64 deep.
func BenchmarkCallPipelined(b *testing.B) {
	for _, shape := range [][2]int{{4, 16}, {1, 64}} {
		b.Run(fmt.Sprintf("conns=%d/depth=%d", shape[0], shape[1]), func(b *testing.B) {
			l := newPipeCallLoop(b, basetest.New(b), shape[0], shape[1])
			if err := l.run(b, 2*shape[0]*shape[1]); err != nil { // connect, warm up
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

// maxPipelinedCallAllocs is what a pipelined call may allocate in
// TestPipelinedCallAllocs: 22 measured, a margin of 2 as maxCallAllocs
// has. The 2 more than a one-at-a-time call are evhttp's client copying
// each reply body out of a read that holds several replies (a reply alone
// in its read moves its block instead); evrpc adds nothing per call.
const maxPipelinedCallAllocs = 24

// TestPipelinedCallAllocs pins the allocations of a pipelined call.
func TestPipelinedCallAllocs(t *testing.T) {
	if testing.Short() {
		t.Skip("runs calls over loopback")
	}
	if raceEnabled {
		t.Skip("the race detector changes allocation counts")
	}
	l := newPipeCallLoop(t, basetest.New(t), 2, 8)
	const warm, calls = 100, 800
	if err := l.run(t, warm); err != nil {
		t.Fatal(err)
	}
	var err error
	allocs := testing.AllocsPerRun(1, func() { err = l.run(t, calls) })
	if err != nil {
		t.Fatal(err)
	}
	perCall := allocs / calls
	t.Logf("%.1f allocations per call", perCall)
	if perCall > maxPipelinedCallAllocs {
		t.Errorf("a pipelined call allocates %.1f times, want at most %d", perCall, maxPipelinedCallAllocs)
	}
}
