// Package udpsock opens the UDP sockets of the DNS benchmark's Go servers
// with a receive buffer large enough for 10,000 queries in flight, so that
// the resolver test measures resolvers rather than drops at a full socket.
package udpsock

import (
	"context"
	"errors"
	"fmt"
	"net"
	"syscall"
)

// Listen opens a UDP socket on addr whose receive and send buffers are
// size bytes: with SO_RCVBUFFORCE and SO_SNDBUFFORCE where allowed (root),
// which pass the net.core.rmem_max bound, else the plain options, which the
// kernel caps at it.
func Listen(addr string, size int) (*net.UDPConn, error) {
	lc := net.ListenConfig{Control: func(_, _ string, c syscall.RawConn) error {
		var serr error
		err := c.Control(func(fd uintptr) {
			for _, o := range [][2]int{{syscall.SO_RCVBUFFORCE, syscall.SO_RCVBUF}, {syscall.SO_SNDBUFFORCE, syscall.SO_SNDBUF}} {
				if syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, o[0], size) == nil {
					continue
				}
				if err := syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, o[1], size); err != nil {
					serr = errors.Join(serr, err)
				}
			}
		})
		return errors.Join(err, serr)
	}}
	pc, err := lc.ListenPacket(context.Background(), "udp", addr)
	if err != nil {
		return nil, fmt.Errorf("udpsock: %w", err)
	}
	return pc.(*net.UDPConn), nil
}
