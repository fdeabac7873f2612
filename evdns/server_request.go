package evdns

import (
	"encoding/binary"
	"fmt"
	"net/netip"

	"github.com/miekg/dns"
)

// A Request is one query a ServerPort received, and the reply being
// built for it. The Handler adds records to Reply (or through the Add
// methods), sets the rcode, and calls Respond or Drop exactly once, on
// the loop goroutine, at once or later.
type Request struct {
	// Query is the query as received; it must not be modified.
	Query *dns.Msg
	// Reply is the response being built: header, id and question(s)
	// already copied from the query (RD and CD echoed), AA and RA clear,
	// rcode NOERROR. The Handler may change anything but the id.
	Reply *dns.Msg
	// RemoteAddr is the client's address and port.
	RemoteAddr netip.AddrPort
	// Network is "udp" or "tcp".
	Network string

	port *ServerPort
	conn *serverConn   // TCP only
	blk  *requestBlock // storage for Query and Reply; never nil
	done bool
}

// init makes the reply skeleton m from the query, its question section
// appended to qs.
func (r *Request) init(m *dns.Msg, qs []dns.Question) {
	q := r.Query
	*m = dns.Msg{}
	m.Id = q.Id
	m.Response = true
	m.Opcode = q.Opcode
	m.RecursionDesired = q.RecursionDesired
	m.CheckingDisabled = q.CheckingDisabled
	m.Question = append(qs, q.Question...)
	m.Compress = true
	r.Reply = m
}

// Question returns the (first) question asked.
func (r *Request) Question() dns.Question {
	if len(r.Query.Question) == 0 {
		return dns.Question{}
	}
	return r.Query.Question[0]
}

// EDNS returns the query's OPT record, nil without EDNS0.
func (r *Request) EDNS() *dns.OPT { return r.Query.IsEdns0() }

// MaxSize is the largest reply the client accepts: 65535 over TCP; over
// UDP 512, or with EDNS0 the smaller of the client's size and
// DefaultServerUDPSize (never under 512).
func (r *Request) MaxSize() int {
	if r.Network == "tcp" {
		return dns.MaxMsgSize
	}
	if opt := r.EDNS(); opt != nil {
		return max(dns.MinMsgSize, min(int(opt.UDPSize()), DefaultServerUDPSize))
	}
	return dns.MinMsgSize
}

// AddAnswer appends records to the answer section.
func (r *Request) AddAnswer(rr ...dns.RR) { r.Reply.Answer = append(r.Reply.Answer, rr...) }

// AddAuthority appends records to the authority section.
func (r *Request) AddAuthority(rr ...dns.RR) { r.Reply.Ns = append(r.Reply.Ns, rr...) }

// AddAdditional appends records to the additional section.
func (r *Request) AddAdditional(rr ...dns.RR) { r.Reply.Extra = append(r.Reply.Extra, rr...) }

// SetRcode sets the reply's rcode (dns.RcodeNameError...).
func (r *Request) SetRcode(rcode int) { r.Reply.Rcode = rcode }

// Respond sends the reply. Over UDP a reply larger than MaxSize is
// truncated to fit and marked TC. If the query had an OPT record the
// reply gets one (DefaultServerUDPSize, DO echoed) unless the Handler
// added its own. It returns ErrResponded on a second call,
// ErrServerClosed after the port closed, and an error when the reply
// cannot be packed or sent. A UDP reply given while the ServerPort runs
// the Handler for a batch of queries leaves with the rest of the batch
// (one sendmmsg on Linux), so an error sending it is not reported; a
// reply given later is sent at once. When the socket is full, UDP
// replies wait (up to 32) until it is writable again, and beyond that
// Respond drops them with an error wrapping unix.EAGAIN. Loop goroutine
// only.
func (r *Request) Respond() error {
	if r.done {
		return ErrResponded
	}
	r.done = true
	if r.conn != nil {
		defer r.conn.finished()
	}
	if r.port.closed {
		return ErrServerClosed
	}
	if r.conn == nil {
		return r.port.queueUDP(r)
	}
	b, err := r.pack(nil)
	if err != nil {
		return err
	}
	return r.conn.send(b)
}

// pack finishes the reply (OPT, truncation, compression) and packs it
// into buf if it fits, else into a new buffer: by hand for the common
// shapes (packReplyFast), else with miekg/dns.
func (r *Request) pack(buf []byte) ([]byte, error) {
	m := r.Reply
	if opt := r.EDNS(); opt != nil && m.IsEdns0() == nil {
		r.addOPT(opt.Do())
	}
	if m.Rcode > 0xf && m.IsEdns0() == nil {
		r.addOPT(false)
	}
	if b, ok := packReplyFast(m, buf, r.MaxSize()); ok {
		return b, nil
	}
	m.Truncate(r.MaxSize())
	m.Compress = true // Truncate turns it off for replies that fit
	b, err := m.PackBuffer(buf)
	if err != nil {
		return nil, fmt.Errorf("evdns: packing reply: %w", err)
	}
	return b, nil
}

// addOPT appends to the reply the OPT record dns.Msg.SetEdns0 would
// (DefaultServerUDPSize, do), kept in the request's block.
func (r *Request) addOPT(do bool) {
	m, opt := r.Reply, &r.blk.replyOPT
	*opt = dns.OPT{Hdr: dns.RR_Header{Name: ".", Rrtype: dns.TypeOPT}}
	opt.SetUDPSize(DefaultServerUDPSize)
	if do {
		opt.SetDo()
	}
	if m.Extra == nil {
		m.Extra = r.blk.replyExtra[:0]
	}
	m.Extra = append(m.Extra, opt)
}

// Drop finishes the request without sending anything.
func (r *Request) Drop() {
	if r.done {
		return
	}
	r.done = true
	if r.conn != nil {
		r.conn.finished()
	}
}

// lengthPrefix returns the two-byte TCP length prefix of a message of n
// bytes.
func lengthPrefix(n int) [2]byte {
	var h [2]byte
	binary.BigEndian.PutUint16(h[:], uint16(n))
	return h
}
