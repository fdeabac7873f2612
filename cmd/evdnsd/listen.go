package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"syscall"

	"golang.org/x/sys/unix"
)

// socketPair is one loop's UDP socket and TCP listener on one address.
type socketPair struct {
	udp *net.UDPConn
	tcp *net.TCPListener
}

func (s socketPair) close() {
	if s.udp != nil {
		s.udp.Close()
	}
	if s.tcp != nil {
		s.tcp.Close()
	}
}

// reusePort returns a net.ListenConfig setting SO_REUSEPORT, so that each
// loop has sockets of its own on the same address and the kernel spreads
// the clients among them.
func reusePort() *net.ListenConfig {
	return &net.ListenConfig{Control: func(_, _ string, c syscall.RawConn) error {
		var serr error
		if err := c.Control(func(fd uintptr) {
			serr = unix.SetsockoptInt(int(fd), unix.SOL_SOCKET, unix.SO_REUSEPORT, 1)
		}); err != nil {
			return err
		}
		return serr
	}}
}

// bindAll binds n UDP sockets and n TCP listeners on addr, all on the same
// port: the one addr names or, for port 0, one the kernel picks for the
// first UDP socket (tried again a few times if TCP has it in use).
func bindAll(addr netip.AddrPort, n int) ([]socketPair, netip.AddrPort, error) {
	const tries = 8
	var lastErr error
	for range tries {
		socks, bound, err := bindAllOnce(addr, n)
		if err == nil {
			return socks, bound, nil
		}
		lastErr = err
		if addr.Port() != 0 || !errors.Is(err, unix.EADDRINUSE) {
			break
		}
	}
	return nil, netip.AddrPort{}, fmt.Errorf("listen %s: %w", addr, lastErr)
}

func bindAllOnce(addr netip.AddrPort, n int) ([]socketPair, netip.AddrPort, error) {
	ctx := context.Background()
	socks := make([]socketPair, 0, n)
	fail := func(err error) ([]socketPair, netip.AddrPort, error) {
		for _, s := range socks {
			s.close()
		}
		return nil, netip.AddrPort{}, err
	}
	lc := reusePort()
	bound := addr
	for i := range n {
		pc, err := lc.ListenPacket(ctx, "udp", bound.String())
		if err != nil {
			return fail(unwrapOp(err))
		}
		if i == 0 {
			bound = pc.LocalAddr().(*net.UDPAddr).AddrPort()
			bound = netip.AddrPortFrom(bound.Addr().Unmap(), bound.Port())
		}
		ln, err := lc.Listen(ctx, "tcp", bound.String())
		if err != nil {
			pc.Close()
			return fail(unwrapOp(err))
		}
		socks = append(socks, socketPair{udp: pc.(*net.UDPConn), tcp: ln.(*net.TCPListener)})
	}
	return socks, bound, nil
}

// unwrapOp drops net.OpError's "listen udp 1.2.3.4:53:" prefix, which the
// caller's message repeats.
func unwrapOp(err error) error {
	var op *net.OpError
	if errors.As(err, &op) {
		return op.Err
	}
	return err
}
