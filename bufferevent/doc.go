// Package bufferevent is goevent's buffered connection: libevent's
// bufferevent in Go, over core's event loop and evbuffer's chained
// buffers.
//
// A BufferEvent has an Input buffer that the connection fills and an
// Output buffer that it empties, and three callbacks: read (Input reached
// the read low watermark), write (Output drained to the write low
// watermark) and event (EOF, Error, Timeout or Connected, tagged Reading
// or Writing). There are three kinds behind one type:
//
//   - NewSocket: a stream socket (TCP or unix), already connected or
//     connected later with Connect, ConnectUnix or ConnectHostname.
//
//   - NewPair: two ends linked in memory; what one writes the other reads.
//
//   - NewFilter: a BufferEvent over another, transforming bytes both ways
//     with FilterFuncs (compression, framing, TLS in package ssl).
//
// An echo connection, for example:
//
//	bev, _ := bufferevent.NewSocket(base, fd, bufferevent.CloseOnFree)
//	bev.SetCallbacks(func(bev *bufferevent.BufferEvent) {
//		bev.Output().AddBuffer(bev.Input()) // echo, moving segments
//	}, nil, func(bev *bufferevent.BufferEvent, what bufferevent.What, err error) {
//		if what&(bufferevent.EOF|bufferevent.Error) != 0 {
//			bev.Free()
//		}
//	})
//	bev.SetWatermark(bufferevent.Read, 0, 1<<20) // stop reading at 1 MiB buffered
//	bev.SetTimeouts(30*time.Second, 30*time.Second)
//	bev.Enable(bufferevent.Read | bufferevent.Write)
//
// Watermarks pause reading instead of growing memory: at the read high
// watermark the BufferEvent stops reading and the kernel keeps the rest.
// Timeouts use core's common timeouts, so many connections with one idle
// timeout cost O(1) each. File segments of Output (evbuffer.AddFile) go
// out with sendfile. Rate limits (SetRateLimit, rate-limit groups) apply
// to sockets and to filters stacked on them. AsNetConn gives a net.Conn
// for code that needs one.
//
// Goroutines: a BufferEvent belongs to its Base's loop goroutine. Its
// methods are called from callbacks on that loop (or before the loop runs);
// other goroutines hand work over with Base.Post. Each method's doc says
// so. A callback may Free or Close its own BufferEvent: the release waits
// until the callback returns, and no callback runs on a freed BufferEvent.
// The package starts no goroutine of its own, except NetResolver's one per
// lookup in flight.
package bufferevent
