package evbuffer

import (
	"errors"
	"io"
)

// Interfaces from package io that *Buffer implements.
var (
	_ io.Reader       = (*Buffer)(nil)
	_ io.Writer       = (*Buffer)(nil)
	_ io.WriterTo     = (*Buffer)(nil)
	_ io.ReaderFrom   = (*Buffer)(nil)
	_ io.ByteReader   = (*Buffer)(nil)
	_ io.StringWriter = (*Buffer)(nil)
)

// Read implements io.Reader: it is Remove, except that an empty buffer
// returns (0, io.EOF) when len(p) > 0.
func (b *Buffer) Read(p []byte) (int, error) {
	if len(p) == 0 {
		return 0, nil
	}
	if b.n == 0 {
		if b.frozenFront {
			return 0, ErrFrozen
		}
		return 0, io.EOF
	}
	return b.Remove(p)
}

// Write implements io.Writer: it appends a copy of p (Add) and returns
// len(p), or 0 and ErrFrozen when the end is frozen.
func (b *Buffer) Write(p []byte) (int, error) {
	if err := b.Add(p); err != nil {
		return 0, err
	}
	return len(p), nil
}

// WriteString implements io.StringWriter, like Write.
func (b *Buffer) WriteString(s string) (int, error) {
	if err := b.AddString(s); err != nil {
		return 0, err
	}
	return len(s), nil
}

// ReadByte implements io.ByteReader: it removes and returns the first
// byte, or returns io.EOF when the buffer is empty.
func (b *Buffer) ReadByte() (byte, error) {
	if b.frozenFront {
		return 0, ErrFrozen
	}
	if b.n == 0 {
		return 0, io.EOF
	}
	var c byte
	f := b.firstSeg()
	if f.file == nil {
		c = f.buf[f.off]
	} else {
		var one [1]byte
		if err := f.readFile(one[:], 0); err != nil {
			return 0, err
		}
		c = one[0]
	}
	b.touch()
	orig := b.n
	b.drain(1, false)
	b.notify(orig, 0, 1)
	return c, nil
}

// WriteTo implements io.WriterTo: it writes the buffer's bytes to w,
// draining each as w accepts it, until the buffer is empty or w fails.
// Memory segments are handed to w as they are; file segments are read in
// pieces into a pooled block. It returns the bytes written; on error the
// unwritten bytes stay in the buffer.
func (b *Buffer) WriteTo(w io.Writer) (int64, error) {
	if b.frozenFront {
		return 0, ErrFrozen
	}
	var total int64
	var scratch *block
	defer func() {
		if scratch != nil {
			putBlock(scratch)
		}
	}()
	for b.n > 0 {
		f := b.firstSeg()
		var d []byte
		if f.file == nil {
			d = f.bytes()
		} else {
			if scratch == nil {
				scratch = getBlock(maxClass)
			}
			d = scratch.b[:min(f.len(), len(scratch.b))]
			if err := f.readFile(d, 0); err != nil {
				return total, err
			}
		}
		k, err := w.Write(d)
		if k < 0 || k > len(d) {
			k, err = 0, errors.Join(err, errors.New("evbuffer: writer returned an invalid count"))
		}
		if k > 0 {
			b.touch()
			orig := b.n
			b.drain(k, false)
			b.notify(orig, 0, k)
			total += int64(k)
		}
		if err != nil {
			return total, err
		}
		if k < len(d) {
			return total, io.ErrShortWrite
		}
	}
	return total, nil
}

// readFromMin is the least free room ReadFrom reads into.
const readFromMin = 4096

// ReadFrom implements io.ReaderFrom: it appends what r yields until io.EOF
// (which is not returned) or another error, and returns the bytes added.
// Callbacks see each read as one change. It fails with ErrFrozen when the
// end is frozen.
func (b *Buffer) ReadFrom(r io.Reader) (int64, error) {
	if b.frozenEnd {
		return 0, ErrFrozen
	}
	var total int64
	for empties := 0; ; {
		b.touch()
		var room []byte
		var blk *block
		if !b.empty() {
			if t := b.lastSeg(); t.blk != nil && t.room() >= readFromMin/4 {
				room = t.buf[t.end:]
			}
		}
		if room == nil {
			blk = b.newBlock(readFromMin)
			room = blk.b
		}
		k, err := r.Read(room)
		if k < 0 || k > len(room) {
			k, err = 0, errors.Join(err, errors.New("evbuffer: reader returned an invalid count"))
		}
		if k > 0 {
			empties = 0
			orig := b.n
			if blk != nil {
				b.pushBack(segment{buf: blk.b, end: k, blk: blk})
			} else {
				b.lastSeg().end += k
			}
			b.n += k
			total += int64(k)
			b.notify(orig, k, 0)
		} else if blk != nil {
			putBlock(blk)
		}
		if err == io.EOF {
			return total, nil
		}
		if err != nil {
			return total, err
		}
		if k == 0 {
			if empties++; empties >= 100 {
				return total, io.ErrNoProgress
			}
		}
		if b.frozenEnd { // a callback froze the end
			return total, nil
		}
	}
}
