//go:build unix && !linux

package core

// Outside Linux the poll backend has no early close detection (libevent's
// poll.c has none either): Closed is unsupported and never reported.
const (
	pollRDHUP      = 0
	pollClosed     = Flags(0)
	pollEarlyClose = Features(0)
)
