package fuzz

import (
	"encoding/binary"
	"io"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/miekg/dns"
)

// dnsUpstream is a loopback nameserver on UDP and TCP (one port) that
// answers every query with a reply built by replyFor from the bytes last
// given to serve, followed, if serve asked for it, by a well-formed
// REFUSED reply: a resolver that rightly ignores a reply it cannot parse
// then ends the query with ErrRefused at once instead of timing out.
type dnsUpstream struct {
	udp  net.PacketConn
	tcp  net.Listener
	done sync.WaitGroup

	mu       sync.Mutex
	fuzz     []byte // guarded by mu
	fallback bool   // guarded by mu
}

func startDNSUpstream(t testing.TB) *dnsUpstream {
	t.Helper()
	u := new(dnsUpstream)
	for try := 0; ; try++ {
		pc, err := net.ListenPacket("udp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		ln, err := net.Listen("tcp", pc.LocalAddr().String())
		if err == nil {
			u.udp, u.tcp = pc, ln
			break
		}
		pc.Close()
		if try == 10 {
			t.Fatalf("no port free on both UDP and TCP: %v", err)
		}
	}
	u.done.Go(u.serveUDP)
	u.done.Go(u.serveTCP)
	t.Cleanup(func() {
		u.udp.Close()
		u.tcp.Close()
		u.done.Wait()
	})
	return u
}

func (u *dnsUpstream) addr() string { return u.udp.LocalAddr().String() }

// serve sets the bytes the next replies are built from, and whether a
// REFUSED reply follows each.
func (u *dnsUpstream) serve(b []byte, fallback bool) {
	u.mu.Lock()
	u.fuzz, u.fallback = b, fallback
	u.mu.Unlock()
}

// replies returns the messages that answer query.
func (u *dnsUpstream) replies(query []byte, overTCP bool) [][]byte {
	u.mu.Lock()
	fuzz, fallback := u.fuzz, u.fallback
	u.mu.Unlock()
	r := replyFor(query, fuzz, overTCP)
	if r == nil {
		return nil
	}
	if !fallback {
		return [][]byte{r}
	}
	return [][]byte{r, replyFor(query, []byte{0x81, byte(dns.RcodeRefused)}, overTCP)}
}

func (u *dnsUpstream) serveUDP() {
	buf := make([]byte, 65535)
	for {
		n, from, err := u.udp.ReadFrom(buf)
		if err != nil {
			return
		}
		for _, r := range u.replies(buf[:n], false) {
			u.udp.WriteTo(r, from)
		}
	}
}

func (u *dnsUpstream) serveTCP() {
	var conns sync.WaitGroup
	defer conns.Wait()
	for {
		c, err := u.tcp.Accept()
		if err != nil {
			return
		}
		conns.Go(func() {
			defer c.Close()
			c.SetDeadline(time.Now().Add(10 * time.Second))
			var hdr [2]byte
			if _, err := io.ReadFull(c, hdr[:]); err != nil {
				return
			}
			q := make([]byte, binary.BigEndian.Uint16(hdr[:]))
			if _, err := io.ReadFull(c, q); err != nil {
				return
			}
			var out []byte
			for _, r := range u.replies(q, true) {
				out = binary.BigEndian.AppendUint16(out, uint16(len(r)))
				out = append(out, r...)
			}
			c.Write(out)
		})
	}
}

// replyFor builds the upstream's reply to query from fuzz bytes so that
// it reaches the resolver's parsing rather than its matching: the query's
// id, fuzz's first two bytes as the flags (QR forced on, opcode QUERY, TC
// off over TCP), one question copied verbatim from the query (so its 0x20
// spelling matches), fuzz's next six bytes as the answer, authority and
// additional counts, then the rest of fuzz as the records. It returns nil
// for a query it cannot find the question of.
func replyFor(query, fuzz []byte, overTCP bool) []byte {
	if len(query) < 12 {
		return nil
	}
	end := 12
	for end < len(query) && query[end] != 0 {
		end += 1 + int(query[end])
	}
	end += 1 + 4 // the root label, type and class
	if end > len(query) {
		return nil
	}
	var head [8]byte
	copy(head[:], fuzz)
	rest := fuzz[min(len(fuzz), 8):]
	head[0] = head[0]&^0x78 | 0x80
	if overTCP {
		head[0] &^= 0x02
	}
	r := make([]byte, 0, end+len(rest))
	r = append(r, query[0], query[1], head[0], head[1], 0, 1)
	r = append(r, head[2:8]...)
	r = append(r, query[12:end]...)
	return append(r, rest...)
}
