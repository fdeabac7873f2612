package bufferevent

import (
	"bytes"
	"errors"
	"net"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/goevent/goevent/core"
	"github.com/goevent/goevent/internal/looptest"
	"golang.org/x/sys/unix"
)

// echoServer listens on loopback and echoes every connection with a
// socket BufferEvent.
func echoServer(t *testing.T, base *core.Base) netip.AddrPort {
	t.Helper()
	ln, err := core.Listen(base, "tcp4", "127.0.0.1:0", func(fd int, _ netip.AddrPort) {
		bev, err := NewSocket(base, fd, CloseOnFree)
		if err != nil {
			unix.Close(fd)
			return
		}
		bev.SetCallbacks(func(bev *BufferEvent) {
			bev.Output().AddBuffer(bev.Input())
		}, nil, func(bev *BufferEvent, what What, err error) {
			bev.Free()
		})
		bev.Enable(Read | Write)
	})
	if err != nil {
		t.Fatalf("Listen: %v", err)
	}
	t.Cleanup(func() { ln.Close() })
	return ln.Addr().(*net.TCPAddr).AddrPort()
}

func TestSocketEchoConnect(t *testing.T) {
	forEachBackend(t, func(t *testing.T, base *core.Base) {
		addr := echoServer(t, base)
		bev := mustSocket(t, base, -1, CloseOnFree)
		msg := strings.Repeat("hello, loop ", 10000) // 120 KB: several reads and writes
		var got bytes.Buffer
		var events []What
		bev.SetCallbacks(func(bev *BufferEvent) {
			bev.Input().WriteTo(&got)
			if got.Len() >= len(msg) {
				bev.Free()
				base.LoopBreak()
			}
		}, nil, func(bev *BufferEvent, what What, err error) {
			events = append(events, what)
			if what != Connected {
				t.Errorf("event %v: %v", what, err)
				base.LoopBreak()
			}
		})
		if err := bev.Connect(addr); err != nil {
			t.Fatalf("Connect: %v", err)
		}
		bev.Output().AddString(msg) // queued while connecting
		bev.Enable(Read)
		run(t, base)
		if got.String() != msg {
			t.Fatalf("echo: got %d bytes, want %d", got.Len(), len(msg))
		}
		if len(events) != 1 || events[0] != Connected {
			t.Fatalf("events = %v, want [Connected]", events)
		}
	})
}

func TestSocketEOFAndError(t *testing.T) {
	forEachBackend(t, func(t *testing.T, base *core.Base) {
		fds := socketpair(t)
		bev := mustSocket(t, base, fds[0], 0)
		var what What
		var data string
		bev.SetCallbacks(func(bev *BufferEvent) {
			data += takeAll(bev.Input())
		}, nil, func(bev *BufferEvent, w What, err error) {
			what = w
			if err != nil {
				t.Errorf("EOF with error %v", err)
			}
			base.LoopBreak()
		})
		bev.Enable(Read)
		looptest.WriteString(t, fds[1], "bye")
		looptest.CloseEarly(fds, 1)
		run(t, base)
		if data != "bye" || what != EOF|Reading {
			t.Fatalf("data %q event %v, want \"bye\" and Reading|EOF", data, what)
		}
		if bev.Enabled()&Read != 0 {
			t.Error("reading still enabled after EOF")
		}
		bev.Free()
		// Without CloseOnFree the fd stays open.
		if _, err := unix.FcntlInt(uintptr(fds[0]), unix.F_GETFD, 0); err != nil {
			t.Errorf("fd closed without CloseOnFree: %v", err)
		}
	})
}

func TestSocketWriteError(t *testing.T) {
	forEachBackend(t, func(t *testing.T, base *core.Base) {
		fds := socketpair(t)
		bev := mustSocket(t, base, fds[0], CloseOnFree)
		looptest.CloseEarly(fds, 1)
		var what What
		var gotErr error
		bev.SetCallbacks(nil, nil, func(bev *BufferEvent, w What, err error) {
			what, gotErr = w, err
			bev.Free()
			base.LoopBreak()
		})
		bev.Output().AddString("into the void")
		run(t, base)
		if what != Error|Writing || !errors.Is(gotErr, unix.EPIPE) && !errors.Is(gotErr, unix.ECONNRESET) {
			t.Fatalf("event %v err %v, want Writing|Error with EPIPE", what, gotErr)
		}
		fds[0] = -1 // closed by CloseOnFree
		if _, err := unix.FcntlInt(uintptr(bev.FD()), unix.F_GETFD, 0); bev.FD() != -1 && err == nil {
			t.Error("fd left open")
		}
	})
}

func TestConnectRefused(t *testing.T) {
	forEachBackend(t, func(t *testing.T, base *core.Base) {
		// A port nobody listens on: bind one, never listen.
		s, err := unix.Socket(unix.AF_INET, unix.SOCK_STREAM, 0)
		if err != nil {
			t.Fatal(err)
		}
		defer unix.Close(s)
		if err := unix.Bind(s, &unix.SockaddrInet4{Addr: [4]byte{127, 0, 0, 1}}); err != nil {
			t.Fatal(err)
		}
		sa, _ := unix.Getsockname(s)
		port := sa.(*unix.SockaddrInet4).Port
		for _, opts := range []Options{0, DeferCallbacks} {
			bev := mustSocket(t, base, -1, 0)
			inConnect := true
			var what What
			var gotErr error
			bev.SetCallbacks(nil, nil, func(bev *BufferEvent, w What, err error) {
				if inConnect {
					t.Error("event callback ran inside Connect")
				}
				what, gotErr = w, err
				bev.Free()
				base.LoopBreak()
			})
			if err := bev.Connect(netip.AddrPortFrom(netip.MustParseAddr("127.0.0.1"), uint16(port))); err != nil {
				t.Fatalf("Connect: %v", err)
			}
			inConnect = false
			run(t, base)
			if what&Error == 0 || !errors.Is(gotErr, unix.ECONNREFUSED) {
				t.Fatalf("opts %v: event %v err %v, want Error with ECONNREFUSED", opts, what, gotErr)
			}
		}
	})
}

func TestConnectUnix(t *testing.T) {
	base := newBase(t)
	path := t.TempDir() + "/s"
	var server *BufferEvent
	ln, err := core.Listen(base, "unix", path, func(fd int, _ netip.AddrPort) {
		server = mustSocket(t, base, fd, CloseOnFree)
		server.SetCallbacks(func(bev *BufferEvent) {
			if takeAll(bev.Input()) == "ping" {
				bev.Free()
				base.LoopBreak()
			}
		}, nil, nil)
		server.Enable(Read)
	})
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	bev := mustSocket(t, base, -1, 0)
	connected := false
	bev.SetCallbacks(nil, nil, func(bev *BufferEvent, w What, err error) {
		connected = w == Connected
	})
	if err := bev.ConnectUnix(path); err != nil {
		t.Fatal(err)
	}
	bev.Write([]byte("ping"))
	run(t, base)
	if !connected {
		t.Error("no Connected event")
	}
	bev.Free()
}

// TestReadHighWatermark proves that a full Input stops reading: the rest
// stays in the kernel socket buffer until the reader drains Input.
func TestReadHighWatermark(t *testing.T) {
	forEachBackend(t, func(t *testing.T, base *core.Base) {
		fds := socketpair(t)
		const high, total = 4096, 64 << 10
		bev := mustSocket(t, base, fds[0], 0)
		bev.SetWatermark(Read, 0, high)
		looptest.WriteString(t, fds[1], strings.Repeat("x", total))
		var got int
		var stalls int
		bev.SetCallbacks(func(bev *BufferEvent) {
			if bev.Input().Len() > high {
				t.Fatalf("Input holds %d > high watermark %d", bev.Input().Len(), high)
			}
			// Let the loop run a few passes with Input full before draining.
			base.Once(-1, 0, time.Millisecond, func(int, core.Flags) {
				inq, err := kernelQueued(fds[0])
				if err != nil {
					t.Fatalf("SIOCINQ: %v", err)
				}
				if want := total - got - bev.Input().Len(); inq != want {
					t.Errorf("kernel holds %d bytes, want %d", inq, want)
				}
				if inq > 0 {
					stalls++
				}
				got += bev.Input().Len()
				bev.Input().Drain(bev.Input().Len())
				if got == total {
					base.LoopBreak()
				}
			})
		}, nil, nil)
		bev.Enable(Read)
		run(t, base)
		if stalls == 0 {
			t.Error("reading never paused")
		}
		bev.Free()
	})
}

func TestReadLowWatermark(t *testing.T) {
	base := newBase(t)
	fds := socketpair(t)
	bev := mustSocket(t, base, fds[0], 0)
	bev.SetWatermark(Read, 10, 0)
	calls := 0
	bev.SetCallbacks(func(bev *BufferEvent) {
		calls++
		if n := bev.Input().Len(); n < 10 {
			t.Errorf("read callback with %d < 10 bytes", n)
		}
		base.LoopBreak()
	}, nil, nil)
	bev.Enable(Read)
	looptest.WriteString(t, fds[1], "12345")
	base.Loop(core.LoopNonblock)
	base.Loop(core.LoopNonblock)
	if calls != 0 {
		t.Fatal("read callback below the low watermark")
	}
	looptest.WriteString(t, fds[1], "67890")
	run(t, base)
	if calls != 1 {
		t.Fatalf("calls = %d", calls)
	}
	bev.Free()
}

func TestWriteLowWatermark(t *testing.T) {
	base := newBase(t)
	fds := socketpair(t)
	bev := mustSocket(t, base, fds[0], 0)
	bev.SetWatermark(Write, 100, 0)
	var at int = -1
	bev.SetCallbacks(nil, func(bev *BufferEvent) {
		at = bev.Output().Len()
		base.LoopBreak()
	}, nil)
	bev.Output().AddString("short")
	run(t, base)
	if at < 0 || at > 100 {
		t.Fatalf("write callback with %d bytes queued", at)
	}
	bev.Free()
}

func TestSocketTimeouts(t *testing.T) {
	forEachBackend(t, func(t *testing.T, base *core.Base) {
		fds := socketpair(t)
		bev := mustSocket(t, base, fds[0], 0)
		// d leaves the writer (a timer every d/3 on the same loop) room for
		// a scheduling stall of a loaded machine before a read is due.
		const d = 150 * time.Millisecond
		var events []What
		var reads int
		var start time.Time
		var fired, lastRead time.Duration
		bev.SetCallbacks(func(bev *BufferEvent) {
			reads++
			lastRead = time.Since(start)
			bev.Input().Drain(bev.Input().Len())
		}, nil, func(bev *BufferEvent, w What, err error) {
			events = append(events, w)
			fired = time.Since(start)
			// Wait several timeouts more: it must not fire again.
			base.LoopExit(4 * d)
		})
		bev.SetTimeouts(d, 0)
		bev.Enable(Read)
		start = time.Now()
		// Progress resets the timeout: a byte every d/3 for 3d.
		n := 0
		var tick func(int, core.Flags)
		tick = func(int, core.Flags) {
			looptest.WriteString(t, fds[1], "x")
			if n++; n < 9 {
				base.Once(-1, 0, d/3, tick)
			}
		}
		base.Once(-1, 0, d/3, tick)
		run(t, base)
		if len(events) != 1 || events[0] != Timeout|Reading {
			t.Fatalf("events = %v, want [Reading|Timeout]", events)
		}
		// Each read pushes the deadline d past it: the timeout cannot
		// come sooner than d after the last read. (A loaded machine can
		// stall the writer for more than d, so when it fires relative to
		// start is not asserted.) The clock is read after the loop wakes,
		// so allow it a millisecond of coarseness.
		if fired < lastRead+d-time.Millisecond {
			t.Errorf("timeout %v after the last read (at %v), want at least %v", fired-lastRead, lastRead, d)
		}
		if bev.Enabled()&Read != 0 {
			t.Error("reading still enabled after a read timeout")
		}
		if reads == 0 {
			t.Error("no reads")
		}
		bev.Free()
	})
}

// TestWriteTimeout: the peer never reads, so once the socket buffers are
// full the write timeout fires and disables writing.
func TestWriteTimeout(t *testing.T) {
	forEachBackend(t, func(t *testing.T, base *core.Base) {
		fds := socketpair(t)
		bev := mustSocket(t, base, fds[0], 0)
		var events []What
		bev.SetCallbacks(nil, nil, func(bev *BufferEvent, w What, err error) {
			events = append(events, w)
			base.LoopExit(100 * time.Millisecond)
		})
		bev.SetTimeouts(0, 50*time.Millisecond)
		bev.Output().Add(make([]byte, 8<<20))
		run(t, base)
		if len(events) != 1 || events[0] != Timeout|Writing {
			t.Fatalf("events = %v, want [Writing|Timeout]", events)
		}
		if bev.Enabled()&Write != 0 {
			t.Error("writing still enabled")
		}
		if bev.Output().Len() == 0 {
			t.Error("everything was written")
		}
		bev.Free()
	})
}

func TestMaxSingleRead(t *testing.T) {
	base := newBase(t)
	fds := socketpair(t)
	bev := mustSocket(t, base, fds[0], 0)
	bev.SetMaxSingleRead(100)
	if bev.MaxSingleRead() != 100 {
		t.Fatal("MaxSingleRead")
	}
	looptest.WriteString(t, fds[1], strings.Repeat("y", 1000))
	var sizes []int
	bev.SetCallbacks(func(bev *BufferEvent) {
		sizes = append(sizes, bev.Input().Len())
		bev.Input().Drain(bev.Input().Len())
		if len(sizes) == 10 {
			base.LoopBreak()
		}
	}, nil, nil)
	bev.Enable(Read)
	run(t, base)
	for _, s := range sizes {
		if s != 100 {
			t.Fatalf("reads of %v, want 100 each", sizes)
		}
	}
	bev.Free()
}
