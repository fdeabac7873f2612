package sys

import (
	"bytes"
	"errors"
	"fmt"
	"net/netip"
	"testing"

	"golang.org/x/sys/unix"
)

// udpSocket returns a non-blocking UDP socket bound to a loopback port the
// kernel picks (IPv4, or IPv6 with v6), and its address.
func udpSocket(t *testing.T, v6 bool) (int, netip.AddrPort) {
	t.Helper()
	family, sa := unix.AF_INET, unix.Sockaddr(&unix.SockaddrInet4{Addr: [4]byte{127, 0, 0, 1}})
	if v6 {
		family, sa = unix.AF_INET6, &unix.SockaddrInet6{Addr: netip.IPv6Loopback().As16()}
	}
	// Flags set apart: darwin has no SOCK_NONBLOCK or SOCK_CLOEXEC.
	fd, err := unix.Socket(family, unix.SOCK_DGRAM, 0)
	if err != nil {
		t.Skipf("socket: %v", err)
	}
	t.Cleanup(func() { unix.Close(fd) })
	unix.CloseOnExec(fd)
	if err := unix.SetNonblock(fd, true); err != nil {
		t.Fatal(err)
	}
	if err := unix.Bind(fd, sa); err != nil {
		t.Skipf("bind: %v", err)
	}
	got, err := unix.Getsockname(fd)
	if err != nil {
		t.Fatal(err)
	}
	switch got := got.(type) {
	case *unix.SockaddrInet4:
		return fd, netip.AddrPortFrom(netip.AddrFrom4(got.Addr), uint16(got.Port))
	case *unix.SockaddrInet6:
		return fd, netip.AddrPortFrom(netip.AddrFrom16(got.Addr), uint16(got.Port))
	}
	t.Fatalf("getsockname: %T", got)
	return -1, netip.AddrPort{}
}

func TestBatchRoundTrip(t *testing.T) {
	for _, v6 := range []bool{false, true} {
		t.Run(fmt.Sprintf("v6=%v", v6), func(t *testing.T) {
			a, aAddr := udpSocket(t, v6)
			b, bAddr := udpSocket(t, v6)
			out := NewBatch(5, 64)
			for i := range out.Msgs {
				d := &out.Msgs[i]
				d.N = copy(d.Buf, fmt.Sprintf("datagram %d", i))
				d.Addr = bAddr
			}
			// Two calls: a batch may be sent in pieces.
			if n, err := SendBatch(a, out, 0, 2, v6); n != 2 || err != nil {
				t.Fatalf("SendBatch(0, 2) = %d, %v; want 2, nil", n, err)
			}
			if n, err := SendBatch(a, out, 2, 5, v6); n != 3 || err != nil {
				t.Fatalf("SendBatch(2, 5) = %d, %v; want 3, nil", n, err)
			}
			in := NewBatch(8, 64)
			got := 0
			for got < 5 {
				n, err := RecvBatch(b, in)
				if err != nil {
					t.Fatalf("RecvBatch after %d datagrams: %v", got, err)
				}
				for i := range n {
					d := &in.Msgs[i]
					want := fmt.Sprintf("datagram %d", got+i)
					if string(d.Data()) != want || d.Truncated {
						t.Errorf("datagram %d = %q (truncated %v), want %q", got+i, d.Data(), d.Truncated, want)
					}
					if d.Addr != aAddr {
						t.Errorf("datagram %d from %v, want %v", got+i, d.Addr, aAddr)
					}
				}
				got += n
			}
			if n, err := RecvBatch(b, in); n != 0 || !errors.Is(err, unix.EAGAIN) {
				t.Errorf("RecvBatch on an empty socket = %d, %v; want 0, EAGAIN", n, err)
			}
		})
	}
}

// An IPv6 socket reaches an IPv4 peer v4-mapped, and sees it that way.
func TestBatchV4Mapped(t *testing.T) {
	a, _ := udpSocket(t, false)
	// A dual-stack socket on the IPv6 wildcard address.
	fd, err := unix.Socket(unix.AF_INET6, unix.SOCK_DGRAM, 0)
	if err != nil {
		t.Skip(err)
	}
	defer unix.Close(fd)
	unix.CloseOnExec(fd)
	if err := unix.SetNonblock(fd, true); err != nil {
		t.Fatal(err)
	}
	if err := unix.SetsockoptInt(fd, unix.IPPROTO_IPV6, unix.IPV6_V6ONLY, 0); err != nil {
		t.Skip(err)
	}
	if err := unix.Bind(fd, &unix.SockaddrInet6{}); err != nil {
		t.Skip(err)
	}
	sa, err := unix.Getsockname(a)
	if err != nil {
		t.Fatal(err)
	}
	aAddr := netip.AddrPortFrom(netip.AddrFrom4(sa.(*unix.SockaddrInet4).Addr), uint16(sa.(*unix.SockaddrInet4).Port))
	out := NewBatch(1, 16)
	out.Msgs[0].N = copy(out.Msgs[0].Buf, "mapped")
	out.Msgs[0].Addr = aAddr
	if n, err := SendBatch(fd, out, 0, 1, true); n != 1 || err != nil {
		t.Fatalf("SendBatch v4-mapped = %d, %v", n, err)
	}
	in := NewBatch(1, 16)
	n, err := recvWait(a, in)
	if n != 1 || err != nil || string(in.Msgs[0].Data()) != "mapped" {
		t.Fatalf("RecvBatch = %d, %v, %q", n, err, in.Msgs[0].Data())
	}
}

// recvWait is RecvBatch after waiting up to 5 s for fd to be readable.
func recvWait(fd int, b *Batch) (int, error) {
	pfd := []unix.PollFd{{Fd: int32(fd), Events: unix.POLLIN}}
	if _, err := unix.Poll(pfd, 5000); err != nil {
		return 0, err
	}
	return RecvBatch(fd, b)
}

func TestBatchTruncated(t *testing.T) {
	a, _ := udpSocket(t, false)
	b, bAddr := udpSocket(t, false)
	out := NewBatch(1, 100)
	out.Msgs[0].N = copy(out.Msgs[0].Buf, bytes.Repeat([]byte("x"), 100))
	out.Msgs[0].Addr = bAddr
	if n, err := SendBatch(a, out, 0, 1, false); n != 1 || err != nil {
		t.Fatalf("SendBatch = %d, %v", n, err)
	}
	in := NewBatch(2, 10)
	n, err := recvWait(b, in)
	if n != 1 || err != nil {
		t.Fatalf("RecvBatch = %d, %v; want 1, nil", n, err)
	}
	if d := in.Msgs[0]; !d.Truncated || d.N != 10 {
		t.Errorf("got N=%d truncated=%v, want N=10 truncated=true", d.N, d.Truncated)
	}
}

func TestSendBatchEmpty(t *testing.T) {
	a, _ := udpSocket(t, false)
	if n, err := SendBatch(a, NewBatch(2, 8), 1, 1, false); n != 0 || err != nil {
		t.Errorf("SendBatch of nothing = %d, %v; want 0, nil", n, err)
	}
}

func TestBatchAllocs(t *testing.T) {
	a, _ := udpSocket(t, false)
	b, bAddr := udpSocket(t, false)
	out := NewBatch(4, 32)
	for i := range out.Msgs {
		out.Msgs[i].N = copy(out.Msgs[i].Buf, "ping")
		out.Msgs[i].Addr = bAddr
	}
	in := NewBatch(4, 32)
	allocs := testing.AllocsPerRun(100, func() {
		if n, err := SendBatch(a, out, 0, 4, false); n != 4 || err != nil {
			t.Fatalf("SendBatch = %d, %v", n, err)
		}
		for got := 0; got < 4; {
			n, err := recvWait(b, in)
			if err != nil {
				t.Fatalf("RecvBatch: %v", err)
			}
			got += n
		}
	})
	if allocs != 0 {
		t.Errorf("SendBatch+RecvBatch: %v allocations per run, want 0", allocs)
	}
}

// TestSendBatchPartial: sendmmsg stops at a datagram the kernel refuses
// (port 0 is not a destination), reporting those before it; sent alone,
// the refused one reports its error.
func TestSendBatchPartial(t *testing.T) {
	a, _ := udpSocket(t, false)
	b, bAddr := udpSocket(t, false)
	out := NewBatch(3, 16)
	for i := range out.Msgs {
		out.Msgs[i].N = copy(out.Msgs[i].Buf, fmt.Sprintf("d%d", i))
		out.Msgs[i].Addr = bAddr
	}
	out.Msgs[1].Addr = netip.AddrPortFrom(bAddr.Addr(), 0)
	if n, err := SendBatch(a, out, 0, 3, false); n != 1 || err != nil {
		t.Fatalf("SendBatch = %d, %v; want 1, nil", n, err)
	}
	if n, err := SendBatch(a, out, 1, 3, false); n != 0 || err == nil {
		t.Fatalf("SendBatch from the refused one = %d, %v; want 0 and an error", n, err)
	}
	if n, err := SendBatch(a, out, 2, 3, false); n != 1 || err != nil {
		t.Fatalf("SendBatch after it = %d, %v; want 1, nil", n, err)
	}
	in := NewBatch(4, 16)
	var got []string
	for len(got) < 2 {
		n, err := recvWait(b, in)
		if err != nil {
			t.Fatal(err)
		}
		for i := range n {
			got = append(got, string(in.Msgs[i].Data()))
		}
	}
	if got[0] != "d0" || got[1] != "d2" {
		t.Fatalf("received %q, want d0 and d2", got)
	}
}
