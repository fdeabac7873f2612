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
	conn *serverConn // TCP only
	done bool
}

// init makes the reply skeleton from the query.
func (r *Request) init() {
	q := r.Query
	m := new(dns.Msg)
	m.Id = q.Id
	m.Response = true
	m.Opcode = q.Opcode
	m.RecursionDesired = q.RecursionDesired
	m.CheckingDisabled = q.CheckingDisabled
	m.Question = append([]dns.Question(nil), q.Question...)
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
// cannot be packed or sent. Loop goroutine only.
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
	b, err := r.pack()
	if err != nil {
		return err
	}
	if r.conn == nil {
		return r.port.sendUDP(b, r.RemoteAddr)
	}
	return r.conn.send(b)
}

// pack finishes the reply (OPT, truncation, compression) and packs it.
func (r *Request) pack() ([]byte, error) {
	m := r.Reply
	if opt := r.EDNS(); opt != nil && m.IsEdns0() == nil {
		m.SetEdns0(DefaultServerUDPSize, opt.Do())
	}
	if m.Rcode > 0xf && m.IsEdns0() == nil {
		m.SetEdns0(DefaultServerUDPSize, false)
	}
	m.Truncate(r.MaxSize())
	m.Compress = true // Truncate turns it off for replies that fit
	b, err := m.Pack()
	if err != nil {
		return nil, fmt.Errorf("evdns: packing reply: %w", err)
	}
	return b, nil
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
