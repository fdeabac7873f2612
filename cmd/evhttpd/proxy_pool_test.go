package main

import (
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// TestProxyKeepsUpstreamConns sends two bursts of n concurrent requests
// through one loop to an upstream that answers a burst only once all of
// it arrived, so each burst needs n upstream connections at once. The
// connections of the first burst must all be kept alive and serve the
// second: n connections in all, where a pool keeping fewer idle ones
// would dial again.
func TestProxyKeepsUpstreamConns(t *testing.T) {
	const n = 20
	var arrived, conns atomic.Int64
	gates := [2]chan struct{}{make(chan struct{}), make(chan struct{})}
	up := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		k := arrived.Add(1)
		burst := min((k-1)/n, 1)
		if k%n == 0 {
			close(gates[burst])
		}
		select {
		case <-gates[burst]:
		case <-time.After(10 * time.Second): // a broken proxy fails below, not here
		}
		io.WriteString(w, "ok")
	}))
	up.Config.ConnState = func(_ net.Conn, st http.ConnState) {
		if st == http.StateNew {
			conns.Add(1)
		}
	}
	up.Start()
	t.Cleanup(up.Close)
	d := startDaemon(t, "-listen", "127.0.0.1:0", "-root", t.TempDir(), "-loops", "1", "-proxy", "/="+up.URL)

	tr := &http.Transport{MaxIdleConnsPerHost: n}
	defer tr.CloseIdleConnections()
	c := &http.Client{Transport: tr, Timeout: 30 * time.Second}
	for burst := range 2 {
		var wg sync.WaitGroup
		var bad atomic.Int64
		for range n {
			wg.Go(func() {
				resp, err := c.Get(d.url("/x"))
				if err != nil {
					bad.Add(1)
					return
				}
				b, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				if resp.StatusCode != 200 || string(b) != "ok" {
					bad.Add(1)
				}
			})
		}
		wg.Wait()
		if k := bad.Load(); k > 0 {
			t.Fatalf("burst %d: %d of %d requests failed", burst+1, k, n)
		}
	}
	if got := conns.Load(); got != n {
		t.Errorf("%d upstream connections for two bursts of %d concurrent requests, want %d (all kept alive)", got, n, n)
	}
}
