package core

import "time"

// Once runs cb a single time when fd is ready for what (Read and/or Write;
// fd -1 for a pure timer) or when timeout passes (timeout < 0: none), like
// libevent's event_base_once. Persist in what is ignored. With neither I/O
// nor a timeout, cb runs on the next pass, as in libevent. The event needs
// no Free. Safe from any goroutine.
func (b *Base) Once(fd int, what Flags, timeout time.Duration, cb Callback) error {
	what &^= Persist
	if what&(Read|Write|Closed|Signal) == 0 && timeout < 0 {
		timeout = 0
	}
	ev := b.NewEvent(fd, what, cb)
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.addLocked(ev, timeout)
}
