package evbuffer

// MaxReserve is the largest n accepted by Reserve and Expand.
const MaxReserve = 1 << 30

// Reserve returns at least n bytes (n >= 0) of contiguous writable space at
// the end of the buffer, for the caller to fill and then Commit. The space
// is the free room of the last block when it is large enough, and otherwise
// a block set aside for the purpose (the buffer keeps it until it is used
// or Reset). The slice may be longer than n. It stays valid until the next
// change to the buffer, and only the next Commit may publish bytes written
// to it. Reserve returns nil when the end is frozen or n is negative or
// larger than MaxReserve.
func (b *Buffer) Reserve(n int) []byte {
	if b.frozenEnd || n < 0 || n > MaxReserve {
		return nil
	}
	b.touch()
	var r []byte
	if !b.empty() {
		if t := b.lastSeg(); t.blk != nil && t.room() >= max(n, 1) {
			r = t.buf[t.end:]
			b.resv = resvTail
		}
	}
	if r == nil {
		b.ensureSpare(n)
		r = b.spare.b
		b.resv = resvSpare
	}
	b.resvGen = b.gen
	b.resvLen = len(r)
	return r[:len(r):len(r)]
}

// ensureSpare makes b.spare a block of at least n bytes.
func (b *Buffer) ensureSpare(n int) {
	if b.spare != nil && len(b.spare.b) >= n {
		return
	}
	if b.spare != nil {
		putBlock(b.spare)
	}
	b.spare = getBlock(max(n, minClass))
}

// Commit appends the first n bytes of the space returned by the last
// Reserve (n may be less than what was reserved, and 0 abandons the
// reservation). It fails with ErrCommit when nothing was reserved, the
// buffer changed since Reserve, or n is negative or longer than the
// reserved slice, and with ErrFrozen when the end is frozen.
func (b *Buffer) Commit(n int) error {
	if b.resv == resvNone || b.resvGen != b.gen || n < 0 || n > b.resvLen {
		return ErrCommit
	}
	if b.frozenEnd {
		return ErrFrozen
	}
	kind := b.resv
	b.resv = resvNone
	if n == 0 {
		return nil
	}
	b.touch()
	orig := b.n
	if kind == resvTail {
		b.lastSeg().end += n
	} else {
		blk := b.spare
		b.spare = nil
		b.pushBack(segment{buf: blk.b, end: n, blk: blk})
	}
	b.n += n
	b.notify(orig, n, 0)
	return nil
}

// Expand makes sure that the next Reserve(n) finds n contiguous bytes
// without allocating: when the last block has less free room, a block of at
// least n bytes is set aside. It never moves data. It fails with
// ErrInvalid for a negative n and ErrTooLarge above MaxReserve.
func (b *Buffer) Expand(n int) error {
	if n < 0 {
		return ErrInvalid
	}
	if n > MaxReserve {
		return ErrTooLarge
	}
	if !b.empty() {
		if t := b.lastSeg(); t.blk != nil && t.room() >= n {
			return nil
		}
	}
	b.touch()
	b.ensureSpare(n)
	return nil
}
