package evbuffer

import "math"

// Ptr is a position in a Buffer, as returned by Search, SearchRange and
// SearchEOL and set by PtrSet: Pos is the offset from the front, or -1 for
// "not found". It also caches where that byte lies in the chain. After the
// buffer changes, the cache is stale and the next use re-resolves Pos by
// walking the chain: Pos still counts from the current front, so a Ptr
// taken before a Drain points at different bytes afterwards. The zero Ptr
// is position 0 of any buffer.
type Ptr struct {
	Pos int // offset from the front of the buffer; -1: not found

	b   *Buffer // the buffer the cache belongs to
	gen uint64  // b.gen when the cache was filled
	c   cursor
}

// PtrHow says how PtrSet moves a Ptr.
type PtrHow int

const (
	// PtrSetAbs sets the position to pos.
	PtrSetAbs PtrHow = iota
	// PtrAdd moves the position by pos (which may be negative).
	PtrAdd
)

func (h PtrHow) String() string {
	switch h {
	case PtrSetAbs:
		return "PtrSetAbs"
	case PtrAdd:
		return "PtrAdd"
	}
	return "PtrHow(?)"
}

func notFound() Ptr { return Ptr{Pos: -1} }

// PtrSet moves p to pos (PtrSetAbs) or by pos (PtrAdd). The result must lie
// in [0, Len()] (Len() is the position just past the last byte);
// otherwise p.Pos becomes -1 and PtrSet returns ErrRange. PtrAdd on a Ptr
// whose Pos is -1 gives ErrRange; an unknown how gives ErrInvalid.
func (b *Buffer) PtrSet(p *Ptr, pos int, how PtrHow) error {
	if p == nil {
		return ErrInvalid
	}
	var target int
	switch how {
	case PtrSetAbs:
		target = pos
	case PtrAdd:
		if p.Pos < 0 || (pos > 0 && p.Pos > math.MaxInt-pos) {
			*p = notFound()
			return ErrRange
		}
		target = p.Pos + pos
	default:
		return ErrInvalid
	}
	if target < 0 || target > b.n {
		*p = notFound()
		return ErrRange
	}
	var c cursor
	if how == PtrAdd && pos >= 0 && p.b == b && p.gen == b.gen {
		c = b.advance(p.c, pos)
	} else {
		c = b.seek(target)
	}
	*p = b.ptrAt(target, c)
	return nil
}

func (b *Buffer) ptrAt(pos int, c cursor) Ptr {
	return Ptr{Pos: pos, b: b, gen: b.gen, c: c}
}

// resolve returns the cursor of p (the front for a nil p), or false when p
// is outside [0, Len()].
func (b *Buffer) resolve(p *Ptr) (cursor, bool) {
	if p == nil {
		return cursor{}, true
	}
	if p.Pos < 0 || p.Pos > b.n {
		return cursor{}, false
	}
	if p.b == b && p.gen == b.gen {
		return p.c, true
	}
	return b.seek(p.Pos), true
}

// seek returns the normalized cursor of position pos in [0, b.n], walking
// from whichever end is nearer.
func (b *Buffer) seek(pos int) cursor {
	if pos == b.n {
		return cursor{seg: b.nsegs()}
	}
	if pos <= b.n/2 {
		return b.advance(cursor{}, pos)
	}
	back := b.n - pos // bytes from pos to the end, > 0
	for i := b.nsegs() - 1; ; i-- {
		l := b.seg(i).len()
		if back <= l {
			return cursor{seg: i, off: l - back}
		}
		back -= l
	}
}

// advance moves the normalized cursor c forward by k bytes, which must not
// pass the end.
func (b *Buffer) advance(c cursor, k int) cursor {
	for c.seg < b.nsegs() {
		l := b.seg(c.seg).len()
		if c.off+k < l {
			c.off += k
			return c
		}
		k -= l - c.off
		c = cursor{seg: c.seg + 1}
	}
	return c
}
