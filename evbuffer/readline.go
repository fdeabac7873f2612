package evbuffer

import "bytes"

// EOLStyle selects what ends a line for ReadLine and SearchEOL.
type EOLStyle int

const (
	// EOLAny: any run of CR and LF bytes (libevent EVBUFFER_EOL_ANY).
	EOLAny EOLStyle = iota
	// EOLCRLF: LF, optionally preceded by CR (EVBUFFER_EOL_CRLF).
	EOLCRLF
	// EOLCRLFStrict: exactly CR LF (EVBUFFER_EOL_CRLF_STRICT).
	EOLCRLFStrict
	// EOLLF: exactly LF (EVBUFFER_EOL_LF).
	EOLLF
	// EOLNUL: a NUL byte (EVBUFFER_EOL_NUL).
	EOLNUL
)

func (s EOLStyle) String() string {
	switch s {
	case EOLAny:
		return "EOLAny"
	case EOLCRLF:
		return "EOLCRLF"
	case EOLCRLFStrict:
		return "EOLCRLFStrict"
	case EOLLF:
		return "EOLLF"
	case EOLNUL:
		return "EOLNUL"
	}
	return "EOLStyle(?)"
}

// ReadLine removes the first line and its end-of-line bytes from the
// buffer and returns the line without them, with ok true. When no complete
// line is buffered yet (see SearchEOL for each style's rules) it returns
// (nil, false) and removes nothing; so it does when the front is frozen,
// the style is unknown, or a file segment holding the line cannot be read.
//
// The line aliases the buffer's memory: it is valid until the next change
// to the buffer (any call that adds, removes or moves bytes, Reserve,
// Pullup, Reset) made after ReadLine returns, and must not be modified;
// its capacity is clipped. Changes made by callbacks that ReadLine runs do
// not invalidate it. When
// the line lies within one memory segment nothing is copied; otherwise it
// is first linearized into one block, as Pullup does. A reference whose
// last byte the line was is released, and a block whose last byte it was
// returned to its pool, only at that next change.
func (b *Buffer) ReadLine(style EOLStyle) (line []byte, ok bool) {
	if b.frozenFront || b.n == 0 {
		return nil, false
	}
	if n, eol := b.firstSegEOL(style); n >= 0 {
		f := b.firstSeg()
		line = f.buf[f.off : f.off+n : f.off+n]
		b.consumeLine(n, eol)
		return line, true
	}
	p, eol := b.searchEOL(cursor{}, 0, style)
	if p.Pos < 0 {
		return nil, false
	}
	n := p.Pos
	if n == 0 {
		line = []byte{}
	} else if f := b.firstSeg(); f.file == nil && f.len() >= n {
		line = f.buf[f.off : f.off+n : f.off+n]
	} else {
		var err error
		if line, err = b.Pullup(n); err != nil {
			return nil, false
		}
	}
	b.consumeLine(n, eol)
	return line, true
}

// firstSegEOL is ReadLine's fast path: the line and its EOL within the
// first segment, when it is memory. It returns the line length and EOL
// length, or -1 when the general search must decide.
func (b *Buffer) firstSegEOL(style EOLStyle) (int, int) {
	f := b.firstSeg()
	if f.file != nil {
		return -1, 0
	}
	d := f.buf[f.off:f.end]
	switch style {
	case EOLLF:
		return bytes.IndexByte(d, '\n'), 1
	case EOLNUL:
		return bytes.IndexByte(d, 0), 1
	case EOLCRLF:
		j := bytes.IndexByte(d, '\n')
		if j > 0 && d[j-1] == '\r' {
			return j - 1, 2
		}
		return j, 1
	case EOLCRLFStrict:
		for from := 0; ; {
			j := bytes.IndexByte(d[from:], '\n')
			if j < 0 {
				return -1, 0
			}
			if j += from; j > 0 && d[j-1] == '\r' {
				return j - 1, 2
			}
			from = j + 1
		}
	case EOLAny:
		j := indexEOL(d)
		if j < 0 {
			return -1, 0
		}
		k := j
		for k < len(d) && (d[k] == '\r' || d[k] == '\n') {
			k++
		}
		if k == len(d) && b.nsegs() > 1 {
			return -1, 0 // the run may go on in the next segment
		}
		return j, k - j
	}
	return -1, 0
}

// consumeLine drains a line of n bytes at the front and its eol bytes,
// holding the line's segment if that empties it.
func (b *Buffer) consumeLine(n, eol int) {
	b.touch()
	orig := b.n
	b.drain(n+eol, n > 0)
	b.notify(orig, 0, n+eol)
}
