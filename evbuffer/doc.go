// Package evbuffer is goevent's byte buffer: libevent's evbuffer in Go, a
// chain of segments that the layers above (bufferevent, evhttp, evdns,
// evrpc) pass bytes around in without copying them.
//
// A Buffer's segments are owned blocks from pooled size classes (512 B to
// 64 KiB, one sync.Pool per class; a block returns to its pool as soon as
// its last byte is drained), references to the caller's memory
// (AddReference, never copied; a release function runs once when the
// buffer is done with them), and ranges of files (AddFile, holding a
// reference on a sendfile.File; WriteToFD sends them with sendfile(2)).
//
//	var in, out evbuffer.Buffer            // the zero Buffer is ready
//	in.ReadFromFD(fd, -1)                   // readv into pooled blocks
//	for {
//		line, ok := in.ReadLine(evbuffer.EOLCRLF)
//		if !ok {
//			break // wait for more
//		}
//		out.AddPrintf("echo %s\r\n", line) // line is valid until in changes
//	}
//	out.AddReference(static, nil)           // no copy
//	out.AddFile(f, 0, f.Size())             // sendfile when written
//	out.WriteToFD(fd, -1)                   // writev + sendfile; partial writes keep every byte
//
// Moving bytes between buffers (AddBuffer, PrependBuffer, RemoveBuffer)
// moves segments: at most the one segment cut by a boundary is copied, and
// only when it is owned memory. Search, SearchRange, SearchEOL and ReadLine
// work across segment boundaries (libevent's evbuffer_search and
// evbuffer_readln rules, documented on SearchEOL), with Ptr positions.
// Freeze rejects changes at one end; change callbacks report the bytes
// added and deleted by each change and can be suspended. A Buffer
// implements io.Reader, io.Writer, io.WriterTo, io.ReaderFrom,
// io.ByteReader and io.StringWriter.
//
// Slices returned by Peek, Pullup, ReadLine and Reserve alias the buffer's
// memory and stay valid only until the next change to the buffer; each
// method says so. In steady state, adding and draining allocates nothing.
//
// Goroutines: a Buffer is not safe for concurrent use and takes no locks.
// It belongs to one goroutine, normally the loop goroutine of the
// connection that owns it; callbacks run synchronously on the goroutine
// that changed it. evbuffer starts no goroutines and never imports core.
//
// Differences from libevent: ReadLine returns the line without copying
// when it lies in one segment (libevent always returns a fresh copy), valid
// until the next change; Peek stops at a file segment instead of mapping it
// into memory; DefaultMaxRead is 64 KiB per ReadFromFD call, not 4096;
// WriteToFD keeps writing while the descriptor takes everything offered
// (libevent makes one call); callbacks run in the order they were added
// (libevent: newest first); there are no deferred callbacks (bufferevent
// defers through its loop instead).
package evbuffer
