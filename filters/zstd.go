package filters

import (
	"errors"
	"fmt"

	"github.com/goevent/goevent/bufferevent"
	"github.com/goevent/goevent/evbuffer"
	"github.com/klauspost/compress/zstd"
)

// zstdWindow is the window ZstdWriter uses: large enough for good ratios on
// HTTP bodies, small enough for the peer's decoder memory.
const zstdWindow = 1 << 20

// A ZstdWriter is a Compressor writing zstd (RFC 8878): one frame per stream,
// with a checksum, a 1 MiB window, and klauspost's encoder at concurrency 1
// (synchronous, no goroutines).
type ZstdWriter struct {
	e      *zstd.Encoder
	closed bool
}

// NewZstdWriter returns a ZstdWriter writing to dst at level: 1 to 22 in
// zstd's scale (mapped onto klauspost's four speeds: below 3 fastest, 3 to 5
// default, 6 to 9 better, 10 and above best), or DefaultLevel. Another level
// gives an error wrapping ErrLevel.
func NewZstdWriter(dst *evbuffer.Buffer, level int) (*ZstdWriter, error) {
	if level != DefaultLevel && (level < 1 || level > 22) {
		return nil, fmt.Errorf("%w: %d (want 1 to 22)", ErrLevel, level)
	}
	speed := zstd.SpeedDefault
	if level >= 1 {
		speed = zstd.EncoderLevelFromZstd(level)
	}
	e, err := zstd.NewWriter(sink(dst),
		zstd.WithEncoderConcurrency(1),
		zstd.WithEncoderLevel(speed),
		zstd.WithLowerEncoderMem(true),
		zstd.WithWindowSize(zstdWindow))
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrLevel, err)
	}
	return &ZstdWriter{e: e}, nil
}

// Write compresses p (Compressor.Write).
func (w *ZstdWriter) Write(p []byte) (int, error) {
	if w.closed {
		return 0, fmt.Errorf("%w: write after Close", ErrClosed)
	}
	return w.e.Write(p)
}

// Flush writes the data buffered so far as a block (Compressor.Flush), which
// the peer can decode at once.
func (w *ZstdWriter) Flush() error {
	if w.closed {
		return nil
	}
	return w.e.Flush()
}

// Close writes the last block and the checksum (Compressor.Close). A stream
// to which nothing was written produces no output at all. Closing twice does
// nothing.
func (w *ZstdWriter) Close() error {
	if w.closed {
		return nil
	}
	w.closed = true
	return w.e.Close()
}

// Reset starts a new frame written to dst (Compressor.Reset).
func (w *ZstdWriter) Reset(dst *evbuffer.Buffer) {
	w.e.Reset(sink(dst))
	w.closed = false
}

// ZstdCompress returns a FilterFunc compressing to zstd at level (as in
// NewZstdWriter); see the package doc for modes and limits.
func ZstdCompress(level int) (bufferevent.FilterFunc, error) {
	return newCompressFilter(func(dst *evbuffer.Buffer) (Compressor, error) { return NewZstdWriter(dst, level) })
}

// NewZstdDecompressor returns a Decompressor for zstd. Concatenated frames are
// decoded one after the other, skippable frames are dropped, checksums are
// verified; a frame needing a dictionary fails with ErrUnsupported.
func NewZstdDecompressor(opts ...DecompressOption) *Decompressor {
	return newDecompressor(Zstd, opts)
}

// ZstdDecompress returns a FilterFunc decoding zstd; see the package doc.
func ZstdDecompress(opts ...DecompressOption) bufferevent.FilterFunc {
	return decompressFilter(NewZstdDecompressor(opts...))
}

const (
	maxZstdBlock = 128 << 10
	// maxZstdUnit bounds the input buffered ahead of the decoder: a block,
	// its frame header and checksum, and a few empty blocks before it.
	maxZstdUnit = 256 << 10
	zstdMagic   = 0xfd2fb528
)

// framing parser states
const (
	zsFrame = iota // expecting a frame (or skippable frame) magic
	zsBlock        // expecting a block header
	zsSkip         // inside a skippable frame
)

// errStarved is what zfeed returns past the bytes it may hand out; the
// decoder only sees it at a frame boundary.
var errStarved = errors.New("filters: zstd input withheld")

// zstdState drives klauspost's synchronous zstd decoder, handing it only
// whole blocks (see the package doc).
type zstdState struct {
	dec       *zstd.Decoder // created on first use
	needReset bool          // dec must be Reset before its next Read
	ppos      int64         // absolute offset where framing parsing resumes
	pstate    int
	skipLeft  int64
	hasCRC    bool
	avail     int64 // the decoder may read up to this absolute offset
	atFrame   bool  // avail is at a frame boundary
	rpos      int64 // absolute offset of the decoder's next byte
	feed      zfeed
}

func (z *zstdState) reset() {
	z.needReset = true
	z.ppos, z.avail, z.rpos = 0, 0, 0
	z.pstate = zsFrame
	z.skipLeft = 0
	z.atFrame = true
}

func (z *zstdState) keepFrom() int64 { return z.rpos }

func (z *zstdState) starved(*Decompressor) bool { return z.rpos >= z.avail }

func (z *zstdState) checkEnd(d *Decompressor) error {
	if z.pstate != zsFrame || z.ppos != d.inEnd() || z.rpos < z.avail {
		return fmt.Errorf("%w: zstd stream", ErrTruncated)
	}
	return nil
}

// zfeed is the decoder's io.Reader: Decompressor.in from rpos to avail.
type zfeed struct{ d *Decompressor }

func (f zfeed) Read(p []byte) (int, error) {
	d := f.d
	z := &d.z
	n := int(min(int64(len(p)), z.avail-z.rpos))
	if n <= 0 {
		if len(p) == 0 {
			return 0, nil
		}
		return 0, errStarved
	}
	copy(p, d.in[z.rpos-d.inOff:])
	z.rpos += int64(n)
	return n, nil
}

func (d *Decompressor) zstep() (stop, error) {
	z := &d.z
	for d.pend.Len() < outHigh {
		if z.rpos >= z.avail {
			ok, err := d.zparse()
			if err != nil {
				return stopInput, err
			}
			if !ok {
				return stopInput, nil
			}
			continue
		}
		if z.dec == nil {
			dec, err := zstd.NewReader(nil,
				zstd.WithDecoderConcurrency(1),
				zstd.WithDecoderLowmem(true),
				zstd.WithDecoderMaxWindow(uint64(d.cfg.maxWindow)),
				zstd.WithDecoderMaxMemory(uint64(d.cfg.maxWindow)))
			if err != nil {
				return stopInput, err
			}
			z.dec = dec
			z.feed = zfeed{d}
			d.zscratch = make([]byte, maxZstdBlock+1)
		}
		if z.needReset {
			if err := z.dec.Reset(z.feed); err != nil {
				return stopInput, fmt.Errorf("%w: zstd: %w", ErrCorrupt, err)
			}
			z.needReset = false
		}
		n, err := z.dec.Read(d.zscratch)
		if n == len(d.zscratch) {
			return stopInput, fmt.Errorf("%w: zstd block larger than %d bytes", ErrCorrupt, maxZstdBlock)
		}
		if n > 0 {
			k, gerr := d.emit(d.zscratch[:n])
			if aerr := d.pend.Add(d.zscratch[:k]); aerr != nil && gerr == nil {
				gerr = aerr
			}
			if gerr != nil {
				return stopInput, gerr
			}
		}
		switch {
		case err == nil && n > 0:
		case errors.Is(err, errStarved) && z.rpos == z.avail && z.atFrame:
			z.needReset = true // a frame ended without output after it
		case err == nil:
			return stopInput, fmt.Errorf("%w: zstd decoder made no progress", ErrCorrupt)
		case errors.Is(err, zstd.ErrWindowSizeExceeded), errors.Is(err, zstd.ErrDecoderSizeExceeded):
			return stopInput, fmt.Errorf("%w: zstd window above %d bytes: %w", ErrTooLarge, d.cfg.maxWindow, err)
		case errors.Is(err, zstd.ErrUnknownDictionary):
			return stopInput, fmt.Errorf("%w: zstd dictionary: %w", ErrUnsupported, err)
		default:
			return stopInput, fmt.Errorf("%w: zstd: %w", ErrCorrupt, err)
		}
	}
	return stopBudget, nil
}

// zparse parses one unit of zstd framing; it reports false when it needs
// more input.
func (d *Decompressor) zparse() (bool, error) {
	z := &d.z
	b := d.in[z.ppos-d.inOff:]
	switch z.pstate {
	case zsSkip:
		n := min(int64(len(b)), z.skipLeft)
		z.skipLeft -= n
		z.ppos += n
		z.rpos, z.avail = z.ppos, z.ppos
		if z.skipLeft == 0 {
			z.pstate = zsFrame
			return true, nil
		}
		return n > 0, nil
	case zsFrame:
		if len(b) < 4 {
			return false, nil
		}
		magic := le32(b)
		if magic&0xfffffff0 == 0x184d2a50 {
			if len(b) < 8 || z.rpos < z.ppos {
				return false, nil
			}
			z.skipLeft = int64(le32(b[4:]))
			z.ppos += 8
			z.rpos, z.avail = z.ppos, z.ppos
			z.pstate = zsSkip
			return true, nil
		}
		if magic != zstdMagic {
			return false, fmt.Errorf("%w: not zstd (bad magic %#x)", ErrCorrupt, magic)
		}
		if len(b) < 5 {
			return false, nil
		}
		fhd := b[4]
		if fhd&0x08 != 0 {
			return false, fmt.Errorf("%w: zstd reserved header bit", ErrCorrupt)
		}
		single := fhd&0x20 != 0
		didSize := [4]int{0, 1, 2, 4}[fhd&3]
		fcsSize := [4]int{0, 2, 4, 8}[fhd>>6]
		if fcsSize == 0 && single {
			fcsSize = 1
		}
		size := 5 + didSize + fcsSize
		if !single {
			size++
		}
		if len(b) < size {
			return false, nil
		}
		if didSize > 0 {
			off := 5
			if !single {
				off++
			}
			var id uint32
			for i := range didSize {
				id |= uint32(b[off+i]) << (8 * i)
			}
			if id != 0 {
				return false, fmt.Errorf("%w: zstd dictionary %d", ErrUnsupported, id)
			}
		}
		z.hasCRC = fhd&0x04 != 0
		z.ppos += int64(size)
		z.pstate = zsBlock
		return true, nil
	default: // zsBlock
		if len(b) < 3 {
			return false, nil
		}
		h := int(b[0]) | int(b[1])<<8 | int(b[2])<<16
		last, typ, size := h&1 != 0, (h>>1)&3, h>>3
		if typ == 3 {
			return false, fmt.Errorf("%w: zstd reserved block type", ErrCorrupt)
		}
		if size > maxZstdBlock {
			return false, fmt.Errorf("%w: zstd block of %d bytes", ErrCorrupt, size)
		}
		clen := size
		if typ == 1 {
			clen = 1
		}
		n := 3 + clen
		if last && z.hasCRC {
			n += 4
		}
		if len(b) < n {
			return false, nil
		}
		produces := size > 0
		if typ == 2 {
			produces = zstdBlockProduces(b[3 : 3+size])
		}
		z.ppos += int64(n)
		switch {
		case last:
			z.pstate = zsFrame
			z.avail, z.atFrame = z.ppos, true
		case produces:
			z.avail, z.atFrame = z.ppos, false
		}
		return true, nil
	}
}

// zstdBlockProduces reports whether a compressed block's content decodes to
// at least one byte: its literals section regenerates some bytes or it holds
// sequences. When unsure (malformed content) it says true, and the decoder
// reports the error.
func zstdBlockProduces(c []byte) bool {
	if len(c) < 1 {
		return true
	}
	sf := int(c[0]>>2) & 3
	var regen, hdr, body int
	switch c[0] & 3 {
	case 0, 1: // raw or RLE literals
		switch sf {
		case 0, 2:
			regen, hdr = int(c[0]>>3), 1
		case 1:
			if len(c) < 2 {
				return true
			}
			regen, hdr = int(c[0]>>4)|int(c[1])<<4, 2
		case 3:
			if len(c) < 3 {
				return true
			}
			regen, hdr = int(c[0]>>4)|int(c[1])<<4|int(c[2])<<12, 3
		}
		body = regen
		if c[0]&3 == 1 {
			body = 1
		}
	default: // Huffman-compressed or treeless literals
		hdr = [4]int{3, 3, 4, 5}[sf]
		if len(c) < hdr {
			return true
		}
		var h uint64
		for i := range hdr {
			h |= uint64(c[i]) << (8 * i)
		}
		bits := [4]uint{10, 10, 14, 18}[sf]
		regen = int(h>>4) & (1<<bits - 1)
		body = int(h>>(4+bits)) & (1<<bits - 1)
	}
	if regen > 0 {
		return true
	}
	off := hdr + body
	if off >= len(c) {
		return true
	}
	return c[off] != 0 // Number_of_Sequences
}
