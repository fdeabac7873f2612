package main

import (
	"net/rpc"
	"sync"
	"time"

	"github.com/goevent/goevent/bench/rpc/internal/echo"
)

// runNetRPC keeps l.c calls outstanding with l.c goroutines calling
// through one rpc.Client.
func runNetRPC(l load) (result, error) {
	client, err := rpc.Dial("tcp", l.addr)
	if err != nil {
		return result{}, err
	}
	defer client.Close()
	var (
		mu   sync.Mutex
		next uint32
		res  result
		wg   sync.WaitGroup
	)
	start := time.Now()
	deadline := start.Add(l.dur)
	// take returns the number of the next request, or false when the run
	// is over.
	take := func() (uint32, bool) {
		mu.Lock()
		defer mu.Unlock()
		if l.n > 0 && int(next) >= l.n || l.n == 0 && !time.Now().Before(deadline) {
			return 0, false
		}
		next++
		return next - 1, true
	}
	for range l.c {
		wg.Go(func() {
			var reply echo.EchoRep
			var local result
			for {
				i, ok := take()
				if !ok {
					break
				}
				req := echo.Request(i)
				reply = echo.EchoRep{}
				if err := client.Call(echo.NetRPCMethod, &req, &reply); err != nil {
					local.errors++
					if local.firstErr == nil {
						local.firstErr = err
					}
					continue
				}
				local.calls++
				if err := echo.Check(&req, &reply); err != nil {
					local.bad++
					if local.firstErr == nil {
						local.firstErr = err
					}
				}
			}
			mu.Lock()
			res.calls += local.calls
			res.bad += local.bad
			res.errors += local.errors
			if res.firstErr == nil {
				res.firstErr = local.firstErr
			}
			mu.Unlock()
		})
	}
	wg.Wait()
	res.elapsed = time.Since(start)
	return res, nil
}
