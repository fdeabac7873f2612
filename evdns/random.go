package evdns

import (
	"crypto/rand"
	"encoding/binary"
)

// randSource hands out unpredictable bits from crypto/rand, read in
// batches so a query costs no system call of its own. It belongs to the
// Resolver's loop goroutine.
type randSource struct {
	buf [512]byte
	off int
}

func newRandSource() *randSource {
	return &randSource{off: 512}
}

func (r *randSource) take(n int) []byte {
	if r.off+n > len(r.buf) {
		// crypto/rand.Read never fails on supported systems (Go 1.24+
		// crashes the program rather than return short).
		_, _ = rand.Read(r.buf[:])
		r.off = 0
	}
	b := r.buf[r.off : r.off+n]
	r.off += n
	return b
}

// id returns a random 16-bit query id.
func (r *randSource) id() uint16 {
	return binary.BigEndian.Uint16(r.take(2))
}

// uint32n returns a random number in [0, n), n > 0.
func (r *randSource) uint32n(n uint32) uint32 {
	// Multiply-shift; the bias is below 2^-32 for the small n used here.
	return uint32((uint64(binary.BigEndian.Uint32(r.take(4))) * uint64(n)) >> 32)
}

// randomizeCase returns name with each ASCII letter's case chosen at
// random (the 0x20 defence, draft-vixie-dnsext-dns0x20): a spoofed reply
// must then guess one bit per letter as well as the id and port.
func (r *randSource) randomizeCase(name string) string {
	b := []byte(name)
	var bits byte
	letters := 0
	for i, c := range b {
		lower := c | 0x20
		if lower < 'a' || lower > 'z' {
			continue
		}
		if letters%8 == 0 {
			bits = r.take(1)[0]
		}
		letters++
		if bits&1 != 0 {
			b[i] = lower &^ 0x20
		} else {
			b[i] = lower
		}
		bits >>= 1
	}
	return string(b)
}
