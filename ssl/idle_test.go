package ssl

import (
	"crypto/tls"
	"io"
	"net"
	"runtime"
	"testing"

	"github.com/goevent/goevent/bufferevent"
	"github.com/goevent/goevent/core"
	"github.com/goevent/goevent/internal/looptest"
)

// idleConns is how many established idle TLS connections the idle tests
// hold (each has a server and a client end).
const idleConns = 1000

// openIdle establishes n TLS connections over socketpairs on base, each
// having exchanged payload bytes both ways, and returns their ends.
func openIdle(t testing.TB, base *core.Base, n, payload int) []*bufferevent.BufferEvent {
	t.Helper()
	p := pkiOnce(t)
	scfg, ccfg := p.ServerConfig(), p.ClientConfig()
	ends := make([]*bufferevent.BufferEvent, 0, 2*n)
	want := 2 * n
	msg := pattern(payload, 4)
	for range n {
		fds := looptest.Socketpair(t)
		srv, err := NewServer(base, fds[0], scfg, 0)
		if err != nil {
			t.Fatal(err)
		}
		cli, err := NewClient(base, fds[1], ccfg, 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, bev := range []*bufferevent.BufferEvent{srv, cli} {
			got := 0
			bev.Enable(bufferevent.Read)
			bev.SetCallbacks(func(bev *bufferevent.BufferEvent) {
				got += bev.Input().Len()
				bev.Input().Drain(bev.Input().Len())
				if got == payload {
					if want--; want == 0 {
						base.LoopBreak()
					}
				}
			}, nil, func(bev *bufferevent.BufferEvent, w bufferevent.What, err error) {
				if w != bufferevent.Connected {
					t.Errorf("event %v %v", w, err)
					base.LoopBreak()
					return
				}
				bev.Write(msg)
			})
			ends = append(ends, bev)
		}
	}
	t.Cleanup(func() {
		for _, bev := range ends {
			bev.Free()
		}
	})
	run(t, base)
	return ends
}

// TestIdleConnectionsNoGoroutines: 1000 established idle TLS connections
// (2000 ends) add no goroutine; only handshakes in progress have one.
func TestIdleConnectionsNoGoroutines(t *testing.T) {
	base := newBase(t)
	runtime.GC()
	before := runtime.NumGoroutine()
	openIdle(t, base, idleConns, 100)
	// The handshake goroutines post their result and return; wait for
	// the last ones to be gone from the scheduler.
	looptest.WaitFor(t, "handshake goroutines to end", func() bool {
		return len(looptest.Goroutines("ssl.(*session).handshake")) == 0
	})
	after := runtime.NumGoroutine()
	t.Logf("goroutines: %d before, %d with %d idle TLS connections", before, after, idleConns)
	if after > before+2 {
		t.Errorf("%d goroutines with %d idle connections, %d before", after, idleConns, before)
	}
}

// heapInUse returns the heap and stack bytes in use after collecting.
func heapInUse() uint64 {
	var ms runtime.MemStats
	for range 3 {
		runtime.GC()
	}
	runtime.ReadMemStats(&ms)
	return ms.HeapInuse + ms.StackInuse
}

// TestIdleMemory measures heap and stack bytes per idle established TLS
// connection end, ours against crypto/tls on a net.Conn with a goroutine
// reading it (as net/http's server and client hold theirs), after a small
// exchange and after a 64 KiB one.
func TestIdleMemory(t *testing.T) {
	if testing.Short() || raceEnabled {
		t.Skip("memory measurement: not under -short or -race")
	}
	for _, payload := range []int{100, 64 << 10} {
		base := newBase(t)
		m0 := heapInUse()
		ends := openIdle(t, base, idleConns, payload)
		m1 := heapInUse()
		per := float64(m1-m0) / float64(len(ends))
		runtime.KeepAlive(ends)
		std := stdIdleMemory(t, idleConns, payload)
		t.Logf("payload %6d B: goevent ssl %.0f B (%.1f KiB) per idle end; crypto/tls on net.Conn + reading goroutine %.0f B (%.1f KiB)",
			payload, per, per/1024, std, std/1024)
		if payload == 100 && per > 12<<10 {
			t.Errorf("%.0f B per idle connection end, target under 12 KiB", per)
		}
		for _, bev := range ends {
			bev.Free()
		}
	}
}

// stdIdleMemory opens n crypto/tls connections over loopback TCP, each
// end with a goroutine blocked in Read after exchanging payload bytes,
// and returns the heap and stack bytes per end.
func stdIdleMemory(t testing.TB, n, payload int) float64 {
	p := pkiOnce(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	msg := pattern(payload, 4)
	var conns []net.Conn
	m0 := heapInUse()
	ready := make(chan net.Conn)
	done := make(chan struct{})
	idle := func(c *tls.Conn) {
		if err := c.Handshake(); err != nil {
			t.Error(err)
		}
		go func() { c.Write(msg) }()
		io.ReadFull(c, make([]byte, payload))
		ready <- c
		c.Read(make([]byte, 1)) // idle, as a server's or client's read loop
		<-done
	}
	go func() {
		for range n {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go idle(tls.Server(c, p.ServerConfig()))
		}
	}()
	for range n {
		c, err := net.Dial("tcp", ln.Addr().String())
		if err != nil {
			t.Fatal(err)
		}
		go idle(tls.Client(c, p.ClientConfig()))
	}
	for range 2 * n {
		conns = append(conns, <-ready)
	}
	m1 := heapInUse()
	for _, c := range conns {
		c.Close()
	}
	close(done)
	return float64(m1-m0) / float64(2*n)
}

// TestRecordBuffersReleased checks tlsbuf.go against this Go's crypto/tls:
// the private buffers are found, and an idle connection holds none after
// a transfer of full-size records.
func TestRecordBuffersReleased(t *testing.T) {
	p := pkiOnce(t)
	if _, ok := findTLSBuffers(tls.Client(nil, p.ClientConfig())); !ok {
		t.Fatal("crypto/tls layout changed: rawInput, input or hand not found")
	}
	base := newBase(t)
	ends := openIdle(t, base, 2, 100<<10)
	for i, bev := range ends {
		s := sessionOf(bev)
		if !s.bufsOK || s.bufs.rawInput.Cap() != 0 || s.bufs.hand.Cap() != 0 || s.bufs.lent != nil {
			t.Errorf("end %d: raw input cap %d, handshake cap %d, lent %v", i, s.bufs.rawInput.Cap(), s.bufs.hand.Cap(), s.bufs.lent != nil)
		}
	}
}
