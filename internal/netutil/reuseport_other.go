//go:build unix && !(dragonfly || freebsd || linux)

package netutil

import "golang.org/x/sys/unix"

// ReusePortBalances reports whether SetReusePort makes the kernel spread
// incoming connections across every socket bound to the address. Here
// (darwin, NetBSD, OpenBSD...) SO_REUSEPORT only lets the sockets share
// the port: one of them receives the connections.
const ReusePortBalances = false

// SetReusePort lets several sockets bind the same address and port
// (SO_REUSEPORT). On this system the kernel does not spread connections
// among them; see ReusePortBalances.
func SetReusePort(fd int) error {
	return setBool(fd, unix.SOL_SOCKET, unix.SO_REUSEPORT, true)
}
