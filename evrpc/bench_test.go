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

// BenchmarkCall measures calls per second between a goevent client and
// server on one loop, with 1 and 64 calls in flight (one connection each).
func BenchmarkCall(b *testing.B) {
	for _, inFlight := range []int{1, 64} {
		b.Run(fmt.Sprint("inflight=", inFlight), func(b *testing.B) {
			base := basetest.New(b)
			srv := evhttp.New(base, nil)
			bs, err := srv.Bind("127.0.0.1:0")
			if err != nil {
				b.Fatal(err)
			}
			rpc := evrpc.NewBase(srv)
			if err := RegisterMessage(rpc, func(r *evrpc.Request[Msg, Kill]) {
				*r.Reply = dagger(r.Req)
				r.Done()
			}); err != nil {
				b.Fatal(err)
			}
			pool := evrpc.NewPool(base, nil)
			for range inFlight {
				pool.AddConnection(evhttp.NewConnection(base, nil, "127.0.0.1", bs.Addr().(*net.TCPAddr).Port))
			}
			req := Msg{FromName: "bench", ToName: "server", Attack: &Kill{Weapon: "w", Action: "a", HowOften: []uint32{1, 2, 3}}}
			started, finished := 0, 0
			var failed error
			var next func()
			next = func() {
				if started == b.N {
					return
				}
				started++
				reply := new(Kill)
				if _, err := MakeMessageRequest(pool, &req, reply, func(err error) {
					finished++
					if err != nil && failed == nil {
						failed = err
					}
					if finished == b.N {
						base.LoopBreak()
						return
					}
					next()
				}); err != nil {
					failed = err
					base.LoopBreak()
				}
			}
			b.ReportAllocs()
			b.ResetTimer()
			for range inFlight {
				next()
			}
			basetest.Run(b, base, time.Duration(b.N)*time.Second+time.Minute)
			b.StopTimer()
			if failed != nil {
				b.Fatal(failed)
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "calls/s")
			pool.Close()
			done := srv.Shutdown(0)
			go func() { <-done; base.LoopBreak() }()
			base.Loop(core.LoopNoExitOnEmpty)
		})
	}
}
