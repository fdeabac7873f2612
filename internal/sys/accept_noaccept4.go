//go:build darwin || netbsd || openbsd

package sys

import "golang.org/x/sys/unix"

// These systems get no accept4 from x/sys: accept, then set the flags. Other goroutines may
// fork and exec between the two calls; goevent does not fork.
func accept(fd int) (int, unix.Sockaddr, error) {
	nfd, sa, err := unix.Accept(fd)
	if err != nil {
		return -1, nil, err
	}
	unix.CloseOnExec(nfd)
	if err := unix.SetNonblock(nfd, true); err != nil {
		unix.Close(nfd)
		return -1, nil, err
	}
	return nfd, sa, nil
}
