package evdns

import (
	"encoding/binary"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"syscall"
	"time"

	"github.com/goevent/goevent/core"
	"github.com/goevent/goevent/internal/netutil"
	"github.com/miekg/dns"
	"golang.org/x/sys/unix"
)

// Server defaults (libevent's EVDNS_SOPT_* defaults).
const (
	DefaultTCPIdleTimeout = 10 * time.Second
	DefaultMaxTCPClients  = 10
	// DefaultServerUDPSize is the EDNS0 UDP payload size a ServerPort
	// advertises and the most it sends over UDP, whatever a client offers.
	DefaultServerUDPSize = 1232
)

// A Handler answers the queries a ServerPort receives.
type Handler interface {
	// ServeDNS is called on the loop goroutine for each query. It adds
	// records and an rcode to req and calls req.Respond (or req.Drop),
	// at once or later, on the loop goroutine.
	ServeDNS(req *Request)
}

// HandlerFunc adapts a function to a Handler.
type HandlerFunc func(req *Request)

// ServeDNS calls f(req).
func (f HandlerFunc) ServeDNS(req *Request) { f(req) }

// A ServerPort answers DNS queries on a UDP socket and any number of TCP
// listeners through a Handler: libevent's evdns_server_port. It parses
// each query, answers malformed ones with FORMERR and unknown opcodes
// with NOTIMP without bothering the Handler, drops responses (QR set)
// and fragments, and sends what the Handler built: name compression on,
// the client's EDNS0 OPT answered with one of its own, and over UDP the
// reply truncated (TC) to what the client can take (512 bytes without
// EDNS0, else the smaller of its size and DefaultServerUDPSize).
//
// A ServerPort belongs to its Base's loop goroutine: call its methods
// (and the Requests') from callbacks on that loop, or before the loop
// runs, and from other goroutines only through Base.Post.
type ServerPort struct {
	base    *core.Base // immutable
	handler Handler    // immutable

	udpFD int  // -1 for a TCP-only port
	udp6  bool // udpFD is AF_INET6 (IPv4 clients are v4-mapped)
	udpEv *core.Event

	listeners []*core.Listener
	conns     map[*serverConn]struct{}
	idle      time.Duration
	maxConns  int
	closed    bool

	udp udpQueue // UDP batches, loop-owned
	buf []byte   // TCP message buffer, loop-owned
}

// NewServerPort returns a ServerPort answering the queries that arrive on
// pc, a *net.UDPConn (or any net.PacketConn with a SyscallConn method),
// through h. It duplicates pc's descriptor and owns the duplicate; the
// caller keeps pc and closes it when it likes. pc may be nil for a port
// that only serves TCP (ServeTCP).
func NewServerPort(base *core.Base, pc net.PacketConn, h Handler) (*ServerPort, error) {
	p := &ServerPort{
		base:     base,
		handler:  h,
		udpFD:    -1,
		conns:    map[*serverConn]struct{}{},
		idle:     DefaultTCPIdleTimeout,
		maxConns: DefaultMaxTCPClients,
		buf:      make([]byte, 65536),
	}
	if pc != nil {
		p.udp = newUDPQueue()
	}
	if pc == nil {
		return p, nil
	}
	fd, err := dupConn(pc)
	if err != nil {
		return nil, err
	}
	if err := netutil.SetNonblock(fd); err != nil {
		closeFD(fd)
		return nil, err
	}
	p.udpFD = fd
	if sa, err := unix.Getsockname(fd); err == nil {
		_, p.udp6 = sa.(*unix.SockaddrInet6)
	}
	p.udpEv = base.NewEvent(fd, core.Read|core.Persist, func(int, core.Flags) { p.readUDP() })
	if err := p.udpEv.Add(); err != nil {
		p.udpEv.Free()
		closeFD(fd)
		return nil, err
	}
	return p, nil
}

// dupConn duplicates the descriptor under c (close-on-exec).
func dupConn(c any) (int, error) {
	sc, ok := c.(syscall.Conn)
	if !ok {
		return -1, fmt.Errorf("evdns: %T has no SyscallConn method", c)
	}
	raw, err := sc.SyscallConn()
	if err != nil {
		return -1, fmt.Errorf("evdns: %w", err)
	}
	fd := -1
	var dupErr error
	if err := raw.Control(func(s uintptr) { fd, dupErr = netutil.DupCloseOnExec(int(s)) }); err != nil {
		return -1, fmt.Errorf("evdns: %w", err)
	}
	return fd, dupErr
}

// SetTCPIdleTimeout sets how long a TCP client may stay silent before its
// connection is closed (libevent's EVDNS_SOPT_TCP_IDLE_TIMEOUT). Default
// 10s. It applies to connections accepted afterwards.
func (p *ServerPort) SetTCPIdleTimeout(d time.Duration) {
	if d <= 0 {
		d = DefaultTCPIdleTimeout
	}
	p.idle = d
}

// SetMaxTCPClients bounds the TCP connections open at once
// (EVDNS_SOPT_TCP_MAX_CLIENTS); more are closed as soon as accepted.
// Default 10.
func (p *ServerPort) SetMaxTCPClients(n int) {
	if n <= 0 {
		n = DefaultMaxTCPClients
	}
	p.maxConns = n
}

// Close stops answering: the UDP socket, the listeners and every TCP
// connection are closed, and Respond on a Request still open returns
// ErrServerClosed. Close is idempotent.
func (p *ServerPort) Close() error {
	if p.closed {
		return nil
	}
	p.closed = true
	p.closeUDP()
	for _, l := range p.listeners {
		_ = l.Close()
	}
	p.listeners = nil
	for c := range p.conns {
		c.close()
	}
	return nil
}

// handle parses one query and hands it to the Handler, or answers it
// itself when it is malformed or not a QUERY.
func (p *ServerPort) handle(b []byte, from netip.AddrPort, conn *serverConn) {
	req, answered := p.parse(b, from, conn)
	if req == nil {
		return
	}
	if conn != nil {
		conn.pending++
	}
	if answered {
		_ = req.Respond()
		return
	}
	p.handler.ServeDNS(req)
}

// parse turns the message b into a Request. It returns nil for what must
// get no answer (shorter than a header, or a response), and answered
// true with the rcode already set for what the port answers itself:
// FORMERR for a malformed query (echoing the header's id and opcode),
// NOTIMP for an opcode other than QUERY, BADVERS for EDNS other than
// version 0.
func (p *ServerPort) parse(b []byte, from netip.AddrPort, conn *serverConn) (req *Request, answered bool) {
	if len(b) < 12 || b[2]&0x80 != 0 {
		return nil, false
	}
	blk := new(requestBlock)
	q := &blk.query
	q.Question, q.Extra = blk.question[:0], blk.extra[:0]
	req = &blk.req
	*req = Request{port: p, RemoteAddr: from, conn: conn, Query: q, Network: "udp", blk: blk}
	if conn != nil {
		req.Network = "tcp"
	}
	if !parseQueryFast(b, q, &blk.opt) {
		if err := q.Unpack(b); err != nil || !wellFormedQuery(b, q) {
			*q = dns.Msg{}
			q.Id = binary.BigEndian.Uint16(b)
			q.Opcode = int(b[2]>>3) & 0xf
			q.RecursionDesired = b[2]&1 != 0
			req.init(&blk.reply, blk.replyQuestion[:0])
			req.SetRcode(dns.RcodeFormatError)
			return req, true
		}
	}
	req.init(&blk.reply, blk.replyQuestion[:0])
	if q.Opcode != dns.OpcodeQuery {
		req.SetRcode(dns.RcodeNotImplemented)
		return req, true
	}
	if opt := q.IsEdns0(); opt != nil && opt.Version() != 0 {
		req.SetRcode(dns.RcodeBadVers)
		return req, true
	}
	return req, false
}

// A requestBlock is a Request with its query, its reply, room for one
// question and one additional record in each, and their OPT records,
// allocated together: one allocation per query for the common shape.
type requestBlock struct {
	req                     Request
	query, reply            dns.Msg
	question, replyQuestion [1]dns.Question
	extra, replyExtra       [1]dns.RR
	opt, replyOPT           dns.OPT
}

// wellFormedQuery reports whether q, unpacked from b, is whole: as many
// records as the header counts (miekg/dns returns what it could read of a
// cut message), at least one question with its type and class present
// (miekg/dns leaves them 0 when the message ends early), and at most one
// OPT record.
func wellFormedQuery(b []byte, q *dns.Msg) bool {
	if !countsMatch(b, q) || len(q.Question) == 0 || countOPT(q) > 1 {
		return false
	}
	for _, qq := range q.Question {
		if qq.Qtype == 0 || qq.Qclass == 0 {
			return false
		}
	}
	return true
}

func countOPT(m *dns.Msg) int {
	n := 0
	for _, rr := range m.Extra {
		if rr.Header().Rrtype == dns.TypeOPT {
			n++
		}
	}
	return n
}

// errConnGone: Respond for a TCP query whose connection has closed.
var errConnGone = errors.New("evdns: client connection closed")
