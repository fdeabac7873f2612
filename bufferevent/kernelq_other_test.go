//go:build unix && !linux

package bufferevent

import "golang.org/x/sys/unix"

// fionread is FIONREAD, _IOR('f', 127, int), on darwin and the BSDs;
// x/sys/unix does not export it there.
const fionread = 0x4004667f

// kernelQueued returns the bytes waiting in fd's receive queue (FIONREAD).
func kernelQueued(fd int) (int, error) { return unix.IoctlGetInt(fd, fionread) }
