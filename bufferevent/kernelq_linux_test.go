package bufferevent

import "golang.org/x/sys/unix"

// kernelQueued returns the bytes waiting in fd's receive queue (SIOCINQ).
func kernelQueued(fd int) (int, error) { return unix.IoctlGetInt(fd, unix.SIOCINQ) }
