package evbuffer

import "bytes"

// chunks walks a buffer's bytes from a cursor as contiguous pieces: a
// memory segment's data as it is, a file segment's data read piece by piece
// into a scratch block (so a piece is valid only until the next call).
type chunks struct {
	b       *Buffer
	cur     cursor // where the next piece starts
	pos     int    // its position
	scratch *block
	err     error // a file read failed; the walk stopped
}

// next returns the next piece, its start cursor and position; ok is false
// at the end or after a read error.
func (it *chunks) next() (d []byte, at cursor, pos int, ok bool) {
	b := it.b
	if it.cur.seg >= b.nsegs() || it.err != nil {
		return nil, cursor{}, 0, false
	}
	at, pos = it.cur, it.pos
	s := b.segAt(at)
	if s.file == nil {
		d = s.buf[s.off+at.off : s.end]
	} else {
		if it.scratch == nil {
			it.scratch = getBlock(maxClass)
		}
		d = it.scratch.b[:min(s.len()-at.off, len(it.scratch.b))]
		if err := s.readFile(d, at.off); err != nil {
			it.err = err
			return nil, cursor{}, 0, false
		}
	}
	it.pos += len(d)
	if at.off+len(d) == s.len() {
		it.cur = cursor{seg: at.seg + 1}
	} else {
		it.cur.off += len(d)
	}
	return d, at, pos, true
}

func (it *chunks) close() {
	if it.scratch != nil {
		putBlock(it.scratch)
		it.scratch = nil
	}
}

// hasPrefixAt reports whether the bytes at cursor c start with p. File
// segments are read in small pieces onto the stack; a failing read counts
// as a mismatch.
func (b *Buffer) hasPrefixAt(c cursor, p []byte) bool {
	var tmp [128]byte
	for i := c.seg; len(p) > 0; i++ {
		if i >= b.nsegs() {
			return false
		}
		s := b.seg(i)
		rel := 0
		if i == c.seg {
			rel = c.off
		}
		for rel < s.len() && len(p) > 0 {
			k := min(s.len()-rel, len(p))
			var d []byte
			if s.file == nil {
				d = s.buf[s.off+rel : s.off+rel+k]
			} else {
				k = min(k, len(tmp))
				d = tmp[:k]
				if s.readFile(d, rel) != nil {
					return false
				}
			}
			if !bytes.Equal(d, p[:k]) {
				return false
			}
			p = p[k:]
			rel += k
		}
	}
	return true
}

// Search returns the position of the first occurrence of what at or after
// start (the front if start is nil), or a Ptr with Pos -1. Matches may
// straddle any number of segments; file segments are read as needed (a
// failing read ends the search as "not found"). An empty what matches at
// start.
func (b *Buffer) Search(what []byte, start *Ptr) Ptr {
	return b.SearchRange(what, start, nil)
}

// SearchRange is Search restricted to matches that end at or before end
// (no limit when end is nil): following libevent, the first occurrence at
// or after start is found, and if it extends past end.Pos the result is
// "not found".
func (b *Buffer) SearchRange(what []byte, start, end *Ptr) Ptr {
	c, ok := b.resolve(start)
	if !ok {
		return notFound()
	}
	pos := 0
	if start != nil {
		pos = start.Pos
	}
	limit := b.n
	if end != nil {
		if end.Pos < 0 {
			return notFound()
		}
		limit = min(end.Pos, b.n)
	}
	m := len(what)
	if pos+m > limit {
		return notFound()
	}
	if m == 0 {
		return b.ptrAt(pos, c)
	}
	it := chunks{b: b, cur: c, pos: pos}
	defer it.close()
	for {
		d, at, dpos, ok := it.next()
		if !ok || dpos+m > limit {
			return notFound()
		}
		if j := index(d, what); j >= 0 {
			if dpos+j+m > limit {
				return notFound()
			}
			return b.ptrAt(dpos+j, cursor{at.seg, at.off + j})
		}
		// Matches starting in the last m-1 bytes of d continue after it.
		for from := max(0, len(d)-m+1); from < len(d); {
			k := bytes.IndexByte(d[from:], what[0])
			if k < 0 {
				break
			}
			s := from + k
			if dpos+s+m > limit {
				return notFound()
			}
			tail := d[s:]
			if bytes.Equal(tail, what[:len(tail)]) && b.hasPrefixAt(it.cur, what[len(tail):]) {
				return b.ptrAt(dpos+s, cursor{at.seg, at.off + s})
			}
			from = s + 1
		}
	}
}

// indexEOL returns the index of the first CR or LF in d, or -1.
func indexEOL(d []byte) int {
	const chunk = 256 // bounds the wasted scan for the later of the two
	for base := 0; base < len(d); base += chunk {
		w := d[base:min(base+chunk, len(d))]
		cr := bytes.IndexByte(w, '\r')
		lf := bytes.IndexByte(w, '\n')
		switch {
		case cr < 0 && lf < 0:
			continue
		case cr < 0 || (lf >= 0 && lf < cr):
			return base + lf
		default:
			return base + cr
		}
	}
	return -1
}

// SearchEOL finds the first end of line at or after start (the front if
// start is nil) under style, and returns its position and length in bytes
// (Pos -1 and 0 when there is none yet). The rules are libevent's
// evbuffer_search_eol:
//
//   - EOLAny: the first CR or LF; the EOL is the whole run of CR and LF
//     bytes that follows, up to the current end of the buffer (so "a\r"
//     ends a line now, and a later "\n" will read as an empty line).
//   - EOLCRLF: the first LF, with the CR right before it included when
//     there is one (length 2, else 1). A CR not followed by LF is content;
//     a CR at the very end of the buffer ends nothing until more data shows
//     whether LF follows. An LF exactly at start never looks back before
//     start.
//   - EOLCRLFStrict: the first CR LF pair (length 2).
//   - EOLLF: the first LF (length 1).
//   - EOLNUL: the first NUL byte (length 1).
//
// An unknown style finds nothing. File segments are read as needed; a
// failing read counts as "not found".
func (b *Buffer) SearchEOL(start *Ptr, style EOLStyle) (Ptr, int) {
	c, ok := b.resolve(start)
	if !ok {
		return notFound(), 0
	}
	pos := 0
	if start != nil {
		pos = start.Pos
	}
	return b.searchEOL(c, pos, style)
}

func (b *Buffer) searchEOL(c cursor, pos int, style EOLStyle) (Ptr, int) {
	switch style {
	case EOLCRLFStrict:
		crlf := [2]byte{'\r', '\n'}
		p := b.SearchRange(crlf[:], &Ptr{Pos: pos, b: b, gen: b.gen, c: c}, nil)
		if p.Pos < 0 {
			return notFound(), 0
		}
		return p, 2
	case EOLLF, EOLNUL, EOLCRLF, EOLAny:
	default:
		return notFound(), 0
	}
	it := chunks{b: b, cur: c, pos: pos}
	defer it.close()
	var prev byte     // last byte of the previous piece
	var prevAt cursor // and its cursor
	for {
		d, at, dpos, ok := it.next()
		if !ok {
			return notFound(), 0
		}
		var j int
		switch style {
		case EOLLF, EOLCRLF:
			j = bytes.IndexByte(d, '\n')
		case EOLNUL:
			j = bytes.IndexByte(d, 0)
		case EOLAny:
			j = indexEOL(d)
		}
		if j < 0 {
			prev, prevAt = d[len(d)-1], cursor{at.seg, at.off + len(d) - 1}
			continue
		}
		p := b.ptrAt(dpos+j, cursor{at.seg, at.off + j})
		switch style {
		case EOLCRLF:
			switch {
			case dpos+j == pos: // the LF is at start: never look back
			case j > 0 && d[j-1] == '\r':
				return b.ptrAt(dpos+j-1, cursor{at.seg, at.off + j - 1}), 2
			case j == 0 && prev == '\r':
				return b.ptrAt(dpos-1, prevAt), 2
			}
			return p, 1
		case EOLAny:
			return p, eolRun(d[j:], &it)
		}
		return p, 1
	}
}

// eolRun counts the run of CR and LF bytes starting with d (the rest of the
// current piece) and continuing into the following pieces.
func eolRun(d []byte, it *chunks) int {
	n := 0
	for {
		for _, c := range d {
			if c != '\r' && c != '\n' {
				return n
			}
			n++
		}
		var ok bool
		if d, _, _, ok = it.next(); !ok {
			return n
		}
	}
}
