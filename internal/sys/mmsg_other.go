//go:build unix && !linux

package sys

// batchHeaders is empty outside Linux: RecvBatch and SendBatch loop over
// Recvfrom and Sendto.
type batchHeaders struct{}

func (*batchHeaders) init(int) {}

// RecvBatch reads up to b.Len() datagrams from the non-blocking socket fd,
// one recvfrom each, into their Datagrams' Buf, and sets N, Addr and
// Truncated of the first n. It returns n, or 0 and the error (EAGAIN when
// nothing is waiting).
func RecvBatch(fd int, b *Batch) (int, error) {
	for i := range b.Msgs {
		d := &b.Msgs[i]
		n, from, err := Recvfrom(fd, d.Buf[:cap(d.Buf)])
		if err != nil {
			if i > 0 {
				return i, nil
			}
			return 0, err
		}
		d.N, d.Addr, d.Truncated = n, from, false
	}
	return len(b.Msgs), nil
}

// SendBatch sends b.Msgs[lo:hi], each Buf[:N] to its Addr, one sendto
// each, from the non-blocking socket fd. With v6 (the socket is AF_INET6)
// an IPv4 destination is addressed v4-mapped. It returns how many left,
// from lo on, stopping at the first that fails, or 0 and that one's error
// (EAGAIN when the socket is full) when the first fails.
func SendBatch(fd int, b *Batch, lo, hi int, v6 bool) (int, error) {
	for i := lo; i < hi; i++ {
		d := &b.Msgs[i]
		if err := Sendto(fd, d.Buf[:d.N], d.Addr, v6); err != nil {
			if i == lo {
				return 0, err
			}
			return i - lo, nil
		}
	}
	return hi - lo, nil
}
