package evbuffer

import (
	"fmt"
	"io"
	"sync/atomic"

	"github.com/goevent/goevent/sendfile"
)

// A segment is one link of a Buffer's chain, and holds at least one byte.
// It is one of three kinds:
//
//   - owned: blk != nil. buf is the whole pooled block and the data is
//     buf[off:end]; buf[end:] is free room that Add, Reserve and
//     ReadFromFD fill, and buf[:off] room that Prepend fills. Owned blocks
//     are never shared between segments, so writing into room is safe.
//   - reference: blk == nil && file == nil. buf is the caller's memory
//     (capacity clipped) and the data is buf[off:end]. release, if not
//     nil, is called once when the buffer no longer refers to the memory;
//     when a reference is split between two segments (RemoveBuffer), both
//     halves point at one refShare and the last half to go calls release.
//   - file: file != nil. The data is the file's bytes [foff+off, foff+end).
//     The segment holds its own reference on file, dropped when the last
//     byte is drained; splitting takes another reference for the new half.
type segment struct {
	buf      []byte
	off, end int
	blk      *block
	release  func()
	share    *refShare
	file     *sendfile.File
	foff     int64
}

// refShare counts the segments that share one reference's release.
type refShare struct {
	n atomic.Int32
}

func (s *segment) len() int { return s.end - s.off }

// bytes is the segment's data; memory segments only.
func (s *segment) bytes() []byte { return s.buf[s.off:s.end] }

// room is the free space after the data, for owned blocks.
func (s *segment) room() int {
	if s.blk == nil {
		return 0
	}
	return len(s.buf) - s.end
}

// free gives the segment's resources back: the block to its pool, the
// reference's release (once per reference, after every split half went),
// the file reference. The caller then clears or drops s.
func (s *segment) free() {
	switch {
	case s.blk != nil:
		putBlock(s.blk)
	case s.file != nil:
		// A close error of the last reference has nobody to go to: the
		// file was opened read-only, so nothing is lost.
		_ = s.file.Release()
	case s.release != nil:
		if s.share == nil || s.share.n.Add(-1) == 0 {
			s.release()
		}
	}
}

// splitFront cuts the first k bytes (0 < k < len) off a reference or file
// segment without copying and returns them as a new segment; s keeps the
// rest. Owned segments are never split (their bytes are copied instead).
func (s *segment) splitFront(k int) segment {
	front := *s
	front.end = s.off + k
	s.off += k
	switch {
	case s.file != nil:
		front.file = s.file.Ref() // we hold a reference, so Ref cannot fail
	case s.release != nil:
		if s.share == nil {
			s.share = new(refShare)
			s.share.n.Store(2)
			front.share = s.share
		} else {
			s.share.n.Add(1)
		}
	}
	return front
}

// readFile fills p with the file segment's bytes starting rel bytes into
// its data.
func (s *segment) readFile(p []byte, rel int) error {
	n, err := s.file.ReadAt(p, s.foff+int64(s.off+rel))
	if n == len(p) {
		return nil
	}
	if err == nil || err == io.EOF {
		err = io.ErrUnexpectedEOF
	}
	return fmt.Errorf("%w: %s at offset %d: %w", ErrFileRead, s.file.Name(), s.foff+int64(s.off+rel)+int64(n), err)
}
