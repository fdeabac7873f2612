package netutil

import "golang.org/x/sys/unix"

// ReusePortBalances reports whether SetReusePort makes the kernel spread
// incoming connections across every socket bound to the address. FreeBSD
// does with SO_REUSEPORT_LB (FreeBSD 12 and later).
const ReusePortBalances = true

// SetReusePort lets several sockets bind the same address and port, with
// the kernel spreading connections among them (SO_REUSEPORT_LB; plain
// SO_REUSEPORT on FreeBSD does not balance).
func SetReusePort(fd int) error {
	return setBool(fd, unix.SOL_SOCKET, unix.SO_REUSEPORT_LB, true)
}
