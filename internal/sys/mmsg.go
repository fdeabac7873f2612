package sys

import "net/netip"

// A Datagram is one message of a Batch: its buffer, its length and its
// peer.
type Datagram struct {
	// Buf is the message's storage. RecvBatch reads into Buf[:cap(Buf)]
	// and leaves Buf alone; SendBatch sends Buf[:N].
	Buf []byte
	// N is the length of the message in Buf.
	N int
	// Addr is the peer: the source after RecvBatch, the destination for
	// SendBatch.
	Addr netip.AddrPort
	// Truncated reports, after RecvBatch, that the datagram was longer
	// than cap(Buf) and Buf holds only its start.
	Truncated bool
}

// Data returns the message, Buf[:N].
func (d *Datagram) Data() []byte { return d.Buf[:d.N] }

// A Batch holds up to Len datagrams moved by one RecvBatch or SendBatch
// call (recvmmsg and sendmmsg on Linux; a loop of recvfrom or sendto
// elsewhere), with the kernel headers preallocated so that neither call
// allocates. A Batch is used by one goroutine at a time.
type Batch struct {
	// Msgs are the batch's datagrams; the caller sets their buffers.
	Msgs []Datagram

	hdr batchHeaders // per-platform kernel headers, len(Msgs) of each
}

// NewBatch returns a Batch of n datagrams, each with a buffer of size
// bytes (none if size is 0: the caller sets Buf).
func NewBatch(n, size int) *Batch {
	b := &Batch{Msgs: make([]Datagram, n)}
	if size > 0 {
		store := make([]byte, n*size)
		for i := range b.Msgs {
			b.Msgs[i].Buf = store[i*size : (i+1)*size : (i+1)*size]
		}
	}
	b.hdr.init(n)
	return b
}

// Len is the number of datagrams the batch holds.
func (b *Batch) Len() int { return len(b.Msgs) }
