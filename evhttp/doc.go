// Package evhttp is goevent's HTTP/1.x layer: libevent's evhttp in Go,
// built as resumable parse steps over evbuffers, held to RFC 9110 and
// RFC 9112 where libevent is lenient.
//
// So far it holds the request side's parsing: the request line and header
// section (requestParser, with limits on line length, header bytes and
// field count), the body-framing decision that defends against request
// smuggling (Content-Length with Transfer-Encoding, duplicate or malformed
// lengths, codings other than a final chunked, missing or repeated Host),
// and a chunked-body decoder that moves data between buffers without
// copying. Each step returns a ParseStatus: AllRead, NeedMore, Corrupt or
// TooLong, as libevent's message_read_status does, and can be called again
// as more bytes arrive. The server and client built on them come next.
package evhttp
