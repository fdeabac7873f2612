package evdns

import (
	"encoding/binary"
	"fmt"
	"io"

	"github.com/goevent/goevent/bufferevent"
)

// errTCPClosed: the server closed the TCP connection before answering. It
// wraps io.ErrUnexpectedEOF so that callers can test for it (the errors a
// callback gets wrap a sentinel of this package or of the standard library).
var errTCPClosed = fmt.Errorf("evdns: connection closed by server: %w", io.ErrUnexpectedEOF)

// sendTCP asks the current question over a new TCP connection to the
// current server (RFC 7766: two-byte length, then the message), after a
// truncated UDP reply or always with Config.UseTCP. The attempt keeps its
// deadline; the query gets a fresh id and case pattern.
func (ex *exchange) sendTCP() error {
	ex.buildQuery()
	pkt, err := ex.sent.Pack()
	if err != nil {
		return fmt.Errorf("evdns: packing query: %w", err)
	}
	bev, err := bufferevent.NewSocket(ex.r.base, -1, bufferevent.CloseOnFree)
	if err != nil {
		return err
	}
	ex.tcp = bev
	ex.overTCP = true
	bev.SetCallbacks(func(*bufferevent.BufferEvent) { ex.readTCP() }, nil,
		func(_ *bufferevent.BufferEvent, what bufferevent.What, err error) {
			if what&(bufferevent.EOF|bufferevent.Error) == 0 {
				return
			}
			if err == nil {
				err = errTCPClosed
			}
			ex.serverFailed(err)
		})
	var hdr [2]byte
	binary.BigEndian.PutUint16(hdr[:], uint16(len(pkt)))
	_ = bev.Output().Add(hdr[:])
	_ = bev.Output().Add(pkt)
	if err := bev.Connect(ex.server.addr); err != nil {
		return err
	}
	return bev.Enable(bufferevent.Read)
}

// readTCP takes whole length-prefixed messages off the connection and
// acts on the first that answers the query.
func (ex *exchange) readTCP() {
	for ex.tcp != nil {
		in := ex.tcp.Input()
		var hdr [2]byte
		if n, _ := in.CopyOut(hdr[:]); n < 2 {
			return
		}
		size := int(binary.BigEndian.Uint16(hdr[:]))
		if in.Len() < 2+size {
			return
		}
		_ = in.Drain(2)
		msg := ex.r.buf[:size]
		_, _ = in.Remove(msg)
		if reply := ex.parseReply(msg); reply != nil {
			ex.handleReply(reply)
			return
		}
	}
}
