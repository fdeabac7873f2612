// Package ssl runs TLS on bufferevents with the standard library's
// crypto/tls: libevent's bufferevent_openssl. NewServer and NewClient put
// TLS on a socket; Filter puts it on any BufferEvent (a filter chain, one
// end of a pair). The result is an ordinary *bufferevent.BufferEvent:
// callbacks, watermarks, timeouts, rate limits, Flush and Close work as on
// any other, with plaintext in its Input and Output.
//
//	bev, _ := ssl.NewServer(base, fd, tlsConfig, bufferevent.CloseOnFree)
//	bev.SetCallbacks(onRead, nil, func(bev *bufferevent.BufferEvent, what bufferevent.What, err error) {
//		switch {
//		case what&bufferevent.Connected != 0:
//			st, _ := ssl.ConnectionState(bev) // SNI, ALPN, peer certificates
//			_ = st.NegotiatedProtocol
//		case what&(bufferevent.EOF|bufferevent.Error|bufferevent.Timeout) != 0:
//			bev.Free() // err wraps ssl.ErrHandshake for a failed handshake
//		}
//	})
//	bev.SetTimeouts(10*time.Second, 10*time.Second) // bounds the handshake too
//	bev.Enable(bufferevent.Read)
//
// The handshake reports Connected, or Error with crypto/tls's error
// wrapped in ErrHandshake. SNI, ALPN, client certificates, session tickets,
// TLS 1.2 and 1.3 are configured in the *tls.Config as usual; the
// negotiated state is ConnectionState's. Flush(Write, Finished) and Close
// send close_notify; renegotiation is refused.
//
// Goroutines: a TLS BufferEvent belongs to its Base's loop goroutine like
// any BufferEvent. Each connection has one goroutine while its handshake
// runs, because a crypto/tls handshake cannot be suspended and resumed;
// the goroutine's reads wait for bytes the loop feeds it and its writes go
// to the loop through Base.Post. Once established there is no goroutine:
// records are decrypted on the loop when a whole record is buffered (a
// read that would block returns a temporary net.Error, which crypto/tls
// returns without failing the connection), and writes are encrypted
// straight into the underlying Output. Free ends a handshake in progress.
//
// Memory: crypto/tls keeps a raw input buffer per connection that grows to
// the largest record read; this package hands it one record at a time, so
// it stays at about one record (small for connections that only
// handshook), and drops the decrypted-record block while Input is empty.
package ssl
