package core

import (
	"bufio"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/goevent/goevent/internal/netutil"
)

// listenForEachBackend runs fn once per available backend, as subtests.
func listenForEachBackend(t *testing.T, fn func(t *testing.T, b *Base)) {
	for _, name := range Backends() {
		t.Run(name, func(t *testing.T) {
			b, err := NewBase(WithBackend(name))
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { b.Close() })
			fn(t, b)
		})
	}
}

// listenRunLoop runs b's loop on a new goroutine until the test ends.
func listenRunLoop(t *testing.T, b *Base) {
	done := make(chan struct{})
	go func() {
		defer close(done)
		b.Loop(LoopNoExitOnEmpty)
	}()
	t.Cleanup(func() {
		b.Close()
		<-done
	})
}

// listenWaitFor polls cond until it holds or d passes.
func listenWaitFor(t *testing.T, d time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %v waiting for %s", d, what)
		}
		time.Sleep(time.Millisecond)
	}
}

// listenDriveUntil runs non-blocking loop passes on the calling goroutine
// until cond holds or d passes.
func listenDriveUntil(t *testing.T, b *Base, d time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %v waiting for %s", d, what)
		}
		if err := b.Loop(LoopNonblock); err != nil {
			t.Fatal(err)
		}
		if !cond() {
			time.Sleep(100 * time.Microsecond)
		}
	}
}

// listenDialAll opens n client connections and closes them when the test
// ends.
func listenDialAll(t *testing.T, network, addr string, n int) []net.Conn {
	t.Helper()
	conns := make([]net.Conn, 0, n)
	t.Cleanup(func() {
		for _, c := range conns {
			c.Close()
		}
	})
	for i := 0; i < n; i++ {
		c, err := net.DialTimeout(network, addr, 10*time.Second)
		if err != nil {
			t.Fatalf("dial %d: %v", i, err)
		}
		conns = append(conns, c)
	}
	return conns
}

// listenMaxBacklog is how many connections the kernel queues at most.
func listenMaxBacklog() int {
	if b, err := os.ReadFile("/proc/sys/net/core/somaxconn"); err == nil {
		if n, err := strconv.Atoi(strings.TrimSpace(string(b))); err == nil {
			return n
		}
	}
	return 128
}

func TestListenAcceptManyPerWake(t *testing.T) {
	n := 200
	if testing.Short() || raceEnabled {
		n = 100
	}
	n = min(n, listenMaxBacklog())
	for _, tc := range []struct {
		name  string
		batch int // 0: default
	}{{"default-batch", 0}, {"big-batch", 1000}} {
		t.Run(tc.name, func(t *testing.T) {
			listenForEachBackend(t, func(t *testing.T, b *Base) {
				for _, network := range []string{"tcp4", "unix"} {
					t.Run(network, func(t *testing.T) {
						testAcceptManyPerWake(t, b, network, n, tc.batch)
					})
				}
			})
		})
	}
}

func testAcceptManyPerWake(t *testing.T, b *Base, network string, n, batch int) {
	addr := "127.0.0.1:0"
	if network == "unix" {
		addr = filepath.Join(t.TempDir(), "s")
	}
	perPass := []int{0}
	total := 0
	peers := make(map[netip.AddrPort]bool)
	ln, err := Listen(b, network, addr, func(fd int, peer netip.AddrPort) {
		perPass[len(perPass)-1]++
		total++
		peers[peer] = true
		if err := unix.Close(fd); err != nil {
			t.Errorf("close accepted fd: %v", err)
		}
	}, WithBacklog(2*n), WithAcceptBatch(batch))
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	w := b.AddCheckWatcher(func() { perPass = append(perPass, 0) })
	defer w.Free()

	conns := listenDialAll(t, network, ln.Addr().String(), n)
	listenDriveUntil(t, b, 10*time.Second, "all accepts", func() bool { return total >= n })

	wakes := 0
	maxPass := 0
	for _, k := range perPass {
		if k > 0 {
			wakes++
			maxPass = max(maxPass, k)
		}
	}
	t.Logf("%s %s: %d accepts in %d wakes (most in one wake: %d)", b.Backend(), network, total, wakes, maxPass)
	if total != n {
		t.Fatalf("accepted %d, want %d", total, n)
	}
	limit := batch
	if limit == 0 {
		limit = DefaultAcceptBatch
	}
	if maxPass > limit {
		t.Errorf("one wake accepted %d, more than the batch of %d", maxPass, limit)
	}
	// All n were queued before the loop ran: a batch per wake, give or
	// take a straggler whose handshake finished late.
	if want := (n+limit-1)/limit + 2; wakes > want {
		t.Errorf("%d wakes for %d connections, want at most %d", wakes, n, want)
	}
	if maxPass != min(n, limit) {
		t.Errorf("largest wake accepted %d, want %d", maxPass, min(n, limit))
	}
	if network == "tcp4" {
		for _, c := range conns {
			want := c.LocalAddr().(*net.TCPAddr).AddrPort()
			if !peers[want] {
				t.Fatalf("peer %v not reported; got e.g. %v", want, peers)
			}
		}
	} else if !peers[netip.AddrPort{}] || len(peers) != 1 {
		t.Errorf("unix peers = %v, want only the zero AddrPort", peers)
	}
}

func TestListenIPv6(t *testing.T) {
	probe, err := net.Listen("tcp6", "[::1]:0")
	if err != nil {
		t.Skipf("no IPv6 loopback: %v", err)
	}
	probe.Close()
	listenForEachBackend(t, func(t *testing.T, b *Base) {
		listenRunLoop(t, b)
		got := make(chan netip.AddrPort, 4)
		accept := func(fd int, peer netip.AddrPort) {
			unix.Close(fd)
			got <- peer
		}
		ln, err := Listen(b, "tcp6", "[::1]:0", accept)
		if err != nil {
			t.Fatal(err)
		}
		defer ln.Close()
		c := listenDialAll(t, "tcp6", ln.Addr().String(), 1)[0]
		if p := <-got; p != c.LocalAddr().(*net.TCPAddr).AddrPort() {
			t.Errorf("peer %v, want %v", p, c.LocalAddr())
		}

		// A wildcard "tcp" listener is dual-stack unless WithIPv6Only.
		dual, err := Listen(b, "tcp", ":0", accept)
		if err != nil {
			t.Fatal(err)
		}
		defer dual.Close()
		port := dual.Addr().(*net.TCPAddr).Port
		listenDialAll(t, "tcp4", net.JoinHostPort("127.0.0.1", strconv.Itoa(port)), 1)
		if p := <-got; p.Addr().Unmap() != netip.MustParseAddr("127.0.0.1") {
			t.Errorf("dual-stack peer %v, want v4-mapped 127.0.0.1", p)
		}
		only, err := Listen(b, "tcp6", "[::]:0", accept, WithIPv6Only())
		if err != nil {
			t.Fatal(err)
		}
		defer only.Close()
		port = only.Addr().(*net.TCPAddr).Port
		if c, err := net.Dial("tcp4", net.JoinHostPort("127.0.0.1", strconv.Itoa(port))); err == nil {
			c.Close()
			t.Errorf("IPv4 connection to an IPv6-only listener succeeded")
		}
	})
}

func TestNewListenerTCP(t *testing.T) {
	listenForEachBackend(t, func(t *testing.T, b *Base) {
		listenRunLoop(t, b)
		var accepted atomic.Int32
		accept := func(fd int, peer netip.AddrPort) {
			accepted.Add(1)
			unix.Close(fd)
		}

		// The caller closes its listener first; ours keeps accepting.
		nl, err := net.Listen("tcp4", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		ln, err := NewListener(b, nl, accept)
		if err != nil {
			nl.Close()
			t.Fatal(err)
		}
		var nlFD int
		rc, _ := nl.(*net.TCPListener).SyscallConn()
		rc.Control(func(fd uintptr) { nlFD = int(fd) })
		if ln.FD() == nlFD {
			t.Fatalf("NewListener did not duplicate the fd (%d)", nlFD)
		}
		if fl, err := unix.FcntlInt(uintptr(ln.FD()), unix.F_GETFD, 0); err != nil || fl&unix.FD_CLOEXEC == 0 {
			t.Errorf("duplicate fd flags %#x, %v: want close-on-exec", fl, err)
		}
		if ln.Addr().String() != nl.Addr().String() {
			t.Errorf("Addr %v, want %v", ln.Addr(), nl.Addr())
		}
		addr := nl.Addr().String()
		if err := nl.Close(); err != nil {
			t.Fatal(err)
		}
		listenDialAll(t, "tcp4", addr, 3)
		listenWaitFor(t, 10*time.Second, "3 accepts", func() bool { return accepted.Load() == 3 })
		if err := ln.Close(); err != nil {
			t.Fatal(err)
		}
		// With poll or select, a loop asleep in poll(2) holds a kernel
		// reference to the socket until Close wakes it: the port is
		// released a moment after Close returns.
		listenWaitFor(t, 5*time.Second, "the port to be released", func() bool {
			c, err := net.Dial("tcp4", addr)
			if err == nil {
				c.Close()
			}
			return err != nil
		})

		// We close ours first; the caller's keeps working.
		nl, err = net.Listen("tcp4", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		defer nl.Close()
		ln, err = NewListener(b, nl, accept, WithStartDisabled())
		if err != nil {
			t.Fatal(err)
		}
		if err := ln.Close(); err != nil {
			t.Fatal(err)
		}
		go func() {
			if c, err := net.Dial("tcp4", nl.Addr().String()); err == nil {
				c.Close()
			}
		}()
		nl.(*net.TCPListener).SetDeadline(time.Now().Add(10 * time.Second))
		c, err := nl.Accept()
		if err != nil {
			t.Fatalf("caller's listener after our Close: %v", err)
		}
		c.Close()
	})
}

func TestNewListenerUnix(t *testing.T) {
	b, err := NewBase()
	if err != nil {
		t.Fatal(err)
	}
	listenRunLoop(t, b)
	path := filepath.Join(t.TempDir(), "s")
	nl, err := net.Listen("unix", path)
	if err != nil {
		t.Fatal(err)
	}
	defer nl.Close()
	got := make(chan netip.AddrPort, 1)
	ln, err := NewListener(b, nl, func(fd int, peer netip.AddrPort) {
		unix.Close(fd)
		got <- peer
	})
	if err != nil {
		t.Fatal(err)
	}
	listenDialAll(t, "unix", path, 1)
	if p := <-got; p.IsValid() {
		t.Errorf("unix peer %v, want zero", p)
	}
	if err := ln.Close(); err != nil {
		t.Fatal(err)
	}
	// Our Close leaves the caller's socket file alone.
	if _, err := os.Lstat(path); err != nil {
		t.Errorf("socket file gone after NewListener's Close: %v", err)
	}

	if _, err := NewListener(b, listenNoSyscallConn{}, func(int, netip.AddrPort) {}); !errors.Is(err, ErrInvalid) {
		t.Errorf("NewListener(no SyscallConn) = %v, want ErrInvalid", err)
	}
}

// listenNoSyscallConn is a net.Listener without a file descriptor.
type listenNoSyscallConn struct{}

func (listenNoSyscallConn) Accept() (net.Conn, error) { return nil, errors.New("no") }
func (listenNoSyscallConn) Close() error              { return nil }
func (listenNoSyscallConn) Addr() net.Addr            { return &net.TCPAddr{} }

func TestListenerDisableEnable(t *testing.T) {
	listenForEachBackend(t, func(t *testing.T, b *Base) {
		total := 0
		ln, err := Listen(b, "tcp4", "127.0.0.1:0", func(fd int, _ netip.AddrPort) {
			total++
			unix.Close(fd)
		}, WithStartDisabled())
		if err != nil {
			t.Fatal(err)
		}
		defer ln.Close()
		addr := ln.Addr().String()
		listenDialAll(t, "tcp4", addr, 2)
		// Disabled from the start: nothing is accepted.
		for deadline := time.Now().Add(50 * time.Millisecond); time.Now().Before(deadline); {
			b.Loop(LoopNonblock)
			time.Sleep(time.Millisecond)
		}
		if total != 0 {
			t.Fatalf("accepted %d while disabled", total)
		}
		if err := ln.Enable(); err != nil {
			t.Fatal(err)
		}
		listenDriveUntil(t, b, 10*time.Second, "2 accepts", func() bool { return total == 2 })

		// Disable from inside the callback stops the batch.
		ln.Close()
		total = 0
		ln, err = Listen(b, "tcp4", "127.0.0.1:0", nil)
		if !errors.Is(err, ErrInvalid) {
			t.Fatalf("Listen(nil callback) = %v, want ErrInvalid", err)
		}
		var ln2 *Listener
		ln2, err = Listen(b, "tcp4", "127.0.0.1:0", func(fd int, _ netip.AddrPort) {
			total++
			unix.Close(fd)
			if err := ln2.Disable(); err != nil {
				t.Error(err)
			}
		})
		if err != nil {
			t.Fatal(err)
		}
		defer ln2.Close()
		listenDialAll(t, "tcp4", ln2.Addr().String(), 5)
		listenDriveUntil(t, b, 10*time.Second, "first accept", func() bool { return total >= 1 })
		for i := 0; i < 20; i++ {
			b.Loop(LoopNonblock)
			time.Sleep(time.Millisecond)
		}
		if total != 1 {
			t.Fatalf("accepted %d after Disable in the callback, want 1", total)
		}
		if err := ln2.Enable(); err != nil {
			t.Fatal(err)
		}
		listenDriveUntil(t, b, 10*time.Second, "the other accepts", func() bool { return total >= 2 })
		ln2.Close()
		if err := ln2.Enable(); !errors.Is(err, ErrListenerClosed) {
			t.Errorf("Enable after Close = %v, want ErrListenerClosed", err)
		}
		if err := ln2.Disable(); !errors.Is(err, ErrListenerClosed) {
			t.Errorf("Disable after Close = %v, want ErrListenerClosed", err)
		}
		if err := ln2.Close(); err != nil {
			t.Errorf("second Close = %v", err)
		}
	})
}

func TestListenerCloseInCallback(t *testing.T) {
	listenForEachBackend(t, func(t *testing.T, b *Base) {
		for _, network := range []string{"tcp4", "unix"} {
			t.Run(network, func(t *testing.T) {
				addr := "127.0.0.1:0"
				if network == "unix" {
					addr = filepath.Join(t.TempDir(), "s")
				}
				total := 0
				var ln *Listener
				ln, err := Listen(b, network, addr, func(fd int, _ netip.AddrPort) {
					total++
					unix.Close(fd)
					if err := ln.Close(); err != nil {
						t.Errorf("Close in callback: %v", err)
					}
				})
				if err != nil {
					t.Fatal(err)
				}
				addr = ln.Addr().String()
				listenDialAll(t, network, addr, 10)
				listenDriveUntil(t, b, 10*time.Second, "first accept", func() bool { return total >= 1 })
				for i := 0; i < 20; i++ {
					b.Loop(LoopNonblock)
				}
				if total != 1 {
					t.Fatalf("accepted %d after Close in the callback, want 1", total)
				}
				if added, _ := b.NumEvents(); added != 0 {
					t.Errorf("%d events still added after Close", added)
				}
				if c, err := net.Dial(network, addr); err == nil {
					c.Close()
					t.Errorf("dial succeeded after Close")
				}
				if network == "unix" {
					if _, err := os.Lstat(addr); !os.IsNotExist(err) {
						t.Errorf("socket file after Close: %v", err)
					}
				}
			})
		}
	})
}

// Close from another goroutine returns only after a running callback has
// finished, and no callback starts afterwards.
func TestListenerCloseWaitsForCallback(t *testing.T) {
	b, err := NewBase()
	if err != nil {
		t.Fatal(err)
	}
	listenRunLoop(t, b)
	entered := make(chan struct{}, 1)
	release := make(chan struct{})
	var running, after atomic.Bool
	var closed atomic.Bool
	ln, err := Listen(b, "tcp4", "127.0.0.1:0", func(fd int, _ netip.AddrPort) {
		unix.Close(fd)
		if closed.Load() {
			after.Store(true)
		}
		running.Store(true)
		select {
		case entered <- struct{}{}:
		default:
		}
		<-release
		running.Store(false)
	})
	if err != nil {
		t.Fatal(err)
	}
	listenDialAll(t, "tcp4", ln.Addr().String(), 3)
	<-entered
	go func() {
		time.Sleep(20 * time.Millisecond)
		close(release)
	}()
	if err := ln.Close(); err != nil {
		t.Fatal(err)
	}
	closed.Store(true)
	if running.Load() {
		t.Fatal("Close returned while the callback was running")
	}
	time.Sleep(20 * time.Millisecond)
	if after.Load() {
		t.Fatal("a callback started after Close returned")
	}
}

func TestListenerErrorCallback(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("shutdown(2) of a listening socket makes accept fail with EINVAL on Linux only")
	}
	listenForEachBackend(t, func(t *testing.T, b *Base) {
		var errs []error
		ln, err := Listen(b, "tcp4", "127.0.0.1:0", func(fd int, _ netip.AddrPort) { unix.Close(fd) })
		if err != nil {
			t.Fatal(err)
		}
		defer ln.Close()
		ln.SetErrorCallback(func(err error) { errs = append(errs, err) })
		// The socket stays readable but every accept fails.
		if err := unix.Shutdown(ln.FD(), unix.SHUT_RD); err != nil {
			t.Fatal(err)
		}
		b.LoopExit(300 * time.Millisecond)
		if err := b.Loop(LoopNoExitOnEmpty); err != nil {
			t.Fatal(err)
		}
		if len(errs) == 0 {
			t.Fatal("error callback not called")
		}
		// Pauses of 10, 20, 40, 80, 160ms: a handful of tries, no spin.
		if len(errs) > 10 {
			t.Errorf("%d failed accepts in 300ms: the listener spins", len(errs))
		}
		var ae *AcceptError
		if !errors.As(errs[0], &ae) || !errors.Is(errs[0], unix.EINVAL) || ae.Backoff != acceptBackoffMin {
			t.Errorf("first error %#v, want *AcceptError for EINVAL with backoff %v", errs[0], acceptBackoffMin)
		}
		if len(errs) > 1 {
			if !errors.As(errs[1], &ae) || ae.Backoff != 2*acceptBackoffMin {
				t.Errorf("second error %v, want backoff %v", errs[1], 2*acceptBackoffMin)
			}
		}
		t.Logf("%d errors, last: %v", len(errs), errs[len(errs)-1])

		// Closing from the error callback stops it.
		errs = errs[:0]
		ln.SetErrorCallback(func(err error) {
			errs = append(errs, err)
			ln.Close()
		})
		ln.Disable()
		ln.Enable()
		b.LoopExit(100 * time.Millisecond)
		b.Loop(LoopNoExitOnEmpty)
		if len(errs) != 1 {
			t.Errorf("%d errors after Close in the error callback, want 1", len(errs))
		}
		if added, _ := b.NumEvents(); added != 0 {
			t.Errorf("%d events still added after Close", added)
		}
	})
}

func TestListenUnixSocketFile(t *testing.T) {
	b, err := NewBase()
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	dir := t.TempDir()
	nop := func(fd int, _ netip.AddrPort) { unix.Close(fd) }

	// A stale socket: bound, then its process "died" without unlinking.
	stale := filepath.Join(dir, "stale")
	fd, err := unix.Socket(unix.AF_UNIX, unix.SOCK_STREAM, 0)
	if err != nil {
		t.Fatal(err)
	}
	if err := unix.Bind(fd, &unix.SockaddrUnix{Name: stale}); err != nil {
		t.Fatal(err)
	}
	unix.Close(fd)
	ln, err := Listen(b, "unix", stale, nop)
	if err != nil {
		t.Fatalf("Listen over a stale socket: %v", err)
	}
	if ln.Addr().Network() != "unix" || ln.Addr().String() != stale {
		t.Errorf("Addr = %v %v", ln.Addr().Network(), ln.Addr())
	}

	// A live socket is left alone.
	if _, err := Listen(b, "unix", stale, nop); !errors.Is(err, unix.EADDRINUSE) {
		t.Errorf("Listen over a live socket = %v, want EADDRINUSE", err)
	}
	if err := ln.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Lstat(stale); !os.IsNotExist(err) {
		t.Errorf("socket file after Close: %v", err)
	}

	// A regular file is never removed.
	regular := filepath.Join(dir, "regular")
	if err := os.WriteFile(regular, []byte("keep"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := Listen(b, "unix", regular, nop); !errors.Is(err, unix.EADDRINUSE) {
		t.Errorf("Listen over a regular file = %v, want EADDRINUSE", err)
	}
	if data, err := os.ReadFile(regular); err != nil || string(data) != "keep" {
		t.Errorf("regular file damaged: %q, %v", data, err)
	}

	// Close does not remove a file that replaced our socket.
	replaced := filepath.Join(dir, "replaced")
	ln, err = Listen(b, "unix", replaced, nop)
	if err != nil {
		t.Fatal(err)
	}
	os.Remove(replaced)
	if err := os.WriteFile(replaced, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	ln.Close()
	if _, err := os.Lstat(replaced); err != nil {
		t.Errorf("Close removed a file that was not its socket: %v", err)
	}
}

func TestListenErrors(t *testing.T) {
	b, err := NewBase()
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	nop := func(fd int, _ netip.AddrPort) { unix.Close(fd) }
	if _, err := Listen(b, "udp", "127.0.0.1:0", nop); !errors.Is(err, ErrInvalid) {
		t.Errorf("udp: %v, want ErrInvalid", err)
	}
	if _, err := Listen(b, "tcp4", "127.0.0.1", nop); err == nil {
		t.Error("missing port: no error")
	}
	if _, err := Listen(b, "tcp6", "127.0.0.1:0", nop); err == nil {
		t.Error("tcp6 with an IPv4 address: no error")
	}
	if _, err := Listen(b, "unix", filepath.Join(t.TempDir(), "s"), nop, WithReusePort()); !errors.Is(err, ErrUnsupported) {
		t.Errorf("unix with ReusePort: %v, want ErrUnsupported", err)
	}
	ln, err := Listen(b, "tcp4", "127.0.0.1:0", nop)
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	_, err = Listen(b, "tcp4", ln.Addr().String(), nop)
	var oe *net.OpError
	if !errors.Is(err, unix.EADDRINUSE) || !errors.As(err, &oe) {
		t.Errorf("port in use: %v, want a *net.OpError for EADDRINUSE", err)
	}
	if fl, err := unix.FcntlInt(uintptr(ln.FD()), unix.F_GETFL, 0); err != nil || fl&unix.O_NONBLOCK == 0 {
		t.Errorf("listening socket flags %#x, %v: want non-blocking", fl, err)
	}
	if fl, err := unix.FcntlInt(uintptr(ln.FD()), unix.F_GETFD, 0); err != nil || fl&unix.FD_CLOEXEC == 0 {
		t.Errorf("listening socket fd flags %#x, %v: want close-on-exec", fl, err)
	}
	if v, err := unix.GetsockoptInt(ln.FD(), unix.SOL_SOCKET, unix.SO_REUSEADDR); err != nil || v == 0 {
		t.Errorf("SO_REUSEADDR = %d, %v: want set", v, err)
	}
	if ln.Base() != b {
		t.Error("Base() is not the Base")
	}
}

// The accepted fd is non-blocking and close-on-exec.
func TestListenAcceptedFDFlags(t *testing.T) {
	b, err := NewBase()
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	var fl, fdfl int
	var ferr error
	done := false
	ln, err := Listen(b, "tcp4", "127.0.0.1:0", func(fd int, _ netip.AddrPort) {
		fl, ferr = unix.FcntlInt(uintptr(fd), unix.F_GETFL, 0)
		if ferr == nil {
			fdfl, ferr = unix.FcntlInt(uintptr(fd), unix.F_GETFD, 0)
		}
		unix.Close(fd)
		done = true
	})
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	listenDialAll(t, "tcp4", ln.Addr().String(), 1)
	listenDriveUntil(t, b, 10*time.Second, "accept", func() bool { return done })
	if ferr != nil || fl&unix.O_NONBLOCK == 0 || fdfl&unix.FD_CLOEXEC == 0 {
		t.Errorf("accepted fd: flags %#x fd flags %#x err %v; want O_NONBLOCK and FD_CLOEXEC", fl, fdfl, ferr)
	}
}

// listenRawClients connects n blocking client sockets to the IPv4 address
// sa with raw system calls, so that they cost no Go allocation.
func listenRawClients(tb testing.TB, sa *unix.SockaddrInet4, fds []int) []int {
	for i := 0; i < cap(fds); i++ {
		fd, err := netutil.Socket(unix.AF_INET, unix.SOCK_STREAM, 0)
		if err != nil {
			tb.Fatal(err)
		}
		if err := unix.SetNonblock(fd, false); err != nil {
			tb.Fatal(err)
		}
		if err := unix.Connect(fd, sa); err != nil {
			tb.Fatal(err)
		}
		fds = append(fds, fd)
	}
	return fds
}

func listenCloseAll(fds []int) []int {
	for _, fd := range fds {
		unix.Close(fd)
	}
	return fds[:0]
}

// listenAcceptSetup makes a Listener whose callback closes each fd, for
// the allocation test and the benchmark.
func listenAcceptSetup(tb testing.TB, batch int) (*Base, *Listener, *unix.SockaddrInet4, *int) {
	b, err := NewBase()
	if err != nil {
		tb.Fatal(err)
	}
	accepted := new(int)
	ln, err := Listen(b, "tcp4", "127.0.0.1:0", func(fd int, _ netip.AddrPort) {
		*accepted++
		unix.Close(fd)
	}, WithBacklog(4*batch), WithAcceptBatch(batch))
	if err != nil {
		b.Close()
		tb.Fatal(err)
	}
	sa := &unix.SockaddrInet4{Addr: [4]byte{127, 0, 0, 1}, Port: ln.Addr().(*net.TCPAddr).Port}
	return b, ln, sa, accepted
}

// listenAcceptBatch runs loop passes until want connections are accepted.
func listenAcceptBatch(tb testing.TB, b *Base, accepted *int, want int) {
	for i := 0; *accepted < want; i++ {
		if i > 1e6 {
			tb.Fatalf("accepted %d of %d", *accepted, want)
		}
		if err := b.Loop(LoopNonblock); err != nil {
			tb.Fatal(err)
		}
	}
}

func TestListenerAcceptAllocs(t *testing.T) {
	if raceEnabled {
		t.Skip("the race detector allocates")
	}
	if runtime.GOOS != "linux" {
		t.Skip("accept4 without allocation is Linux's raw path")
	}
	const n = 64
	b, ln, sa, accepted := listenAcceptSetup(t, n)
	defer b.Close()
	defer ln.Close()
	clients := make([]int, 0, n)
	// Warm up: grow the fd table and the backend's buffers.
	clients = listenRawClients(t, sa, clients)
	listenAcceptBatch(t, b, accepted, n)
	clients = listenCloseAll(clients)

	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(1))
	clients = listenRawClients(t, sa, clients)
	defer listenCloseAll(clients)
	*accepted = 0
	var m0, m1 runtime.MemStats
	runtime.ReadMemStats(&m0)
	listenAcceptBatch(t, b, accepted, n)
	runtime.ReadMemStats(&m1)
	allocs := m1.Mallocs - m0.Mallocs
	t.Logf("%d allocations for %d accepts (%.3f per accept)", allocs, n, float64(allocs)/n)
	if allocs != 0 {
		t.Errorf("accept path allocated %d times for %d connections, want 0", allocs, n)
	}
}

func BenchmarkListenerAccept(b *testing.B) {
	const batch = 64
	base, ln, sa, accepted := listenAcceptSetup(b, batch)
	defer base.Close()
	defer ln.Close()
	clients := make([]int, 0, batch)
	b.ReportAllocs()
	b.ResetTimer()
	for done := 0; done < b.N; done += batch {
		b.StopTimer()
		clients = listenCloseAll(clients)
		clients = listenRawClients(b, sa, clients[:0:min(batch, b.N-done)])
		*accepted = 0
		b.StartTimer()
		listenAcceptBatch(b, base, accepted, len(clients))
	}
	b.StopTimer()
	listenCloseAll(clients)
}

// listenEMFILEChildEnv makes the test binary act as the child process of
// TestListenerBackoffEMFILE.
const listenEMFILEChildEnv = "GOEVENT_TEST_LISTEN_EMFILE_CHILD"

// TestListenerBackoffEMFILE runs a Listener in a child process whose fd
// limit is a few fds above what it has open, while this process connects
// more clients than that (so the clients' fds do not count against the
// limit). The child must pause rather than spin while accept fails with
// EMFILE, then accept the rest by itself once it closes its fds.
func TestListenerBackoffEMFILE(t *testing.T) {
	if os.Getenv(listenEMFILEChildEnv) != "" {
		listenEMFILEChild(t)
		return
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestListenerBackoffEMFILE$", "-test.count=1", "-test.v", "-test.timeout=60s")
	cmd.Env = append(os.Environ(), listenEMFILEChildEnv+"=1")
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	var output strings.Builder
	sc := bufio.NewScanner(stdout)
	var addr string
	var slots int
	for sc.Scan() {
		line := sc.Text()
		fmt.Fprintln(&output, line)
		if _, err := fmt.Sscanf(line, "LISTEN %s %d", &addr, &slots); err == nil {
			break
		}
	}
	if addr == "" {
		cmd.Wait()
		t.Fatalf("child did not report its address:\n%s%s", output.String(), stderr.String())
	}
	n := slots + 12
	listenDialAll(t, "tcp4", addr, n)
	fmt.Fprintf(stdin, "GO %d\n", n)
	for sc.Scan() {
		fmt.Fprintln(&output, sc.Text())
	}
	if err := cmd.Wait(); err != nil {
		t.Fatalf("child: %v\n%s%s", err, output.String(), stderr.String())
	}
	for _, line := range strings.Split(output.String(), "\n") {
		if strings.HasPrefix(line, "RESULT") {
			t.Log(line)
		}
	}
}

// listenRlimit converts n to the type of an Rlimit field (int64 on
// FreeBSD, uint64 elsewhere).
func listenRlimit[T ~int64 | ~uint64](_ T, n int) T { return T(n) }

func listenEMFILEChild(t *testing.T) {
	b, err := NewBase()
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	var kept []int
	total, want := 0, -1
	closeNow := false
	ln, err := Listen(b, "tcp4", "127.0.0.1:0", func(fd int, _ netip.AddrPort) {
		total++
		if closeNow {
			unix.Close(fd)
		} else {
			kept = append(kept, fd)
		}
		if total == want {
			b.LoopBreak()
		}
	}, WithBacklog(256))
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	var errs []error
	ln.SetErrorCallback(func(err error) { errs = append(errs, err) })

	// Make the runtime open what it opens lazily (the netpoller) before
	// measuring. Then set the limit so that exactly slots fd numbers are
	// free below it (fds inherited from outside may leave holes).
	if r, w, err := os.Pipe(); err == nil {
		r.Close()
		w.Close()
	}
	kept = make([]int, 0, 64)
	const slots = 8
	limit, free := 0, 0
	for ; free < slots; limit++ {
		if _, err := unix.FcntlInt(uintptr(limit), unix.F_GETFD, 0); err == unix.EBADF {
			free++
		}
	}
	var orig unix.Rlimit
	if err := unix.Getrlimit(unix.RLIMIT_NOFILE, &orig); err != nil {
		t.Fatal(err)
	}
	lim := orig
	lim.Cur = listenRlimit(lim.Cur, limit)
	if err := unix.Setrlimit(unix.RLIMIT_NOFILE, &lim); err != nil {
		t.Fatal(err)
	}
	defer unix.Setrlimit(unix.RLIMIT_NOFILE, &orig)
	fmt.Printf("LISTEN %s %d\n", ln.Addr(), slots)
	line, err := bufio.NewReader(os.Stdin).ReadString('\n')
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	if _, err := fmt.Sscanf(line, "GO %d", &n); err != nil {
		t.Fatal(err)
	}

	// Phase 1: the fds run out. The loop must sleep, not spin.
	const window = 500 * time.Millisecond
	var ru0, ru1 unix.Rusage
	unix.Getrusage(unix.RUSAGE_SELF, &ru0)
	start := time.Now()
	b.LoopExit(window)
	if err := b.Loop(LoopNoExitOnEmpty); err != nil {
		t.Fatal(err)
	}
	unix.Getrusage(unix.RUSAGE_SELF, &ru1)
	cpu := time.Duration(ru1.Utime.Nano() + ru1.Stime.Nano() - ru0.Utime.Nano() - ru0.Stime.Nano())
	fmt.Printf("RESULT phase 1: %d accepted, %d failed accepts, %v CPU in %v\n",
		total, len(errs), cpu, time.Since(start).Round(time.Millisecond))
	if total == 0 || total > slots {
		t.Errorf("accepted %d before running out, want 1 to %d", total, slots)
	}
	if len(errs) == 0 {
		t.Fatal("no accept error reported")
	}
	if !errors.Is(errs[0], unix.EMFILE) {
		t.Errorf("accept error %v, want EMFILE", errs[0])
	}
	// Backoff: 10+20+40+80+160+320ms covers the window in 6 tries.
	if len(errs) > 20 {
		t.Errorf("%d failed accepts in %v: no backoff", len(errs), window)
	}
	if cpu > 200*time.Millisecond {
		t.Errorf("%v CPU in %v while out of fds: busy loop", cpu, window)
	}

	// Phase 2: free the fds; the listener resumes by itself.
	closeNow = true
	kept = listenCloseAll(kept)
	want = n
	start = time.Now()
	b.LoopExit(10 * time.Second)
	if err := b.Loop(LoopNoExitOnEmpty); err != nil {
		t.Fatal(err)
	}
	fmt.Printf("RESULT phase 2: %d of %d accepted %v after the fds were freed, %d failed accepts in all\n",
		total, n, time.Since(start).Round(time.Millisecond), len(errs))
	if total != n {
		t.Errorf("accepted %d of %d after freeing fds", total, n)
	}
}
