// Package core is goevent's event loop: libevent's event_base and struct
// event in Go, on the kernel's own poller, with no goroutine per fd.
//
// A Base is one loop. Events wait for an fd to become readable, writable or
// closed by its peer, for a timeout, or for a signal; their callbacks run
// on the goroutine that runs the loop (Dispatch or Loop). Every method of
// Base and Event is safe from any goroutine, and a call from outside the
// loop wakes it; objects built on a Base by other packages (bufferevents,
// HTTP connections) belong to its loop goroutine, and other goroutines hand
// them work with Base.Post.
//
//	b, err := core.NewBase()
//	if err != nil { ... }
//	defer b.Close()
//	ev := b.NewEvent(fd, core.Read|core.Persist, func(fd int, what core.Flags) {
//		// read from fd; what says Read, or Timeout if 5s passed idle
//	})
//	ev.AddTimeout(5 * time.Second)
//	b.Dispatch()
//
// Backends (epoll, kqueue, poll, select) are chosen with WithBackend or
// avoided with WithoutBackend; asking for one that is unavailable is an
// error, never a silent fallback. Timers live on a min-heap, or on O(1)
// FIFO queues for durations registered with InitCommonTimeout. Lower
// priority numbers run first (WithPriorities). Deferred callbacks run after
// each batch of I/O callbacks. Listener accepts connections without a
// goroutine; Loops runs one Base per CPU.
//
// Goroutines: core starts one goroutine per signal number watched by a Base
// (it forwards os/signal deliveries into the loop) and, for Loops, one per
// loop. Close stops them all.
package core
