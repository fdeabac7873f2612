package bufferevent

import (
	"net"
	"net/netip"
	"os"
	"testing"

	"github.com/goevent/goevent/core"
	"github.com/goevent/goevent/sendfile"
	"golang.org/x/sys/unix"
)

// TestWriteAtBatchEnd: bytes added to a socket's Output from a callback go
// out in one write attempt after the batch of callbacks, not from inside
// the callback, and a write the socket takes whole never makes or adds the
// write event (no epoll_ctl on the echo path).
func TestWriteAtBatchEnd(t *testing.T) {
	forEachBackend(t, func(t *testing.T, base *core.Base) {
		fds := socketpair(t)
		bev := mustSocket(t, base, fds[0], 0)
		buf := make([]byte, 64)
		rounds := 0
		bev.SetCallbacks(func(bev *BufferEvent) {
			bev.Input().Drain(bev.Input().Len())
			bev.Write([]byte("a"))
			bev.Write([]byte("b"))
			bev.Output().AddString("c")
			if n, err := unix.Read(fds[1], buf); n > 0 || err != unix.EAGAIN {
				t.Errorf("peer read %d, %v inside the callback, want EAGAIN", n, err)
			}
		}, func(bev *BufferEvent) {
			rounds++
			base.LoopBreak()
		}, nil)
		bev.Enable(Read)
		for i := 0; i < 3; i++ {
			if _, err := unix.Write(fds[1], []byte("ping")); err != nil {
				t.Fatal(err)
			}
			run(t, base)
			if n, err := unix.Read(fds[1], buf); string(buf[:max(n, 0)]) != "abc" {
				t.Fatalf("peer read %q, %v, want abc", buf[:max(n, 0)], err)
			}
			s := bev.ops.(*socketBev)
			if s.writeEv() != nil || s.is(sockWriting) {
				t.Fatal("the write event was made or added for a write taken whole")
			}
		}
		if rounds != 3 {
			t.Errorf("write callback ran %d times, want 3", rounds)
		}
		bev.Free()
	})
}

// TestWriteWaitsAfterPartial: what the immediate attempt leaves behind is
// written when the socket becomes writable, and the write event goes away
// once Output has drained.
func TestWriteWaitsAfterPartial(t *testing.T) {
	base := newBase(t)
	fds := socketpair(t)
	bev := mustSocket(t, base, fds[0], 0)
	const size = 4 << 20
	bev.SetCallbacks(nil, func(bev *BufferEvent) { base.LoopBreak() }, nil)
	bev.Output().Add(make([]byte, size))
	got := make(chan int, 1)
	go func() {
		buf := make([]byte, 256<<10)
		pfd := []unix.PollFd{{Fd: int32(fds[1]), Events: unix.POLLIN}}
		n := 0
		for n < size {
			k, err := unix.Read(fds[1], buf)
			if k > 0 {
				n += k
			} else if err == unix.EAGAIN {
				unix.Poll(pfd, 1000)
			} else {
				break
			}
		}
		got <- n
	}()
	run(t, base)
	if n := <-got; n != size {
		t.Fatalf("peer got %d bytes, want %d", n, size)
	}
	s := bev.ops.(*socketBev)
	if s.writeEv() == nil {
		t.Error("no write event: 4 MiB went out in one write?")
	}
	if s.is(sockWriting) {
		t.Error("write event still added with Output empty")
	}
	bev.Free()
}

// TestWriteCapMemoryOnly: the max single write caps writes of memory, not
// sendfile calls from a file segment.
func TestWriteCapMemoryOnly(t *testing.T) {
	base := newBase(t)
	fds := socketpair(t)
	for _, fd := range fds {
		unix.SetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_SNDBUF, 4<<20)
		unix.SetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_RCVBUF, 4<<20)
	}
	bev := mustSocket(t, base, fds[0], 0)
	const size = 2 << 20
	bev.Output().Add(make([]byte, size))
	if err := base.Loop(core.LoopOnce | core.LoopNonblock); err != nil {
		t.Fatal(err)
	}
	if sent := size - bev.Output().Len(); sent != DefaultMaxSingle {
		t.Errorf("one pass wrote %d bytes of memory, want %d", sent, DefaultMaxSingle)
	}
	bev.Free()

	path := t.TempDir() + "/f"
	if err := os.WriteFile(path, make([]byte, size), 0o600); err != nil {
		t.Fatal(err)
	}
	f, err := sendfile.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Release()
	fds = socketpair(t)
	for _, fd := range fds {
		unix.SetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_SNDBUF, 4<<20)
		unix.SetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_RCVBUF, 4<<20)
	}
	bev = mustSocket(t, base, fds[0], 0)
	if err := bev.Output().AddFile(f, 0, size); err != nil {
		t.Fatal(err)
	}
	if err := base.Loop(core.LoopOnce | core.LoopNonblock); err != nil {
		t.Fatal(err)
	}
	if sent := size - bev.Output().Len(); sent <= DefaultMaxSingle || sent > maxFileWrite {
		t.Errorf("one pass sent %d bytes of a file, want more than %d and at most %d", sent, DefaultMaxSingle, maxFileWrite)
	}
	bev.Free()
}

// TestListenNoDelay: core.Listen sets TCP_NODELAY on accepted TCP
// connections unless core.WithoutNoDelay; SetNoDelay changes it.
func TestListenNoDelay(t *testing.T) {
	for _, nagle := range []bool{false, true} {
		base := newBase(t)
		var opts []core.ListenOption
		if nagle {
			opts = append(opts, core.WithoutNoDelay())
		}
		got := -1
		ln, err := core.Listen(base, "tcp4", "127.0.0.1:0", func(fd int, _ netip.AddrPort) {
			got, _ = unix.GetsockoptInt(fd, unix.IPPROTO_TCP, unix.TCP_NODELAY)
			bev := mustSocket(t, base, fd, CloseOnFree)
			if err := bev.SetNoDelay(nagle); err != nil {
				t.Error(err)
			}
			if v, _ := unix.GetsockoptInt(fd, unix.IPPROTO_TCP, unix.TCP_NODELAY); (v != 0) != nagle {
				t.Errorf("after SetNoDelay(%v): TCP_NODELAY %d", nagle, v)
			}
			bev.Free()
			base.LoopBreak()
		}, opts...)
		if err != nil {
			t.Fatal(err)
		}
		c, err := net.Dial("tcp4", ln.Addr().String())
		if err != nil {
			t.Fatal(err)
		}
		run(t, base)
		c.Close()
		ln.Close()
		if want := map[bool]int{false: 1, true: 0}[nagle]; (got != 0) != (want != 0) {
			t.Errorf("WithoutNoDelay=%v: accepted TCP_NODELAY = %d", nagle, got)
		}
	}
	a, b, _ := NewPair(newBase(t), 0)
	if err := a.SetNoDelay(true); err != ErrNotSocket {
		t.Errorf("pair SetNoDelay: %v, want ErrNotSocket", err)
	}
	a.Free()
	b.Free()
}
