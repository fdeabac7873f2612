package evdns

import (
	"encoding/binary"
	"net"

	"github.com/miekg/dns"
)

// The fast path: a ServerPort parses the common query (one question, an
// optional OPT record without options) and packs the common reply (A,
// AAAA and CNAME answers, an optional OPT, name compression) by hand,
// without miekg/dns's allocations. Anything else, and anything the fast
// path is unsure of, goes to miekg/dns, which stays the reference:
// FuzzFastQuery and FuzzFastReply compare the two.

// parseQueryFast fills q from the message b and reports true when b is a
// query of the common shape: a header with QR clear, one question whose
// name is uncompressed and made of letters, digits, '-' and '_', no
// answer or authority records, at most one additional record, an OPT
// owned by the root with no options and no extended rcode, and nothing
// after it. On false q is unchanged and the caller must use miekg/dns.
// q's Question and Extra slices are reused when they have room, and the
// OPT record, if any, is stored in *opt.
func parseQueryFast(b []byte, q *dns.Msg, opt *dns.OPT) bool {
	if len(b) < 12+5 {
		return false
	}
	bits := binary.BigEndian.Uint16(b[2:])
	qd, an, ns, ar := binary.BigEndian.Uint16(b[4:]), binary.BigEndian.Uint16(b[6:]),
		binary.BigEndian.Uint16(b[8:]), binary.BigEndian.Uint16(b[10:])
	if bits&(1<<15) != 0 || qd != 1 || an != 0 || ns != 0 || ar > 1 {
		return false
	}
	nameEnd, ok := scanPlainName(b, 12)
	if !ok || nameEnd+4 > len(b) {
		return false
	}
	qtype, qclass := binary.BigEndian.Uint16(b[nameEnd:]), binary.BigEndian.Uint16(b[nameEnd+2:])
	off := nameEnd + 4
	if ar == 1 {
		// Root owner (one zero byte), type, class, TTL, rdlength 0.
		if len(b)-off != 11 || b[off] != 0 || binary.BigEndian.Uint16(b[off+1:]) != dns.TypeOPT ||
			b[off+5] != 0 || binary.BigEndian.Uint16(b[off+9:]) != 0 {
			return false
		}
		off += 11
	}
	if off != len(b) || qtype == 0 || qclass == 0 {
		return false
	}
	questions, extra := q.Question[:0], q.Extra[:0]
	*q = dns.Msg{
		MsgHdr:   headerFromBits(binary.BigEndian.Uint16(b), bits),
		Question: append(questions, dns.Question{Name: plainName(b[12:nameEnd]), Qtype: qtype, Qclass: qclass}),
	}
	if ar == 1 {
		o := nameEnd + 4
		*opt = dns.OPT{Hdr: dns.RR_Header{
			Name:   ".",
			Rrtype: dns.TypeOPT,
			Class:  binary.BigEndian.Uint16(b[o+3:]),
			Ttl:    binary.BigEndian.Uint32(b[o+5:]),
		}}
		q.Extra = append(extra, opt)
	}
	return true
}

// headerFromBits is the MsgHdr of a message with this id and flags word.
func headerFromBits(id, bits uint16) dns.MsgHdr {
	return dns.MsgHdr{
		Id:                 id,
		Response:           bits&(1<<15) != 0,
		Opcode:             int(bits>>11) & 0xf,
		Authoritative:      bits&(1<<10) != 0,
		Truncated:          bits&(1<<9) != 0,
		RecursionDesired:   bits&(1<<8) != 0,
		RecursionAvailable: bits&(1<<7) != 0,
		Zero:               bits&(1<<6) != 0,
		AuthenticatedData:  bits&(1<<5) != 0,
		CheckingDisabled:   bits&(1<<4) != 0,
		Rcode:              int(bits & 0xf),
	}
}

// scanPlainName checks the uncompressed wire name at b[off:] and returns
// the offset just past it. It accepts only labels of letters, digits, '-'
// and '_' (which miekg/dns presents unescaped) and names of at most 255
// octets.
func scanPlainName(b []byte, off int) (int, bool) {
	start := off
	for off < len(b) {
		n := int(b[off])
		if n == 0 {
			return off + 1, off+1-start <= 255
		}
		if n > 63 || off+1+n > len(b) {
			return 0, false // a pointer, a reserved label type, or cut short
		}
		for _, c := range b[off+1 : off+1+n] {
			if !plainByte(c) {
				return 0, false
			}
		}
		off += 1 + n
	}
	return 0, false
}

func plainByte(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' || c == '_'
}

// plainName is the presentation form of a wire name scanPlainName
// accepted: its labels joined by dots, with the root's dot last.
func plainName(wire []byte) string {
	if len(wire) == 1 {
		return "."
	}
	// The wire form is as long as the presentation form: each length byte
	// becomes a dot, and the root's zero byte is dropped.
	var buf [255]byte
	out := buf[:0]
	for off := 0; wire[off] != 0; {
		n := int(wire[off])
		out = append(append(out, wire[off+1:off+1+n]...), '.')
		off += 1 + n
	}
	return string(out)
}

// A compressor remembers where names were written so that later ones can
// point at them (RFC 1035 4.1.4). Matching is exact, case included, so a
// pointer never changes how a name reads.
type compressor struct {
	names [32]string
	offs  [32]uint16
	n     int
}

func (c *compressor) find(name string) (uint16, bool) {
	for i := range c.n {
		if c.names[i] == name {
			return c.offs[i], true
		}
	}
	return 0, false
}

func (c *compressor) add(name string, off int) {
	if c.n < len(c.names) && off < 0x4000 {
		c.names[c.n], c.offs[c.n] = name, uint16(off)
		c.n++
	}
}

// appendName appends the fully qualified presentation name, compressed
// against c, and records its suffixes in c. It reports false for what
// the fast path leaves to miekg/dns: escapes, empty or long labels,
// names over 255 octets, names without the final dot.
func appendName(b []byte, name string, c *compressor) ([]byte, bool) {
	if name == "" || name[len(name)-1] != '.' || len(name) > 254 {
		return b, false
	}
	if name == "." {
		return append(b, 0), true
	}
	for i := 0; i < len(name); {
		if p, ok := c.find(name[i:]); ok {
			return append(b, byte(p>>8)|0xc0, byte(p)), true
		}
		end := i
		for name[end] != '.' {
			if name[end] == '\\' {
				return b, false
			}
			end++
		}
		n := end - i
		if n == 0 || n > 63 {
			return b, false
		}
		c.add(name[i:], len(b))
		b = append(append(b, byte(n)), name[i:end]...)
		i = end + 1
	}
	return append(b, 0), true
}

// packReplyFast packs m into buf[:0] (growing it if needed) with name
// compression and reports true when m has the common shape: one
// question, answers that are all A, AAAA or CNAME records, no authority
// records, additional records that are at most one OPT owned by the root
// with no options, an rcode that fits the header, and a packed size of
// at most max bytes. On false the caller must use miekg/dns.
func packReplyFast(m *dns.Msg, buf []byte, max int) ([]byte, bool) {
	if len(m.Question) != 1 || len(m.Ns) != 0 || len(m.Extra) > 1 || len(m.Answer) > 0xffff ||
		m.Rcode < 0 || m.Rcode > 0xf || m.Opcode < 0 || m.Opcode > 0xf {
		return buf, false
	}
	var c compressor
	b := append(buf[:0], make([]byte, 12)...)
	binary.BigEndian.PutUint16(b, m.Id)
	binary.BigEndian.PutUint16(b[2:], headerBits(&m.MsgHdr))
	binary.BigEndian.PutUint16(b[4:], 1)
	binary.BigEndian.PutUint16(b[6:], uint16(len(m.Answer)))
	binary.BigEndian.PutUint16(b[10:], uint16(len(m.Extra)))
	q := &m.Question[0]
	b, ok := appendName(b, q.Name, &c)
	if !ok {
		return buf, false
	}
	b = binary.BigEndian.AppendUint16(b, q.Qtype)
	b = binary.BigEndian.AppendUint16(b, q.Qclass)
	for _, rr := range m.Answer {
		if b, ok = appendAnswer(b, rr, &c); !ok {
			return buf, false
		}
	}
	if len(m.Extra) == 1 {
		opt, isOPT := m.Extra[0].(*dns.OPT)
		if !isOPT || opt == nil || opt.Hdr.Name != "." || opt.Hdr.Rrtype != dns.TypeOPT || len(opt.Option) != 0 {
			return buf, false
		}
		b = append(b, 0)
		b = binary.BigEndian.AppendUint16(b, dns.TypeOPT)
		b = binary.BigEndian.AppendUint16(b, opt.Hdr.Class)
		// The extended rcode byte is the rcode's high bits: 0 here.
		b = binary.BigEndian.AppendUint32(b, opt.Hdr.Ttl&0x00ffffff)
		b = binary.BigEndian.AppendUint16(b, 0)
	}
	if len(b) > max {
		return buf, false
	}
	return b, true
}

// headerBits is the flags word of h (Rcode and Opcode already bounded).
func headerBits(h *dns.MsgHdr) uint16 {
	bits := uint16(h.Opcode)<<11 | uint16(h.Rcode)
	for _, f := range [...]struct {
		set bool
		bit uint16
	}{
		{h.Response, 1 << 15}, {h.Authoritative, 1 << 10}, {h.Truncated, 1 << 9},
		{h.RecursionDesired, 1 << 8}, {h.RecursionAvailable, 1 << 7}, {h.Zero, 1 << 6},
		{h.AuthenticatedData, 1 << 5}, {h.CheckingDisabled, 1 << 4},
	} {
		if f.set {
			bits |= f.bit
		}
	}
	return bits
}

// appendAnswer appends an A, AAAA or CNAME record; false for anything
// else, or a record whose header type disagrees with its Go type.
func appendAnswer(b []byte, rr dns.RR, c *compressor) ([]byte, bool) {
	var h *dns.RR_Header
	var ip net.IP
	var target string
	switch rr := rr.(type) {
	case *dns.A:
		if rr == nil || rr.Hdr.Rrtype != dns.TypeA {
			return b, false
		}
		h, ip = &rr.Hdr, rr.A.To4()
		if ip == nil {
			return b, false
		}
	case *dns.AAAA:
		if rr == nil || rr.Hdr.Rrtype != dns.TypeAAAA || len(rr.AAAA) != net.IPv6len {
			return b, false
		}
		h, ip = &rr.Hdr, rr.AAAA
	case *dns.CNAME:
		if rr == nil || rr.Hdr.Rrtype != dns.TypeCNAME {
			return b, false
		}
		h, target = &rr.Hdr, rr.Target
	default:
		return b, false
	}
	b, ok := appendName(b, h.Name, c)
	if !ok {
		return b, false
	}
	b = binary.BigEndian.AppendUint16(b, h.Rrtype)
	b = binary.BigEndian.AppendUint16(b, h.Class)
	b = binary.BigEndian.AppendUint32(b, h.Ttl)
	if ip != nil {
		b = binary.BigEndian.AppendUint16(b, uint16(len(ip)))
		return append(b, ip...), true
	}
	lenAt := len(b)
	b = append(b, 0, 0)
	if b, ok = appendName(b, target, c); !ok {
		return b, false
	}
	binary.BigEndian.PutUint16(b[lenAt:], uint16(len(b)-lenAt-2))
	return b, true
}
