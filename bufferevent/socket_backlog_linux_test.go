//go:build linux

package bufferevent

import (
	"net/netip"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// TestConnectTimeoutFullBacklog connects to a listener whose accept queue
// is full and never drained: the kernel drops the SYNs, the connect stays
// in progress, and the write timeout ends it with Timeout|Writing (as
// libevent's connect-timeout regression test does).
func TestConnectTimeoutFullBacklog(t *testing.T) {
	lfd, err := unix.Socket(unix.AF_INET, unix.SOCK_STREAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer unix.Close(lfd)
	if err := unix.Bind(lfd, &unix.SockaddrInet4{Addr: [4]byte{127, 0, 0, 1}}); err != nil {
		t.Fatal(err)
	}
	if err := unix.Listen(lfd, 0); err != nil {
		t.Fatal(err)
	}
	sa, err := unix.Getsockname(lfd)
	if err != nil {
		t.Fatal(err)
	}
	addr := netip.AddrPortFrom(netip.AddrFrom4([4]byte{127, 0, 0, 1}), uint16(sa.(*unix.SockaddrInet4).Port))
	// Fill the accept queue: with a backlog of 0 Linux queues one
	// connection and then drops SYNs; connect more until one stays
	// pending, so the queue is surely full.
	filled := false
	for i := 0; i < 16 && !filled; i++ {
		fd, err := unix.Socket(unix.AF_INET, unix.SOCK_STREAM|unix.SOCK_NONBLOCK|unix.SOCK_CLOEXEC, 0)
		if err != nil {
			t.Fatal(err)
		}
		defer unix.Close(fd)
		err = unix.Connect(fd, &unix.SockaddrInet4{Addr: [4]byte{127, 0, 0, 1}, Port: int(addr.Port())})
		if err == unix.EINPROGRESS {
			// Still pending after a moment: the SYN was dropped.
			pfd := []unix.PollFd{{Fd: int32(fd), Events: unix.POLLOUT}}
			if n, _ := unix.Poll(pfd, 200); n == 0 {
				filled = true
			}
		}
	}
	if !filled {
		t.Skip("could not fill the accept queue (tcp_abort_on_overflow or syncookies behaviour)")
	}
	base := newBase(t)
	bev, err := NewSocket(base, -1, CloseOnFree)
	if err != nil {
		t.Fatal(err)
	}
	defer bev.Free()
	const timeout = 300 * time.Millisecond
	bev.SetTimeouts(0, timeout)
	var got What
	var gotErr error
	start := time.Now()
	bev.SetCallbacks(nil, nil, func(_ *BufferEvent, what What, err error) {
		got, gotErr = what, err
		base.LoopBreak()
	})
	if err := bev.Connect(addr); err != nil {
		t.Fatalf("Connect: %v", err)
	}
	run(t, base)
	if got != Timeout|Writing {
		t.Fatalf("event %v (%v), want Timeout|Writing", got, gotErr)
	}
	if el := time.Since(start); el < timeout {
		t.Fatalf("timed out after %v, before the %v timeout", el, timeout)
	}
}
