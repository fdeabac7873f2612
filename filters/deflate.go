package filters

import (
	"bytes"
	"errors"
	"fmt"
	"hash/adler32"
	"io"

	"github.com/goevent/goevent/bufferevent"
	"github.com/goevent/goevent/evbuffer"
	"github.com/klauspost/compress/flate"
	"github.com/klauspost/compress/zlib"
)

// A DeflateWriter is a Compressor writing raw deflate (RFC 1951): no header,
// no checksum. HTTP's "deflate" is zlib: use ZlibWriter for that.
type DeflateWriter struct {
	w      *flate.Writer
	closed bool
}

// NewDeflateWriter returns a DeflateWriter writing to dst at level
// (HuffmanOnly, NoCompression, BestSpeed to BestCompression, or DefaultLevel);
// another level gives an error wrapping ErrLevel.
func NewDeflateWriter(dst *evbuffer.Buffer, level int) (*DeflateWriter, error) {
	if err := checkFlateLevel(level); err != nil {
		return nil, err
	}
	w, err := flate.NewWriter(sink(dst), level)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrLevel, err)
	}
	return &DeflateWriter{w: w}, nil
}

// Write compresses p (Compressor.Write).
func (w *DeflateWriter) Write(p []byte) (int, error) {
	if w.closed {
		return 0, fmt.Errorf("%w: write after Close", ErrClosed)
	}
	return w.w.Write(p)
}

// Flush sync-flushes (Compressor.Flush): it ends the current block and adds
// an empty stored block, so the peer can decode everything written so far.
func (w *DeflateWriter) Flush() error {
	if w.closed {
		return nil
	}
	return w.w.Flush()
}

// Close writes the final block (Compressor.Close). Closing twice does nothing.
func (w *DeflateWriter) Close() error {
	if w.closed {
		return nil
	}
	w.closed = true
	return w.w.Close()
}

// Reset starts a new stream written to dst (Compressor.Reset).
func (w *DeflateWriter) Reset(dst *evbuffer.Buffer) {
	w.w.Reset(sink(dst))
	w.closed = false
}

// A ZlibWriter is a Compressor writing zlib (RFC 1950): deflate with a two-byte
// header and an Adler-32 trailer. This is what HTTP calls "deflate".
type ZlibWriter struct {
	w      *zlib.Writer
	closed bool
}

// NewZlibWriter returns a ZlibWriter writing to dst at level, which is checked
// as in NewDeflateWriter.
func NewZlibWriter(dst *evbuffer.Buffer, level int) (*ZlibWriter, error) {
	if err := checkFlateLevel(level); err != nil {
		return nil, err
	}
	w, err := zlib.NewWriterLevel(sink(dst), level)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrLevel, err)
	}
	return &ZlibWriter{w: w}, nil
}

// Write compresses p (Compressor.Write).
func (w *ZlibWriter) Write(p []byte) (int, error) {
	if w.closed {
		return 0, fmt.Errorf("%w: write after Close", ErrClosed)
	}
	return w.w.Write(p)
}

// Flush sync-flushes (Compressor.Flush).
func (w *ZlibWriter) Flush() error {
	if w.closed {
		return nil
	}
	return w.w.Flush()
}

// Close writes the final block and the Adler-32 trailer (Compressor.Close).
// Closing twice does nothing.
func (w *ZlibWriter) Close() error {
	if w.closed {
		return nil
	}
	w.closed = true
	return w.w.Close()
}

// Reset starts a new stream written to dst (Compressor.Reset).
func (w *ZlibWriter) Reset(dst *evbuffer.Buffer) {
	w.w.Reset(sink(dst))
	w.closed = false
}

// DeflateCompress returns a FilterFunc compressing to raw deflate (RFC 1951)
// at level; see the package doc for modes and limits.
func DeflateCompress(level int) (bufferevent.FilterFunc, error) {
	return newCompressFilter(func(dst *evbuffer.Buffer) (Compressor, error) { return NewDeflateWriter(dst, level) })
}

// ZlibCompress returns a FilterFunc compressing to zlib (RFC 1950, HTTP's
// "deflate") at level; see the package doc for modes and limits.
func ZlibCompress(level int) (bufferevent.FilterFunc, error) {
	return newCompressFilter(func(dst *evbuffer.Buffer) (Compressor, error) { return NewZlibWriter(dst, level) })
}

// NewDeflateDecompressor returns a Decompressor for raw deflate. After the
// final block, more input is an error wrapping ErrCorrupt.
func NewDeflateDecompressor(opts ...DecompressOption) *Decompressor {
	return newDecompressor(Deflate, opts)
}

// NewZlibDecompressor returns a Decompressor for zlib. One stream is decoded;
// more input after its trailer is an error wrapping ErrCorrupt. A stream
// with a preset dictionary fails with ErrUnsupported.
func NewZlibDecompressor(opts ...DecompressOption) *Decompressor {
	d := newDecompressor(Zlib, opts)
	d.sum = adler32.New()
	return d
}

// DeflateDecompress returns a FilterFunc decoding raw deflate.
func DeflateDecompress(opts ...DecompressOption) bufferevent.FilterFunc {
	return decompressFilter(NewDeflateDecompressor(opts...))
}

// ZlibDecompress returns a FilterFunc decoding zlib (HTTP's "deflate").
func ZlibDecompress(opts ...DecompressOption) bufferevent.FilterFunc {
	return decompressFilter(NewZlibDecompressor(opts...))
}

// parseZlibHeader returns the header length, or 0 when more bytes are needed.
func parseZlibHeader(b []byte) (int, error) {
	if len(b) < 2 {
		return 0, nil
	}
	cmf, flg := b[0], b[1]
	if cmf&0x0f != 8 || cmf>>4 > 7 || (uint16(cmf)<<8|uint16(flg))%31 != 0 {
		return 0, fmt.Errorf("%w: bad zlib header", ErrCorrupt)
	}
	if flg&0x20 != 0 {
		return 0, fmt.Errorf("%w: zlib preset dictionary", ErrUnsupported)
	}
	return 2, nil
}

// inflater drives klauspost's inflater over the buffered input, restarting
// it from the last block boundary when it ran dry (see the package doc).
type inflater struct {
	fr        io.ReadCloser // live inflater, or nil
	br        bytes.Reader  // fr's input: a window on Decompressor.in
	brAbs     int64         // absolute offset of br's first byte
	cp        flate.InflateCheckpoint
	win       []byte // cp.Window's memory
	dstart    int64  // absolute offset of the deflate stream
	uout      int64  // bytes of this deflate stream handed out
	dpos      int64  // offset in the deflate stream's output of fr's next byte
	starvedAt int64  // inEnd when fr last ran dry; -1 if it has not
	skew      int64  // bytes fr's offsets run ahead of the truth (see checkpoint)
	onEOB     func(flate.InflateCheckpoint)
}

func (f *inflater) reset(dstart int64) {
	f.fr = nil
	f.cp = flate.InflateCheckpoint{}
	f.dstart = dstart
	f.uout, f.dpos = 0, 0
	f.starvedAt = -1
}

// keepFrom returns the absolute offset of the last block boundary.
func (f *inflater) keepFrom() int64 { return f.dstart + f.cp.CompressedOffset }

// checkpoint records the inflater's state at the end of a block.
//
// klauspost/compress v1.20.4 counts twice the whole bytes left in the bit
// buffer when a stored block starts (decompressor.dataBlock adds them to
// roffset again), so after such a block the reported CompressedOffset runs
// ahead by that skew. The bytes fr really took from br are known here, and at
// the end of a stored block the bit buffer is empty, so the reported bit
// position is then exactly (taken + skew) bytes; at the end of a Huffman block
// the skew is unchanged and the true position lies at or before taken. So a
// byte-aligned checkpoint that claims more than taken reveals the new skew.
// Should a later release fix the count, the skew stays 0.
func (d *Decompressor) checkpoint(cp flate.InflateCheckpoint) {
	f := &d.inflate
	taken := f.brAbs + f.br.Size() - int64(f.br.Len()) - f.dstart
	if cp.BitOffset == 0 {
		f.skew = max(f.skew, cp.CompressedOffset-taken)
	}
	cp.CompressedOffset -= f.skew
	f.win = append(f.win[:0], cp.Window...)
	cp.Window = f.win
	f.cp = cp
}

// body inflates; it returns stopBudget to go on after the end of the stream.
func (d *Decompressor) body() (stop, error) {
	f := &d.inflate
	for d.pend.Len() < outHigh {
		if f.fr == nil {
			if f.starvedAt == d.inEnd() {
				return stopInput, nil
			}
			start := f.keepFrom()
			f.br.Reset(d.in[start-d.inOff:])
			f.brAbs = start
			f.fr = flate.NewReaderOpts(&f.br, flate.WithResumeFrom(f.cp), flate.WithEobCallback(f.onEOB))
			f.dpos = f.cp.UncompressedOffset
			f.skew = 0
		} else { // let fr see what was added to d.in since
			pos := f.brAbs + f.br.Size() - int64(f.br.Len())
			f.br.Reset(d.in[pos-d.inOff:])
			f.brAbs = pos
		}
		buf := d.pend.Reserve(32 << 10)
		n, err := f.fr.Read(buf)
		skip := 0
		if f.dpos < f.uout {
			skip = int(min(int64(n), f.uout-f.dpos))
		}
		f.dpos += int64(n)
		if m := n - skip; m > 0 {
			copy(buf, buf[skip:n])
			k, gerr := d.emit(buf[:m])
			if cerr := d.pend.Commit(k); cerr != nil && gerr == nil {
				gerr = cerr
			}
			f.uout += int64(k)
			if gerr != nil {
				return stopInput, gerr
			}
		} else {
			_ = d.pend.Commit(0)
		}
		switch {
		case err == nil:
		case err == io.EOF:
			d.hpos = f.brAbs + f.br.Size() - int64(f.br.Len())
			f.fr = nil
			d.state = stTrailer
			return stopBudget, nil
		case errors.Is(err, io.ErrUnexpectedEOF):
			f.fr = nil
			f.starvedAt = d.inEnd()
			return stopInput, nil
		default:
			f.fr = nil
			return stopInput, fmt.Errorf("%w: deflate: %w", ErrCorrupt, err)
		}
	}
	return stopBudget, nil
}
