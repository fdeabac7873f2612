// Package sys holds goevent's thin syscall wrappers, shared by core,
// evbuffer and sendfile.
//
// On Linux, calls that cannot block (read, write, readv and writev on
// non-blocking descriptors, epoll_ctl, a zero-timeout epoll_wait, accept4 on
// a non-blocking listener, eventfd writes, recvfrom/sendto and
// recvmmsg/sendmmsg on non-blocking UDP sockets) take the raw path: they skip the
// Go scheduler's entersyscall/exitsyscall bookkeeping, which on the project's
// machines was the difference between 1.8x and 1.1x libevent's dispatch cost
// (shared/BENCHMARKING.md). Only a poll that may sleep goes through the
// scheduler-aware path, so the runtime still knows when the thread blocks.
// Callers must therefore only pass non-blocking descriptors to the raw
// functions.
//
// Elsewhere the same functions use golang.org/x/sys/unix's ordinary wrappers.
//
// Errors are returned as syscall.Errno values (comparable with unix.EAGAIN
// and friends); wrapping with context is the caller's job.
package sys

import (
	"net/netip"

	"golang.org/x/sys/unix"
)

// IOVMax is the most iovecs passed to one readv or writev.
const IOVMax = 1024

// SockaddrToAddrPort converts a raw socket address, as filled in by accept4
// or getpeername, to a netip.AddrPort without allocating. Unix-domain and
// unknown families give the zero AddrPort.
func SockaddrToAddrPort(rsa *unix.RawSockaddrAny) netip.AddrPort {
	switch rsa.Addr.Family {
	case unix.AF_INET:
		sa := (*unix.RawSockaddrInet4)(ptrOf(rsa))
		return netip.AddrPortFrom(netip.AddrFrom4(sa.Addr), netPort(&sa.Port))
	case unix.AF_INET6:
		sa := (*unix.RawSockaddrInet6)(ptrOf(rsa))
		return netip.AddrPortFrom(netip.AddrFrom16(sa.Addr), netPort(&sa.Port))
	}
	return netip.AddrPort{}
}
