package evdns

import (
	"encoding/binary"
	"errors"
	"fmt"
	"net/netip"
	"os"

	"github.com/goevent/goevent/core"
	"github.com/goevent/goevent/internal/netutil"
	"github.com/miekg/dns"
	"golang.org/x/sys/unix"
)

// maxReadsPerWake bounds the datagrams read per readiness report, so a
// flood of forged replies cannot hold the loop.
const maxReadsPerWake = 16

// sendUDP sends the current query from a new socket connected to the
// server. The kernel picks a random ephemeral source port for each
// socket, and being connected, the socket only receives datagrams from
// the server's address and port; readUDP checks the source again.
func (ex *exchange) sendUDP() error {
	pkt, err := ex.sent.Pack()
	if err != nil {
		return fmt.Errorf("evdns: packing query: %w", err)
	}
	fd, err := dialUDP(ex.server.addr)
	if err != nil {
		return err
	}
	ex.udpFD = fd
	if _, err := unix.Write(fd, pkt); err != nil {
		return os.NewSyscallError("write", err)
	}
	ex.udpEv = ex.r.base.NewEvent(fd, core.Read|core.Persist, func(int, core.Flags) { ex.readUDP() })
	if err := ex.udpEv.Add(); err != nil {
		return err
	}
	return nil
}

// dialUDP returns a non-blocking UDP socket connected to addr.
func dialUDP(addr netip.AddrPort) (int, error) {
	family := unix.AF_INET
	if addr.Addr().Is6() {
		family = unix.AF_INET6
	}
	fd, err := netutil.Socket(family, unix.SOCK_DGRAM, 0)
	if err != nil {
		return -1, err
	}
	if err := unix.Connect(fd, sockaddr(addr)); err != nil {
		closeFD(fd)
		return -1, os.NewSyscallError("connect", err)
	}
	return fd, nil
}

// readUDP reads the datagrams waiting on the attempt's socket and acts on
// the first that answers the query; everything else is dropped.
func (ex *exchange) readUDP() {
	buf := ex.r.buf
	for range maxReadsPerWake {
		if ex.udpFD < 0 {
			return
		}
		n, from, err := unix.Recvfrom(ex.udpFD, buf, 0)
		if err != nil {
			if errors.Is(err, unix.EAGAIN) || errors.Is(err, unix.EINTR) {
				return
			}
			// ECONNREFUSED: an ICMP port unreachable; the server is not
			// there. Move on at once rather than wait for the timeout.
			ex.serverFailed(os.NewSyscallError("recvfrom", err))
			return
		}
		if fromAddrPort(from) != ex.server.addr {
			continue
		}
		if reply := ex.parseReply(buf[:n]); reply != nil {
			ex.handleReply(reply)
			return
		}
	}
}

// parseReply returns the reply in b if it answers the current attempt's
// query, else nil. A message whose sections hold fewer records than its
// header counts is refused (miekg/dns would return the part it read).
func (ex *exchange) parseReply(b []byte) *dns.Msg {
	reply := new(dns.Msg)
	if reply.Unpack(b) != nil || !ex.matches(reply) || !countsMatch(b, reply) {
		return nil
	}
	return reply
}

// countsMatch reports whether m, unpacked from b, has as many records in
// each section as b's header announces.
func countsMatch(b []byte, m *dns.Msg) bool {
	if len(b) < 12 {
		return false
	}
	count := func(i int) int { return int(binary.BigEndian.Uint16(b[i:])) }
	return count(4) == len(m.Question) && count(6) == len(m.Answer) &&
		count(8) == len(m.Ns) && count(10) == len(m.Extra)
}

func sockaddr(ap netip.AddrPort) unix.Sockaddr {
	if ap.Addr().Is4() {
		return &unix.SockaddrInet4{Port: int(ap.Port()), Addr: ap.Addr().As4()}
	}
	return &unix.SockaddrInet6{Port: int(ap.Port()), Addr: ap.Addr().As16()}
}

func fromAddrPort(sa unix.Sockaddr) netip.AddrPort {
	switch sa := sa.(type) {
	case *unix.SockaddrInet4:
		return netip.AddrPortFrom(netip.AddrFrom4(sa.Addr), uint16(sa.Port))
	case *unix.SockaddrInet6:
		return netip.AddrPortFrom(netip.AddrFrom16(sa.Addr).Unmap(), uint16(sa.Port))
	}
	return netip.AddrPort{}
}

func closeFD(fd int) { _ = unix.Close(fd) }
