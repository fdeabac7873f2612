//go:build linux

package core

import "golang.org/x/sys/unix"

// Linux's poll(2) reports a peer's shutdown with POLLRDHUP, so the poll
// backend supports Closed there, as epoll does.
const (
	pollRDHUP      = unix.POLLRDHUP
	pollClosed     = Closed
	pollEarlyClose = FeatureEarlyClose
)
