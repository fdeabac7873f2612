package evbuffer

import (
	"fmt"
	"math"

	"github.com/goevent/goevent/sendfile"
)

// Buffer is a chain of segments holding a byte sequence: owned blocks from
// pooled size classes, references to caller memory, and file ranges.
// Moving bytes between Buffers (AddBuffer, PrependBuffer, RemoveBuffer)
// moves segments instead of copying bytes.
//
// The zero Buffer is empty and ready to use. An empty Buffer holds no
// blocks (except a block set aside by Reserve or Expand, and the block a
// line returned by ReadLine still points into, until the next change).
//
// A Buffer is not safe for concurrent use: it belongs to one goroutine,
// normally the loop goroutine of the connection that owns it. Callbacks
// run synchronously on the goroutine that changed the buffer. A Buffer
// must not be copied after first use.
type Buffer struct {
	_ noCopy

	segs []segment // the chain is segs[head:]; every segment holds >= 1 byte
	head int
	n    int    // total bytes in the chain
	gen  uint64 // bumped by every change; stale Ptrs re-resolve, reservations die

	spare *block // an empty block set aside by Reserve/Expand; not in the chain

	// held are segments drained by ReadLine whose memory returned lines
	// still alias; the next change made outside a callback frees them.
	held []segment

	resvGen uint64 // gen at that Reserve
	resvLen int    // length of the reserved slice

	maxRead int // 0 means DefaultMaxRead

	cbs  []*Callback
	hook func(b *Buffer, info CallbackInfo) // the owner's hook (SetNotify)

	// The small fields share one word.
	cbDepth                int32    // nesting of running callback rounds
	resv                   resvKind // what the last Reserve handed out
	frozenFront, frozenEnd bool
	cbDirty                bool // a callback was removed while a round ran
}

// noCopy makes go vet's copylocks check report copies of a Buffer: two
// copies would share segments and give their blocks back twice.
type noCopy struct{}

func (*noCopy) Lock()   {}
func (*noCopy) Unlock() {}

type resvKind uint8

const (
	resvNone  resvKind = iota
	resvTail           // room after the last segment's data
	resvSpare          // the spare block
)

// cursor locates a byte: segment index relative to head and offset into
// that segment's data. A normalized cursor has off < that segment's length,
// or seg == number of segments and off == 0 (the end).
type cursor struct{ seg, off int }

// New returns an empty Buffer. It is the same as new(Buffer).
func New() *Buffer { return new(Buffer) }

// Len returns the number of bytes in the buffer.
func (b *Buffer) Len() int { return b.n }

func (b *Buffer) nsegs() int              { return len(b.segs) - b.head }
func (b *Buffer) seg(i int) *segment      { return &b.segs[b.head+i] }
func (b *Buffer) firstSeg() *segment      { return &b.segs[b.head] }
func (b *Buffer) lastSeg() *segment       { return &b.segs[len(b.segs)-1] }
func (b *Buffer) empty() bool             { return b.head == len(b.segs) }
func (b *Buffer) segAt(c cursor) *segment { return &b.segs[b.head+c.seg] }

// touch starts a change: it frees the segments held for lines returned by
// ReadLine (unless a callback is making the change: the line its ReadLine
// is about to return must survive it) and invalidates cursors and
// reservations.
func (b *Buffer) touch() {
	if len(b.held) > 0 && b.cbDepth == 0 {
		for i := range b.held {
			b.held[i].free()
		}
		clear(b.held)
		b.held = b.held[:0]
	}
	b.gen++
}

// pushBack appends s to the chain, compacting the slice before growing it.
func (b *Buffer) pushBack(s segment) {
	if len(b.segs) == cap(b.segs) && b.head > 0 {
		n := copy(b.segs, b.segs[b.head:])
		clear(b.segs[n:])
		b.segs = b.segs[:n]
		b.head = 0
	}
	b.segs = append(b.segs, s)
}

// popFront removes the first segment without freeing it.
func (b *Buffer) popFront() {
	b.segs[b.head] = segment{}
	b.head++
	if b.head == len(b.segs) {
		b.resetSegs()
	}
}

// resetSegs empties the (already cleared) chain, dropping a large slice.
func (b *Buffer) resetSegs() {
	b.head = 0
	if cap(b.segs) > 1024 {
		b.segs = nil
		return
	}
	b.segs = b.segs[:0]
}

// makeFrontRoom makes head >= k by moving the chain towards the end of its
// slice (or into a new one).
func (b *Buffer) makeFrontRoom(k int) {
	if b.head >= k {
		return
	}
	n := b.nsegs()
	newHead := k + n/2 + 4
	need := newHead + n
	if need <= cap(b.segs) {
		s := b.segs[:need]
		copy(s[newHead:], b.segs[b.head:])
		clear(s[:newHead])
		b.segs = s
	} else {
		s := make([]segment, need, need+need/2)
		copy(s[newHead:], b.segs[b.head:])
		clear(b.segs)
		b.segs = s
	}
	b.head = newHead
}

func (b *Buffer) pushFront(s segment) {
	b.makeFrontRoom(1)
	b.head--
	b.segs[b.head] = s
}

// newBlock returns an empty block for appending about want bytes: the
// spare if there is one, else a pooled block that grows with the buffer's
// length (like libevent's doubling chains), capped at the largest class.
func (b *Buffer) newBlock(want int) *block {
	if s := b.spare; s != nil {
		b.spare = nil
		return s
	}
	size := max(want, min(b.n, maxClass))
	return getBlock(min(size, maxClass))
}

// appendData copies p to the end of the chain.
func appendData[S ~string | ~[]byte](b *Buffer, p S) {
	if !b.empty() {
		if t := b.lastSeg(); t.blk != nil && t.room() > 0 {
			k := copy(t.buf[t.end:], p)
			t.end += k
			b.n += k
			p = p[k:]
		}
	}
	for len(p) > 0 {
		blk := b.newBlock(len(p))
		k := copy(blk.b, p)
		b.pushBack(segment{buf: blk.b, end: k, blk: blk})
		b.n += k
		p = p[k:]
	}
}

func (b *Buffer) checkAdd(n int) error {
	if b.frozenEnd {
		return ErrFrozen
	}
	if n > math.MaxInt-b.n {
		return ErrTooLarge
	}
	return nil
}

// Add appends a copy of p. It fails only with ErrFrozen (end frozen) or
// ErrTooLarge.
func (b *Buffer) Add(p []byte) error {
	if err := b.checkAdd(len(p)); err != nil || len(p) == 0 {
		return err
	}
	b.touch()
	orig := b.n
	appendData(b, p)
	b.notify(orig, len(p), 0)
	return nil
}

// AddString appends a copy of s, like Add.
func (b *Buffer) AddString(s string) error {
	if err := b.checkAdd(len(s)); err != nil || len(s) == 0 {
		return err
	}
	b.touch()
	orig := b.n
	appendData(b, s)
	b.notify(orig, len(s), 0)
	return nil
}

// AddPrintf appends fmt.Sprintf(format, args...) and returns the number of
// bytes added. Callbacks see one change.
func (b *Buffer) AddPrintf(format string, args ...any) (int, error) {
	if b.frozenEnd {
		return 0, ErrFrozen
	}
	return fmt.Fprintf(b, format, args...)
}

// Prepend inserts a copy of p at the front. It uses free room before the
// first block's data when there is some, and otherwise new blocks filled
// from their end, so that repeated prepends stay cheap. It fails with
// ErrFrozen when the front is frozen.
func (b *Buffer) Prepend(p []byte) error {
	if b.frozenFront {
		return ErrFrozen
	}
	if len(p) > math.MaxInt-b.n {
		return ErrTooLarge
	}
	if len(p) == 0 {
		return nil
	}
	b.touch()
	orig := b.n
	b.n += len(p)
	if !b.empty() {
		if f := b.firstSeg(); f.blk != nil && f.off > 0 {
			k := min(f.off, len(p))
			copy(f.buf[f.off-k:f.off], p[len(p)-k:])
			f.off -= k
			p = p[:len(p)-k]
		}
	}
	for len(p) > 0 {
		blk := getBlock(min(len(p), maxClass))
		k := min(len(blk.b), len(p))
		copy(blk.b[len(blk.b)-k:], p[len(p)-k:])
		b.pushFront(segment{buf: blk.b, off: len(blk.b) - k, end: len(blk.b), blk: blk})
		p = p[:len(p)-k]
	}
	b.notify(orig, b.n-orig, 0)
	return nil
}

// AddReference appends p without copying it. The buffer reads p until its
// last byte is drained; then (or when the buffer is Reset, or when Pullup
// has copied all of it) release, if not nil, is called exactly once, on the
// goroutine that made the change. When RemoveBuffer splits the reference
// between two buffers, release runs once, after both parts are gone. The
// caller must not modify p until release is called. An empty p calls
// release at once. On error, release is not called and p stays the
// caller's.
func (b *Buffer) AddReference(p []byte, release func()) error {
	if err := b.checkAdd(len(p)); err != nil {
		return err
	}
	if len(p) == 0 {
		if release != nil {
			release()
		}
		return nil
	}
	b.touch()
	orig := b.n
	b.pushBack(segment{buf: p[:len(p):len(p)], end: len(p), release: release})
	b.n += len(p)
	b.notify(orig, len(p), 0)
	return nil
}

// AddFile appends n bytes of f starting at offset off, without reading
// them: WriteToFD sends them with sendfile.Send, and CopyOut, Remove,
// Pullup, ReadLine and Search read them with f.ReadAt only when asked to.
// The buffer takes its own reference (f.Ref) and releases it when the last
// byte is drained or on Reset; the caller keeps its own. The range must
// lie within f.Size() (ErrRange); f must be open (ErrInvalid). n == 0 adds
// nothing.
func (b *Buffer) AddFile(f *sendfile.File, off, n int64) error {
	if f == nil || f.Refs() <= 0 {
		return fmt.Errorf("%w: nil or released file", ErrInvalid)
	}
	if off < 0 || n < 0 || off > f.Size() || n > f.Size()-off {
		return fmt.Errorf("%w: file range [%d, %d+%d) outside size %d", ErrRange, off, off, n, f.Size())
	}
	if b.frozenEnd {
		return ErrFrozen
	}
	if n > int64(math.MaxInt-b.n) {
		return ErrTooLarge
	}
	if n == 0 {
		return nil
	}
	b.touch()
	orig := b.n
	b.pushBack(segment{file: f.Ref(), foff: off, end: int(n)})
	b.n += int(n)
	b.notify(orig, int(n), 0)
	return nil
}

// tinyMerge is the largest first segment of a source buffer that AddBuffer
// copies into free room of the destination's last block rather than link.
const tinyMerge = 256

// AddBuffer moves all of src's bytes to the end of b, leaving src empty.
// Segments are moved, not copied; only a tiny first segment of src (at most
// 256 bytes of owned memory) may be copied into free room of b's last
// block, and a segment of at most 1 KiB alone in a much larger block is
// copied so the block can be reused at once. It fails with ErrFrozen when b's end or src's front is frozen, and
// ErrInvalid when src is nil or b.
func (b *Buffer) AddBuffer(src *Buffer) error {
	return b.moveAll(src, b.frozenEnd, func() {
		i := src.head
		if f := &src.segs[i]; !b.empty() && f.blk != nil && f.len() <= tinyMerge && b.lastSeg().room() >= f.len() {
			t := b.lastSeg()
			t.end += copy(t.buf[t.end:], f.bytes())
			f.free()
			*f = segment{}
			i++
		}
		for ; i < len(src.segs); i++ {
			if src.segs[i].len() <= copyBreak {
				b.pushMoved(src.segs[i])
			} else {
				b.pushBack(src.segs[i])
			}
			src.segs[i] = segment{}
		}
		src.resetSegs()
	})
}

// copyBreak is the most bytes of owned memory a move copies instead of
// linking their block: a segment this small in a block at least four times
// the size class it needs (the tail of a 16 KiB read holding a 13-byte
// body) is copied into a right-sized block, and the big block goes back to
// its pool at once instead of living as long as the destination, which may
// be a request nobody drains. Larger data always moves without copying.
const copyBreak = 1024

// slack reports whether s is a small owned segment in a much larger block:
// one that moves by copy (see copyBreak).
func (s *segment) slack() bool {
	n := s.len()
	return s.blk != nil && n <= copyBreak && (s.blk.class < 0 || int(s.blk.class) >= classOf(n)+2)
}

// compact replaces a slack segment by a copy of its bytes in a right-sized
// block and frees the big one.
func (s *segment) compact() {
	if !s.slack() {
		return
	}
	blk := getBlock(s.len())
	n := copy(blk.b, s.bytes())
	s.free()
	*s = segment{buf: blk.b, end: n, blk: blk}
}

// pushMoved links s, a segment moved from another buffer, at the end of
// the chain; a slack s is copied instead, into free room of the last block
// when there is enough, else into a right-sized block. b.n is the caller's
// to update.
func (b *Buffer) pushMoved(s segment) {
	if s.slack() && !b.empty() {
		if t := b.lastSeg(); t.blk != nil && t.room() >= s.len() {
			t.end += copy(t.buf[t.end:], s.bytes())
			s.free()
			return
		}
	}
	s.compact()
	b.pushBack(s)
}

// PrependBuffer moves all of src's bytes to the front of b, leaving src
// empty, by moving segments. It fails with ErrFrozen when b's or src's
// front is frozen, and ErrInvalid when src is nil or b.
func (b *Buffer) PrependBuffer(src *Buffer) error {
	return b.moveAll(src, b.frozenFront, func() {
		k := src.nsegs()
		b.makeFrontRoom(k)
		b.head -= k
		copy(b.segs[b.head:], src.segs[src.head:])
		clear(src.segs)
		src.resetSegs()
	})
}

// moveAll is AddBuffer and PrependBuffer around their one difference:
// with b non-empty, splice links src's segments into b's chain (at the
// end or the front) and empties src's. bFrozen is whether the end of b
// that receives the bytes is frozen. An empty b just swaps chains with
// src, both slices keeping their capacity.
func (b *Buffer) moveAll(src *Buffer, bFrozen bool, splice func()) error {
	if src == nil || src == b {
		return ErrInvalid
	}
	if bFrozen || src.frozenFront {
		return ErrFrozen
	}
	if src.n > math.MaxInt-b.n {
		return ErrTooLarge
	}
	if src.n == 0 {
		return nil
	}
	b.touch()
	src.touch()
	orig, moved := b.n, src.n
	if b.empty() {
		b.segs, src.segs = src.segs, b.segs[:0]
		b.head, src.head = src.head, 0
		if f := b.firstSeg(); f.len() <= copyBreak {
			f.compact()
		}
		if l := b.lastSeg(); l.len() <= copyBreak {
			l.compact()
		}
	} else {
		splice()
	}
	b.n += moved
	src.n = 0
	src.notify(moved, 0, moved)
	b.notify(orig, moved, 0)
	return nil
}

// RemoveBuffer moves up to n bytes from the front of b to the end of dst
// and returns how many it moved (min(n, Len())). Whole segments are moved
// (a segment of at most 1 KiB in a much larger block is copied, as in
// AddBuffer);
// a segment cut by the boundary is copied if it is owned memory (at most
// one partial block), and split without copying if it is a reference (one
// release for both parts, after both are drained) or a file range (each
// part holds its own file reference). It fails with ErrFrozen when b's
// front or dst's end is frozen, and ErrInvalid for a negative n, a nil dst
// or dst == b.
func (b *Buffer) RemoveBuffer(dst *Buffer, n int) (int, error) {
	if dst == nil || dst == b || n < 0 {
		return 0, ErrInvalid
	}
	if b.frozenFront || dst.frozenEnd {
		return 0, ErrFrozen
	}
	n = min(n, b.n)
	if n > math.MaxInt-dst.n {
		return 0, ErrTooLarge
	}
	if n == 0 {
		return 0, nil
	}
	if n == b.n {
		return n, dst.AddBuffer(b)
	}
	b.touch()
	dst.touch()
	origSrc, origDst := b.n, dst.n
	left := n
	for left > 0 {
		s := b.firstSeg()
		if l := s.len(); l <= left {
			if l <= copyBreak {
				dst.pushMoved(*s)
			} else {
				dst.pushBack(*s) // the common case stays a plain link
			}
			b.popFront()
			left -= l
			b.n -= l
			dst.n += l
			continue
		}
		if s.blk != nil {
			appendData(dst, s.bytes()[:left])
			s.off += left
		} else {
			dst.pushBack(s.splitFront(left))
			dst.n += left
		}
		b.n -= left
		left = 0
	}
	b.notify(origSrc, 0, n)
	dst.notify(origDst, n, 0)
	return n, nil
}

// Drain removes the first n bytes (all of them if n > Len()). Blocks go back
// to their pool, references are released and file references dropped as
// their last byte goes. It fails with ErrFrozen when the front is frozen
// and ErrInvalid for a negative n.
func (b *Buffer) Drain(n int) error {
	if n < 0 {
		return ErrInvalid
	}
	if b.frozenFront {
		return ErrFrozen
	}
	n = min(n, b.n)
	if n == 0 {
		return nil
	}
	b.touch()
	orig := b.n
	b.drain(n, false)
	b.notify(orig, 0, n)
	return nil
}

// drain drops the first n <= b.n bytes. With hold, a first segment that is
// drained completely is kept in b.held instead of being freed (ReadLine's
// line points into it).
func (b *Buffer) drain(n int, hold bool) {
	b.n -= n
	for n > 0 {
		s := b.firstSeg()
		l := s.len()
		if l > n {
			s.off += n
			return
		}
		n -= l
		if hold {
			b.held = append(b.held, *s)
			hold = false
		} else {
			s.free()
		}
		b.popFront()
	}
}

// Remove copies up to len(p) bytes from the front into p, drains them, and
// returns how many. An empty buffer gives (0, nil). A file segment that
// cannot be read stops the copy: the bytes before it are removed and an
// error wrapping ErrFileRead returned. It fails with ErrFrozen when the
// front is frozen.
func (b *Buffer) Remove(p []byte) (int, error) {
	if b.frozenFront {
		return 0, ErrFrozen
	}
	n, err := b.copyOut(cursor{}, p)
	if n > 0 {
		b.touch()
		orig := b.n
		b.drain(n, false)
		b.notify(orig, 0, n)
	}
	return n, err
}

// CopyOut copies up to len(p) bytes from the front into p without draining
// them and returns how many. File segments are read with ReadAt; a failing
// read returns the bytes copied before it and an error wrapping
// ErrFileRead.
func (b *Buffer) CopyOut(p []byte) (int, error) {
	return b.copyOut(cursor{}, p)
}

// CopyOutFrom is CopyOut starting at ptr instead of the front. A ptr
// outside [0, Len()] gives ErrRange.
func (b *Buffer) CopyOutFrom(ptr Ptr, p []byte) (int, error) {
	c, ok := b.resolve(&ptr)
	if !ok {
		return 0, ErrRange
	}
	return b.copyOut(c, p)
}

// copyOut copies bytes from cursor c into p.
func (b *Buffer) copyOut(c cursor, p []byte) (int, error) {
	done := 0
	for i := c.seg; i < b.nsegs() && done < len(p); i++ {
		s := b.seg(i)
		rel := 0
		if i == c.seg {
			rel = c.off
		}
		k := min(s.len()-rel, len(p)-done)
		if s.file != nil {
			if err := s.readFile(p[done:done+k], rel); err != nil {
				return done, err
			}
		} else {
			copy(p[done:], s.buf[s.off+rel:s.off+rel+k])
		}
		done += k
	}
	return done, nil
}

// Peek appends to vecs slices covering the first n bytes (all if n < 0)
// without copying, and returns the extended vecs. It stops at the first
// file segment, whose bytes are not in memory (Pullup reads them into a
// block first), so the slices may cover fewer than n bytes. The slices
// alias the buffer and stay valid until the next change to it; their
// capacity is clipped, so appending to one never writes into the buffer.
// The caller must not modify them.
func (b *Buffer) Peek(n int, vecs [][]byte) [][]byte {
	if n < 0 {
		n = b.n
	}
	for i := 0; i < b.nsegs() && n > 0; i++ {
		s := b.seg(i)
		if s.file != nil {
			break
		}
		k := min(s.len(), n)
		vecs = append(vecs, s.buf[s.off:s.off+k:s.off+k])
		n -= k
	}
	return vecs
}

// Front returns the bytes at the front of the buffer that lie in its first
// memory segment, without copying: nil when the buffer is empty or starts
// with a file segment. It is Peek for one slice, for parsers that look for
// a delimiter in the common case where it is in the first segment. The
// slice aliases the buffer, stays valid until the next change to it, has
// its capacity clipped, and must not be modified.
func (b *Buffer) Front() []byte {
	if b.empty() {
		return nil
	}
	s := b.firstSeg()
	if s.file != nil {
		return nil
	}
	return s.buf[s.off:s.end:s.end]
}

// Pullup makes the first n bytes (all if n < 0) contiguous in memory and
// returns them. When they already lie in one memory segment nothing is
// copied; otherwise they are copied (file segments read) into one new block
// and only the bytes after n stay where they were. The slice aliases the
// buffer and stays valid until the next change to it; its capacity is
// clipped. It fails with ErrShort when n > Len() and with an error
// wrapping ErrFileRead, leaving the buffer unchanged, when a file segment
// cannot be read. Pullup(0) returns (nil, nil).
func (b *Buffer) Pullup(n int) ([]byte, error) {
	if n < 0 {
		n = b.n
	}
	if n > b.n {
		return nil, ErrShort
	}
	if n == 0 {
		return nil, nil
	}
	if f := b.firstSeg(); f.file == nil && f.len() >= n {
		return f.buf[f.off : f.off+n : f.off+n], nil
	}
	blk := getBlock(n)
	if _, err := b.copyOut(cursor{}, blk.b[:n]); err != nil {
		putBlock(blk)
		return nil, err
	}
	b.touch()
	b.drain(n, false)
	b.pushFront(segment{buf: blk.b, end: n, blk: blk})
	b.n += n
	return blk.b[:n:n], nil
}

// ContiguousSpace returns the number of bytes stored contiguously in memory
// at the front of the buffer (libevent's evbuffer_get_contiguous_space):
// the length of the first segment, or 0 when it is a file range or the
// buffer is empty. Pullup(ContiguousSpace()) never copies.
func (b *Buffer) ContiguousSpace() int {
	if b.empty() {
		return 0
	}
	if f := b.firstSeg(); f.file == nil {
		return f.len()
	}
	return 0
}

// Reset empties the buffer whatever its freeze state: blocks go back to
// their pools (the spare one too), references are released and file
// references dropped. Callbacks see the deletion.
func (b *Buffer) Reset() {
	orig := b.n
	b.touch()
	for i := b.head; i < len(b.segs); i++ {
		b.segs[i].free()
	}
	clear(b.segs)
	b.resetSegs()
	b.n = 0
	if b.spare != nil {
		putBlock(b.spare)
		b.spare = nil
	}
	b.notify(orig, 0, orig)
}

// Trim gives back memory the buffer keeps beyond its bytes: the blocks
// that lines returned by ReadLine still point into (those lines become
// invalid), a block set aside by Reserve or Expand (a pending reservation
// is abandoned), and, when the buffer is empty, its segment list. The bytes
// are untouched and callbacks are not called. A server calls it when a
// connection goes idle, so that idle connections hold no buffer memory.
func (b *Buffer) Trim() {
	b.touch()
	if b.cbDepth == 0 {
		b.held = nil
	}
	b.resv = resvNone
	if b.spare != nil {
		putBlock(b.spare)
		b.spare = nil
	}
	if b.empty() {
		b.head = 0
		b.segs = nil
	}
}

// Freeze freezes the front (atFront) or the end of the buffer: operations
// that change a frozen end fail with ErrFrozen until Unfreeze. Bufferevents
// freeze the end of their input (only the connection adds to it) and the
// front of their output (only the connection drains it).
func (b *Buffer) Freeze(atFront bool) {
	if atFront {
		b.frozenFront = true
	} else {
		b.frozenEnd = true
	}
}

// Unfreeze undoes Freeze for the front (atFront) or the end.
func (b *Buffer) Unfreeze(atFront bool) {
	if atFront {
		b.frozenFront = false
	} else {
		b.frozenEnd = false
	}
}

// Frozen reports whether the front (atFront) or the end is frozen.
func (b *Buffer) Frozen(atFront bool) bool {
	if atFront {
		return b.frozenFront
	}
	return b.frozenEnd
}

// DefaultMaxRead is the default for SetMaxRead: the most bytes one
// ReadFromFD call reads.
const DefaultMaxRead = 64 << 10

// SetMaxRead sets the most bytes one ReadFromFD call reads (libevent's
// evbuffer_set_max_read). n must be positive (ErrInvalid); the default is
// DefaultMaxRead.
func (b *Buffer) SetMaxRead(n int) error {
	if n <= 0 {
		return ErrInvalid
	}
	b.maxRead = n
	return nil
}

// MaxRead returns the most bytes one ReadFromFD call reads.
func (b *Buffer) MaxRead() int {
	if b.maxRead == 0 {
		return DefaultMaxRead
	}
	return b.maxRead
}
