package filters

import (
	"bytes"
	"fmt"
	"hash/crc32"

	"github.com/goevent/goevent/bufferevent"
	"github.com/goevent/goevent/evbuffer"
	"github.com/klauspost/compress/gzip"
)

// A GzipWriter is a Compressor writing gzip (RFC 1952): one member, with the
// default header (no name, no time).
type GzipWriter struct {
	w      *gzip.Writer
	closed bool
}

// NewGzipWriter returns a GzipWriter writing to dst at level, which is checked
// as in NewDeflateWriter.
func NewGzipWriter(dst *evbuffer.Buffer, level int) (*GzipWriter, error) {
	if err := checkFlateLevel(level); err != nil {
		return nil, err
	}
	w, err := gzip.NewWriterLevel(sink(dst), level)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrLevel, err)
	}
	return &GzipWriter{w: w}, nil
}

// Write compresses p (Compressor.Write).
func (w *GzipWriter) Write(p []byte) (int, error) {
	if w.closed {
		return 0, fmt.Errorf("%w: write after Close", ErrClosed)
	}
	return w.w.Write(p)
}

// Flush sync-flushes (Compressor.Flush), writing the header first if nothing
// was written yet.
func (w *GzipWriter) Flush() error {
	if w.closed {
		return nil
	}
	return w.w.Flush()
}

// Close writes the final block and the CRC-32 and size trailer
// (Compressor.Close). Closing twice does nothing.
func (w *GzipWriter) Close() error {
	if w.closed {
		return nil
	}
	w.closed = true
	return w.w.Close()
}

// Reset starts a new member written to dst (Compressor.Reset).
func (w *GzipWriter) Reset(dst *evbuffer.Buffer) {
	w.w.Reset(sink(dst))
	w.closed = false
}

// GzipCompress returns a FilterFunc compressing to gzip at level; see the
// package doc for modes and limits.
func GzipCompress(level int) (bufferevent.FilterFunc, error) {
	return newCompressFilter(func(dst *evbuffer.Buffer) (Compressor, error) { return NewGzipWriter(dst, level) })
}

// NewGzipDecompressor returns a Decompressor for gzip. Concatenated members
// are decoded one after the other, as gzip(1) does; header fields (name,
// comment, extra) are checked and skipped, and a header CRC is verified.
// Empty input is an empty stream.
func NewGzipDecompressor(opts ...DecompressOption) *Decompressor {
	d := newDecompressor(Gzip, opts)
	d.sum = crc32.NewIEEE()
	return d
}

// GzipDecompress returns a FilterFunc decoding gzip; see the package doc.
func GzipDecompress(opts ...DecompressOption) bufferevent.FilterFunc {
	return decompressFilter(NewGzipDecompressor(opts...))
}

// gzip header flags
const (
	gzipFText    = 1 << 0
	gzipFHCRC    = 1 << 1
	gzipFExtra   = 1 << 2
	gzipFName    = 1 << 3
	gzipFComment = 1 << 4
)

// parseGzipHeader returns the length of the gzip member header at the start
// of b, or 0 when b does not hold all of it yet.
func parseGzipHeader(b []byte) (int, error) {
	if len(b) >= 1 && b[0] != 0x1f || len(b) >= 2 && b[1] != 0x8b {
		return 0, fmt.Errorf("%w: not gzip (bad magic)", ErrCorrupt)
	}
	if len(b) < 10 {
		return 0, nil
	}
	if b[2] != 8 {
		return 0, fmt.Errorf("%w: gzip compression method %d", ErrCorrupt, b[2])
	}
	flg := b[3]
	if flg&0xe0 != 0 {
		return 0, fmt.Errorf("%w: reserved gzip flags %#x", ErrCorrupt, flg)
	}
	n := 10
	if flg&gzipFExtra != 0 {
		if len(b) < n+2 {
			return 0, nil
		}
		n += 2 + int(b[n]) | int(b[n+1])<<8
		if len(b) < n {
			return 0, nil
		}
	}
	for _, f := range []byte{gzipFName, gzipFComment} {
		if flg&f == 0 {
			continue
		}
		i := bytes.IndexByte(b[n:], 0)
		if i < 0 {
			return 0, nil
		}
		n += i + 1
	}
	if flg&gzipFHCRC != 0 {
		if len(b) < n+2 {
			return 0, nil
		}
		want := uint16(b[n]) | uint16(b[n+1])<<8
		if uint16(crc32.ChecksumIEEE(b[:n])) != want {
			return 0, fmt.Errorf("%w: gzip header CRC mismatch", ErrCorrupt)
		}
		n += 2
	}
	return n, nil
}
