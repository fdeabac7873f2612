//go:build dragonfly || linux

package netutil

import "golang.org/x/sys/unix"

// ReusePortBalances reports whether SetReusePort makes the kernel spread
// incoming connections across every socket bound to the address. On
// Linux and DragonFly SO_REUSEPORT does.
const ReusePortBalances = true

// SetReusePort lets several sockets bind the same address and port, with
// the kernel spreading connections among them (SO_REUSEPORT).
func SetReusePort(fd int) error {
	return setBool(fd, unix.SOL_SOCKET, unix.SO_REUSEPORT, true)
}
