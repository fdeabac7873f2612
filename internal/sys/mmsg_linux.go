//go:build linux

package sys

import (
	"net/netip"
	"syscall"

	"golang.org/x/sys/unix"
)

// batchHeaders are the mmsghdrs, iovecs and socket addresses recvmmsg and
// sendmmsg read and fill, one of each per datagram.
type batchHeaders struct {
	msgs  []unix.Mmsghdr
	iovs  []unix.Iovec
	addrs []unix.RawSockaddrAny
}

func (h *batchHeaders) init(n int) {
	h.msgs = make([]unix.Mmsghdr, n)
	h.iovs = make([]unix.Iovec, n)
	h.addrs = make([]unix.RawSockaddrAny, n)
}

// RecvBatch reads up to b.Len() datagrams from the non-blocking socket fd
// with one recvmmsg on the raw path, each into its Datagram's Buf, and
// sets N, Addr and Truncated of the first n. It returns n, or 0 and the
// error (EAGAIN when nothing is waiting). It does not allocate.
func RecvBatch(fd int, b *Batch) (int, error) {
	h := &b.hdr
	for i := range b.Msgs {
		buf := b.Msgs[i].Buf[:cap(b.Msgs[i].Buf)]
		h.iovs[i] = unix.Iovec{Base: bytePtr(buf)}
		h.iovs[i].SetLen(len(buf))
		h.msgs[i] = unix.Mmsghdr{Hdr: unix.Msghdr{
			Name:    (*byte)(ptrOf(&h.addrs[i])),
			Namelen: unix.SizeofSockaddrAny,
			Iov:     &h.iovs[i],
		}}
		h.msgs[i].Hdr.SetIovlen(1)
	}
	n, _, e := syscall.RawSyscall6(unix.SYS_RECVMMSG, uintptr(fd), uintptr(slicePtr(h.msgs)), uintptr(len(h.msgs)),
		0, 0, 0)
	if e != 0 {
		return 0, errno(e)
	}
	for i := range int(n) {
		d := &b.Msgs[i]
		d.N = int(h.msgs[i].Len)
		d.Truncated = h.msgs[i].Hdr.Flags&unix.MSG_TRUNC != 0
		if d.N > cap(d.Buf) {
			d.N = cap(d.Buf)
		}
		d.Addr = SockaddrToAddrPort(&h.addrs[i])
	}
	return int(n), nil
}

// SendBatch sends b.Msgs[lo:hi], each Buf[:N] to its Addr, from the
// non-blocking socket fd with sendmmsg on the raw path. With v6 (the
// socket is AF_INET6) an IPv4 destination is addressed v4-mapped. It
// returns how many datagrams left, from lo on, stopping at the first that
// fails (the socket buffer filled up, or the kernel refused that one), or
// 0 and that one's error (EAGAIN when the socket is full) when the first
// fails. It does not allocate.
func SendBatch(fd int, b *Batch, lo, hi int, v6 bool) (int, error) {
	if lo >= hi {
		return 0, nil
	}
	h := &b.hdr
	for i := lo; i < hi; i++ {
		d := &b.Msgs[i]
		h.iovs[i] = unix.Iovec{Base: bytePtr(d.Buf[:d.N])}
		h.iovs[i].SetLen(d.N)
		namelen := putSockaddr(&h.addrs[i], d.Addr, v6)
		h.msgs[i] = unix.Mmsghdr{Hdr: unix.Msghdr{
			Name:    (*byte)(ptrOf(&h.addrs[i])),
			Namelen: namelen,
			Iov:     &h.iovs[i],
		}}
		h.msgs[i].Hdr.SetIovlen(1)
	}
	n, _, e := syscall.RawSyscall6(unix.SYS_SENDMMSG, uintptr(fd), uintptr(slicePtr(h.msgs[lo:hi])), uintptr(hi-lo),
		0, 0, 0)
	if e != 0 {
		return 0, errno(e)
	}
	return int(n), nil
}

// putSockaddr stores to in rsa as a sockaddr_in, or a sockaddr_in6 when
// to is IPv6 or v6 is set, and returns its length.
func putSockaddr(rsa *unix.RawSockaddrAny, to netip.AddrPort, v6 bool) uint32 {
	if v6 || to.Addr().Is6() {
		sa := (*unix.RawSockaddrInet6)(ptrOf(rsa))
		*sa = unix.RawSockaddrInet6{Family: unix.AF_INET6, Addr: to.Addr().As16()}
		putNetPort(&sa.Port, to.Port())
		return unix.SizeofSockaddrInet6
	}
	sa := (*unix.RawSockaddrInet4)(ptrOf(rsa))
	*sa = unix.RawSockaddrInet4{Family: unix.AF_INET, Addr: to.Addr().As4()}
	putNetPort(&sa.Port, to.Port())
	return unix.SizeofSockaddrInet4
}

// bytePtr is the address of p's first byte, or of a dummy byte when p is
// empty (the kernel reads nothing through it then).
func bytePtr(p []byte) *byte {
	if len(p) == 0 {
		return (*byte)(bytesPtr(p))
	}
	return &p[0]
}
