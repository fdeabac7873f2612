package core

import (
	"errors"
	"net"
	"net/netip"
	"os"
	"path/filepath"
	"runtime"
	"sync/atomic"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/goevent/goevent/internal/netutil"
)

// loopsCountFDs counts this process's open fds.
func loopsCountFDs(t *testing.T) int {
	t.Helper()
	if ents, err := os.ReadDir("/proc/self/fd"); err == nil {
		return len(ents)
	}
	n := 0
	for fd := 0; fd < 1<<12; fd++ {
		if _, err := unix.FcntlInt(uintptr(fd), unix.F_GETFD, 0); err == nil {
			n++
		}
	}
	return n
}

// loopsOnLoop reports whether the caller runs on b's loop goroutine.
func loopsOnLoop(b *Base) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.onLoopLocked()
}

func TestLoopsSpread(t *testing.T) {
	n := 100
	if testing.Short() || raceEnabled {
		n = 60
	}
	for _, tc := range []struct {
		mode    ListenMode
		network string
	}{
		{ReusePort, "tcp4"},
		{HandOff, "tcp4"},
		{HandOff, "unix"},
	} {
		t.Run(tc.mode.String()+"/"+tc.network, func(t *testing.T) {
			if tc.mode == ReusePort && !netutil.ReusePortBalances {
				t.Skip("SO_REUSEPORT does not balance here")
			}
			// Start from a quiet process: the runtime's netpoller is open.
			if warm, err := net.Listen("tcp4", "127.0.0.1:0"); err == nil {
				warm.Close()
			}
			goroutines0 := runtime.NumGoroutine()
			fds0 := loopsCountFDs(t)

			ls, err := NewLoops(2)
			if err != nil {
				t.Fatal(err)
			}
			if ls.Len() != 2 {
				t.Fatalf("Len = %d", ls.Len())
			}
			var perLoop [2]atomic.Int32
			var wrongLoop atomic.Int32
			cb := func(base *Base, fd int, peer netip.AddrPort) {
				i := -1
				for j := 0; j < ls.Len(); j++ {
					if ls.Base(j) == base {
						i = j
					}
				}
				if i < 0 || !loopsOnLoop(base) {
					wrongLoop.Add(1)
				}
				unix.Close(fd)
				if i >= 0 {
					perLoop[i].Add(1)
				}
			}
			addr := "127.0.0.1:0"
			if tc.network == "unix" {
				addr = filepath.Join(t.TempDir(), "s")
			}
			ll, err := ls.Listen(tc.network, addr, cb, tc.mode, WithBacklog(2*n))
			if err != nil {
				ls.Close()
				t.Fatal(err)
			}
			if got := len(ll.Listeners()); tc.mode == ReusePort && got != 2 || tc.mode == HandOff && got != 1 {
				t.Errorf("%d listeners for %v", got, tc.mode)
			}
			if ll.Mode() != tc.mode {
				t.Errorf("Mode = %v", ll.Mode())
			}
			conns := make([]net.Conn, 0, n)
			for i := 0; i < n; i++ {
				c, err := net.DialTimeout(tc.network, ll.Addr().String(), 10*time.Second)
				if err != nil {
					t.Fatalf("dial %d: %v", i, err)
				}
				conns = append(conns, c)
			}
			listenWaitFor(t, 10*time.Second, "all connections", func() bool {
				return int(perLoop[0].Load()+perLoop[1].Load()) == n
			})
			for _, c := range conns {
				c.Close()
			}
			a, b := perLoop[0].Load(), perLoop[1].Load()
			t.Logf("%v: loop 0 got %d, loop 1 got %d", tc.mode, a, b)
			if a == 0 || b == 0 {
				t.Errorf("connections not spread: %d and %d", a, b)
			}
			if tc.mode == HandOff && (a-b > 1 || b-a > 1) {
				t.Errorf("HandOff is round-robin, got %d and %d", a, b)
			}
			if w := wrongLoop.Load(); w != 0 {
				t.Errorf("%d callbacks ran off their base's loop", w)
			}
			if err := ls.Close(); err != nil {
				t.Fatal(err)
			}
			if err := ls.Close(); err != nil {
				t.Errorf("second Close: %v", err)
			}
			listenWaitFor(t, 5*time.Second, "loop goroutines to exit", func() bool {
				return runtime.NumGoroutine() <= goroutines0
			})
			listenWaitFor(t, 5*time.Second, "fds to close", func() bool { return loopsCountFDs(t) <= fds0 })
			if tc.network == "unix" {
				if _, err := os.Lstat(addr); !os.IsNotExist(err) {
					t.Errorf("socket file after Close: %v", err)
				}
			}
		})
	}
}

func TestLoopsBasics(t *testing.T) {
	ls, err := NewLoops(0)
	if err != nil {
		t.Fatal(err)
	}
	defer ls.Close()
	if ls.Len() != runtime.NumCPU() {
		t.Errorf("NewLoops(0).Len() = %d, want NumCPU %d", ls.Len(), runtime.NumCPU())
	}
	if ls.Base(-1) != nil || ls.Base(ls.Len()) != nil {
		t.Error("Base out of range is not nil")
	}
	seen := make(map[*Base]int)
	for i := 0; i < 2*ls.Len(); i++ {
		seen[ls.Next()]++
	}
	for i := 0; i < ls.Len(); i++ {
		if seen[ls.Base(i)] != 2 {
			t.Errorf("Next picked loop %d %d times in %d calls, want 2", i, seen[ls.Base(i)], 2*ls.Len())
		}
	}

	// Each loop runs on its own goroutine: Post reaches it.
	done := make(chan bool, ls.Len())
	for i := 0; i < ls.Len(); i++ {
		b := ls.Base(i)
		if err := b.Post(func() { done <- loopsOnLoop(b) }); err != nil {
			t.Fatal(err)
		}
	}
	for i := 0; i < ls.Len(); i++ {
		if !<-done {
			t.Error("posted function ran off its loop")
		}
	}

	// A LoopBreak ends one run; the goroutine starts the loop again.
	b := ls.Base(0)
	b.LoopBreak()
	if err := b.Post(func() { done <- true }); err != nil {
		t.Fatal(err)
	}
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("loop 0 did not run after LoopBreak")
	}

	// Close from a loop goroutine is refused.
	errc := make(chan error, 1)
	b.Post(func() { errc <- ls.Close() })
	if err := <-errc; !errors.Is(err, ErrReentrant) {
		t.Errorf("Close from a loop = %v, want ErrReentrant", err)
	}
	if _, err := ls.Listen("tcp4", "127.0.0.1:0", func(*Base, int, netip.AddrPort) {}, ListenMode(7)); !errors.Is(err, ErrInvalid) {
		t.Errorf("bad mode: %v, want ErrInvalid", err)
	}
	if _, err := ls.Listen("unix", filepath.Join(t.TempDir(), "s"), func(*Base, int, netip.AddrPort) {}, ReusePort); !errors.Is(err, ErrUnsupported) {
		t.Errorf("ReusePort on unix: %v, want ErrUnsupported", err)
	}
	if err := ls.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := ls.Listen("tcp4", "127.0.0.1:0", func(*Base, int, netip.AddrPort) {}, HandOff); !errors.Is(err, ErrClosed) {
		t.Errorf("Listen after Close: %v, want ErrClosed", err)
	}
}

// Connections handed off but not yet delivered when Close runs are
// closed, not leaked; a LoopsListener closed early is not closed twice.
func TestLoopsCloseWithListener(t *testing.T) {
	if warm, err := net.Listen("tcp4", "127.0.0.1:0"); err == nil {
		warm.Close()
	}
	fds0 := loopsCountFDs(t)
	ls, err := NewLoops(2)
	if err != nil {
		t.Fatal(err)
	}
	var got atomic.Int32
	ll, err := ls.Listen("tcp4", "127.0.0.1:0", func(base *Base, fd int, _ netip.AddrPort) {
		got.Add(1)
		unix.Close(fd)
	}, HandOff)
	if err != nil {
		t.Fatal(err)
	}
	ll2, err := ls.Listen("tcp4", "127.0.0.1:0", func(base *Base, fd int, _ netip.AddrPort) { unix.Close(fd) }, HandOff)
	if err != nil {
		t.Fatal(err)
	}
	c, err := net.Dial("tcp4", ll.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	listenWaitFor(t, 10*time.Second, "accept", func() bool { return got.Load() == 1 })
	c.Close()
	if err := ll2.Close(); err != nil {
		t.Fatal(err)
	}
	// Queue a connection on loop 1 that no loop will run.
	ls.queues[1].mu.Lock()
	fds, err := unix.Socketpair(unix.AF_UNIX, unix.SOCK_STREAM, 0)
	if err != nil {
		t.Fatal(err)
	}
	unix.Close(fds[1])
	ls.queues[1].in = append(ls.queues[1].in, handOff{fd: fds[0], cb: func(*Base, int, netip.AddrPort) {}})
	ls.queues[1].mu.Unlock()
	// Loop 1 has no reason to run the queue: nothing scheduled it. Close
	// must close the fd.
	if err := ls.Close(); err != nil {
		t.Fatal(err)
	}
	listenWaitFor(t, 5*time.Second, "fds to close", func() bool { return loopsCountFDs(t) <= fds0 })
}

// Handing connections to other loops allocates nothing per connection:
// the queues' slices are reused.
func TestLoopsHandOffAllocs(t *testing.T) {
	if raceEnabled {
		t.Skip("the race detector allocates")
	}
	if runtime.GOOS != "linux" {
		t.Skip("accept4 without allocation is Linux's raw path")
	}
	const n = 64
	ls, err := NewLoops(2)
	if err != nil {
		t.Fatal(err)
	}
	defer ls.Close()
	var got atomic.Int32
	ll, err := ls.Listen("tcp4", "127.0.0.1:0", func(base *Base, fd int, _ netip.AddrPort) {
		unix.Close(fd)
		got.Add(1)
	}, HandOff, WithStartDisabled(), WithBacklog(4*n), WithAcceptBatch(n))
	if err != nil {
		t.Fatal(err)
	}
	ln := ll.Listeners()[0]
	sa := &unix.SockaddrInet4{Addr: [4]byte{127, 0, 0, 1}, Port: ll.Addr().(*net.TCPAddr).Port}
	clients := make([]int, 0, n)
	round := func() uint64 {
		clients = listenRawClients(t, sa, clients[:0])
		got.Store(0)
		var m0, m1 runtime.MemStats
		runtime.ReadMemStats(&m0)
		ln.Enable()
		for deadline := time.Now().Add(10 * time.Second); got.Load() < n; {
			if time.Now().After(deadline) {
				t.Fatalf("accepted %d of %d", got.Load(), n)
			}
			runtime.Gosched()
		}
		ln.Disable()
		runtime.ReadMemStats(&m1)
		clients = listenCloseAll(clients)
		return m1.Mallocs - m0.Mallocs
	}
	for i := 0; i < 3; i++ {
		round() // warm up the queues and the fd tables
	}
	allocs := round()
	t.Logf("%d allocations for %d handed-off connections", allocs, n)
	// Half of the connections go to loop 1. A Post closure per connection
	// would cost n/2; the queue costs nothing per connection (what shows
	// is per batch: see deferred.go's runDeferredLocked).
	if allocs >= n/2 {
		t.Errorf("%d allocations for %d connections: one per handed-off connection", allocs, n)
	}
}
