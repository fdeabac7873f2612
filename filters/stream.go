package filters

import (
	"fmt"
	"hash"
	"io"
	"sync"

	"github.com/goevent/goevent/bufferevent"
	"github.com/goevent/goevent/evbuffer"
)

// Compression levels for gzip, zlib and raw deflate (zstd takes 1 to 22, and
// DefaultLevel).
const (
	// DefaultLevel picks the encoder's default (6 for deflate, 3 for zstd).
	DefaultLevel = -1
	// HuffmanOnly (deflate only) does entropy coding without matches.
	HuffmanOnly = -2
	// NoCompression (deflate only) writes stored blocks.
	NoCompression = 0
	// BestSpeed is the fastest level.
	BestSpeed = 1
	// BestCompression is the smallest deflate output (zstd goes to 22).
	BestCompression = 9
)

// A Compressor writes a compressed stream into an evbuffer.Buffer.
// GzipWriter, ZlibWriter, DeflateWriter and ZstdWriter implement it.
// A Compressor is not safe for concurrent use.
type Compressor interface {
	// Write compresses p; the output may wait inside the compressor until
	// a fuller block, Flush or Close.
	Write(p []byte) (int, error)
	// Flush writes out everything written so far so that the peer can
	// decode all of it (a sync flush), without ending the stream.
	Flush() error
	// Close ends the stream, writing its trailer. Writes after Close fail
	// with an error wrapping ErrClosed, until Reset.
	Close() error
	// Reset discards the current stream and starts a new one written to
	// dst, keeping the compressor's memory. A nil dst detaches the
	// compressor from any buffer (its output is then discarded), as Pool.Put
	// does.
	Reset(dst *evbuffer.Buffer)
}

// Encoding names a compressed format.
type Encoding int

const (
	// Gzip is RFC 1952 (HTTP "gzip").
	Gzip Encoding = iota
	// Zlib is RFC 1950 (HTTP "deflate").
	Zlib
	// Deflate is raw RFC 1951 deflate, without header or checksum.
	Deflate
	// Zstd is RFC 8878 (HTTP "zstd").
	Zstd
)

// String returns "gzip", "zlib", "deflate" or "zstd".
func (e Encoding) String() string {
	switch e {
	case Gzip:
		return "gzip"
	case Zlib:
		return "zlib"
	case Deflate:
		return "deflate"
	case Zstd:
		return "zstd"
	}
	return "Encoding(?)"
}

// NewCompressor returns a Compressor for enc at level writing to dst. It fails
// with an error wrapping ErrLevel for a bad level and ErrUnsupported for an
// unknown encoding.
func NewCompressor(enc Encoding, dst *evbuffer.Buffer, level int) (Compressor, error) {
	switch enc {
	case Gzip:
		return NewGzipWriter(dst, level)
	case Zlib:
		return NewZlibWriter(dst, level)
	case Deflate:
		return NewDeflateWriter(dst, level)
	case Zstd:
		return NewZstdWriter(dst, level)
	}
	return nil, fmt.Errorf("%w: encoding %d", ErrUnsupported, int(enc))
}

func checkFlateLevel(level int) error {
	if level < HuffmanOnly || level > BestCompression {
		return fmt.Errorf("%w: %d (want -2 to 9)", ErrLevel, level)
	}
	return nil
}

// sink returns dst as an io.Writer, or io.Discard when dst is nil (so a
// detached compressor never holds a typed nil).
func sink(dst *evbuffer.Buffer) io.Writer {
	if dst == nil {
		return io.Discard
	}
	return dst
}

// A Pool keeps Compressors of one encoding and level for reuse (a sync.Pool,
// so idle ones may be dropped by the garbage collector). It is safe for
// concurrent use; the Compressors it hands out are not. Each Pool is created
// by its user: the package keeps no pool of its own.
type Pool struct {
	enc   Encoding // immutable
	level int      // immutable
	p     sync.Pool
}

// NewPool returns a Pool of Compressors for enc at level, failing as
// NewCompressor does.
func NewPool(enc Encoding, level int) (*Pool, error) {
	c, err := NewCompressor(enc, nil, level)
	if err != nil {
		return nil, err
	}
	p := &Pool{enc: enc, level: level}
	p.p.Put(c)
	return p, nil
}

// Get returns a Compressor writing a new stream to dst.
func (p *Pool) Get(dst *evbuffer.Buffer) Compressor {
	if c, ok := p.p.Get().(Compressor); ok {
		c.Reset(dst)
		return c
	}
	c, _ := NewCompressor(p.enc, dst, p.level) // level checked by NewPool
	return c
}

// Put returns c to the pool, detaching it from its buffer; whatever c had
// not written is dropped, so Close it first. c must not be used afterwards.
func (p *Pool) Put(c Compressor) {
	if c == nil {
		return
	}
	c.Reset(nil)
	p.p.Put(c)
}

// outHigh is how much output a filter or Decompressor holds before it stops
// taking input.
const outHigh = 64 << 10

// moveOut moves up to limit bytes (all if limit < 0) from pend to dst.
func moveOut(pend, dst *evbuffer.Buffer, limit int) (int, error) {
	n := pend.Len()
	if limit >= 0 && n > limit {
		n = limit
	}
	if n == 0 {
		return 0, nil
	}
	return pend.RemoveBuffer(dst, n)
}

// remaining returns what is left of limit after used (negative: no limit).
func remaining(limit, used int) int {
	if limit < 0 {
		return -1
	}
	return max(limit-used, 0)
}

// compressFilter adapts a Compressor writing to out into a FilterFunc.
type compressFilter struct {
	c        Compressor
	out      evbuffer.Buffer // compressed bytes not yet in dst
	vecs     [][]byte
	dirty    bool // written since the last Flush
	finished bool
}

func newCompressFilter(mk func(dst *evbuffer.Buffer) (Compressor, error)) (bufferevent.FilterFunc, error) {
	f := &compressFilter{}
	c, err := mk(&f.out)
	if err != nil {
		return nil, err
	}
	f.c = c
	return f.filter, nil
}

func (f *compressFilter) filter(src, dst *evbuffer.Buffer, limit int, mode bufferevent.FlushMode) (bufferevent.FilterResult, error) {
	wrote, err := moveOut(&f.out, dst, limit)
	if err != nil {
		return bufferevent.FilterError, err
	}
	consumed := 0
	if f.finished {
		if src.Len() > 0 {
			return bufferevent.FilterError, fmt.Errorf("%w: input after Finished", ErrClosed)
		}
	} else {
		for src.Len() > 0 && f.out.Len() < outHigh {
			f.vecs = src.Peek(outHigh, f.vecs[:0])
			n := 0
			for _, v := range f.vecs {
				if _, err := f.c.Write(v); err != nil {
					return bufferevent.FilterError, err
				}
				n += len(v)
			}
			if n == 0 { // a file segment: read it into memory
				p, err := src.Pullup(min(src.Len(), outHigh))
				if err != nil {
					return bufferevent.FilterError, err
				}
				if _, err := f.c.Write(p); err != nil {
					return bufferevent.FilterError, err
				}
				n = len(p)
			}
			clear(f.vecs)
			if err := src.Drain(n); err != nil {
				return bufferevent.FilterError, err
			}
			consumed += n
			f.dirty = true
		}
		if src.Len() == 0 {
			switch mode {
			case bufferevent.Flush:
				if f.dirty {
					err = f.c.Flush()
					f.dirty = false
				}
			case bufferevent.Finished:
				err = f.c.Close()
				f.finished = true
			}
			if err != nil {
				return bufferevent.FilterError, err
			}
		}
	}
	n, err := moveOut(&f.out, dst, remaining(limit, wrote))
	if err != nil {
		return bufferevent.FilterError, err
	}
	wrote += n
	if wrote > 0 || consumed > 0 {
		return bufferevent.FilterOK, nil
	}
	return bufferevent.FilterNeedMore, nil
}

// DecompressOption configures a Decompressor or a Decompress FilterFunc.
type DecompressOption func(*decompressConfig)

type decompressConfig struct {
	maxOutput int64
	maxRatio  int64
	maxBlock  int
	maxWindow int
}

// Defaults for the decompression options.
const (
	// DefaultMaxBlock is the default for WithMaxBlock.
	DefaultMaxBlock = 1 << 20
	// DefaultMaxWindow is the default for WithMaxWindow.
	DefaultMaxWindow = 8 << 20
	// RatioAllowance is the output WithMaxRatio always allows on top of
	// ratio × input, so that short, highly compressible streams pass.
	RatioAllowance = 1 << 20
)

// WithMaxOutput makes decoding fail with an error wrapping ErrTooLarge once
// the total decoded output would exceed n bytes (0: no limit, the default).
// It counts every member and frame of the stream.
func WithMaxOutput(n int64) DecompressOption {
	return func(c *decompressConfig) { c.maxOutput = max(n, 0) }
}

// WithMaxRatio makes decoding fail with an error wrapping ErrTooLarge once the
// total output exceeds ratio × the compressed bytes taken so far plus
// RatioAllowance (0: no limit, the default). Deflate cannot exceed about
// 1032:1; zstd can reach far more.
func WithMaxRatio(ratio int) DecompressOption {
	return func(c *decompressConfig) { c.maxRatio = int64(max(ratio, 0)) }
}

// WithMaxBlock bounds the compressed bytes buffered for one deflate block
// (see the package doc); a longer block fails with ErrTooLarge. n <= 0
// means DefaultMaxBlock. It does not apply to zstd, whose blocks are at most
// 128 KiB.
func WithMaxBlock(n int) DecompressOption {
	return func(c *decompressConfig) {
		if n <= 0 {
			n = DefaultMaxBlock
		}
		c.maxBlock = max(n, 64<<10)
	}
}

// WithMaxWindow bounds the window a zstd frame may ask for (the decoder's
// history memory); a larger one fails with ErrTooLarge. n <= 0 means
// DefaultMaxWindow; at least 1 MiB.
func WithMaxWindow(n int) DecompressOption {
	return func(c *decompressConfig) {
		if n <= 0 {
			n = DefaultMaxWindow
		}
		c.maxWindow = max(n, 1<<20)
	}
}

// Decompressor states for gzip, zlib and raw deflate.
type dstate uint8

const (
	stHeader dstate = iota
	stBody
	stTrailer
	stDone
)

// why a step stopped
type stop uint8

const (
	stopInput  stop = iota // needs more input
	stopBudget             // holds enough output
	stopDone               // the stream ended and nothing may follow
)

// A Decompressor decodes a gzip, zlib, raw deflate or zstd stream that is
// pushed to it in pieces, without blocking and without goroutines (see the
// package doc for how). Create one with NewGzipDecompressor,
// NewZlibDecompressor, NewDeflateDecompressor or NewZstdDecompressor.
// It is not safe for concurrent use.
type Decompressor struct {
	enc Encoding
	cfg decompressConfig

	in    []byte // compressed input kept; in[0] is at absolute offset inOff
	inOff int64
	pend  evbuffer.Buffer // decoded bytes not yet handed out

	state    dstate
	hpos     int64 // absolute offset where header or trailer parsing resumes
	totalIn  int64
	totalOut int64
	err      error // sticky

	sum      hash.Hash32 // gzip: CRC-32, zlib: Adler-32
	inflate  inflater
	z        zstdState
	zscratch []byte
}

func newDecompressor(enc Encoding, opts []DecompressOption) *Decompressor {
	d := &Decompressor{enc: enc, cfg: decompressConfig{maxBlock: DefaultMaxBlock, maxWindow: DefaultMaxWindow}}
	for _, o := range opts {
		o(&d.cfg)
	}
	d.inflate.onEOB = d.checkpoint
	d.Reset()
	return d
}

// Reset discards the current stream, its buffered input and output and any
// error, and readies d for a new stream, keeping its memory.
func (d *Decompressor) Reset() {
	d.in = d.in[:0]
	d.inOff = 0
	d.pend.Reset()
	d.state = stHeader
	d.hpos = 0
	d.totalIn, d.totalOut = 0, 0
	d.err = nil
	if d.sum != nil {
		d.sum.Reset()
	}
	if d.enc == Deflate {
		d.state = stBody
	}
	d.inflate.reset(0)
	d.z.reset()
}

// Buffered returns the number of decoded bytes d holds that Decode has not
// yet handed out (because of its limit).
func (d *Decompressor) Buffered() int { return d.pend.Len() }

// Decode takes compressed bytes from src (draining what it takes) and appends
// up to limit decoded bytes to dst (all it can if limit < 0), returning how
// many it appended. What does not fit stays inside d for the next call, and
// while d holds about 64 KiB of it, d takes no more input; src may keep
// bytes then. final says that src holds the end of the input: once all of
// it has been decoded, a stream that stopped in the middle gives an error
// wrapping ErrTruncated. Errors wrap ErrCorrupt, ErrTruncated, ErrTooLarge or
// ErrUnsupported, or are src's read error; they are sticky until Reset.
func (d *Decompressor) Decode(src, dst *evbuffer.Buffer, limit int, final bool) (int, error) {
	if d.err != nil {
		return 0, d.err
	}
	wrote := 0
	for {
		n, err := moveOut(&d.pend, dst, remaining(limit, wrote))
		wrote += n
		if err != nil {
			return wrote, d.fail(err)
		}
		if limit >= 0 && wrote >= limit && d.pend.Len() > 0 {
			return wrote, nil
		}
		starved := d.needsInput()
		if err := d.intake(src, starved); err != nil {
			return wrote, d.fail(err)
		}
		why, err := d.step()
		if err != nil {
			return wrote, d.fail(err)
		}
		if d.pend.Len() > 0 {
			continue
		}
		switch why {
		case stopInput:
			if src.Len() > 0 {
				if d.needsInput() && d.inputFull() {
					return wrote, d.fail(d.tooLong())
				}
				continue
			}
			if final {
				if err := d.checkEnd(); err != nil {
					return wrote, d.fail(err)
				}
			}
			return wrote, nil
		case stopDone:
			if src.Len() > 0 || final {
				if err := d.checkEnd(); err != nil {
					return wrote, d.fail(err)
				}
			}
			return wrote, nil
		}
	}
}

func (d *Decompressor) fail(err error) error {
	d.err = err
	return err
}

// inEnd returns the absolute offset just past the buffered input.
func (d *Decompressor) inEnd() int64 { return d.inOff + int64(len(d.in)) }

// keepFrom returns the absolute offset of the first input byte still needed.
func (d *Decompressor) keepFrom() int64 {
	if d.enc == Zstd {
		return d.z.keepFrom()
	}
	if d.state == stBody {
		return d.inflate.keepFrom()
	}
	return d.hpos
}

func (d *Decompressor) needsInput() bool {
	if d.enc == Zstd {
		return d.z.starved(d)
	}
	return d.state != stBody || d.inflate.starvedAt == d.inEnd()
}

// inputFull reports whether d buffers as much input as it may.
func (d *Decompressor) inputFull() bool {
	return len(d.in) >= d.maxIn()
}

func (d *Decompressor) maxIn() int {
	if d.enc == Zstd {
		return maxZstdUnit
	}
	return d.cfg.maxBlock
}

func (d *Decompressor) tooLong() error {
	if d.enc == Zstd {
		return fmt.Errorf("%w: zstd unit longer than %d bytes", ErrCorrupt, maxZstdUnit)
	}
	if d.state == stBody {
		return fmt.Errorf("%w: deflate block longer than %d compressed bytes", ErrTooLarge, d.cfg.maxBlock)
	}
	return fmt.Errorf("%w: %s header longer than %d bytes", ErrTooLarge, d.enc, d.cfg.maxBlock)
}

// intake drops input no longer needed and takes more from src: up to 64 KiB
// ahead normally, up to maxIn when the decoder is starved.
func (d *Decompressor) intake(src *evbuffer.Buffer, starved bool) error {
	if drop := int(d.keepFrom() - d.inOff); drop > 0 && (drop == len(d.in) || drop >= len(d.in)/2 || drop >= 64<<10) {
		n := copy(d.in, d.in[drop:])
		d.in = d.in[:n]
		d.inOff += int64(drop)
	}
	want := min(outHigh, d.maxIn())
	if starved {
		want = d.maxIn()
	}
	take := min(src.Len(), want-len(d.in))
	if take <= 0 {
		return nil
	}
	if cap(d.in)-len(d.in) < take {
		grown := make([]byte, len(d.in), len(d.in)+max(take, min(2*cap(d.in), d.maxIn())))
		copy(grown, d.in)
		d.in = grown
	}
	n, err := src.Remove(d.in[len(d.in) : len(d.in)+take])
	d.in = d.in[:len(d.in)+n]
	d.totalIn += int64(n)
	return err
}

// step decodes what the buffered input allows, until the output budget.
func (d *Decompressor) step() (stop, error) {
	if d.enc == Zstd {
		return d.zstep()
	}
	for {
		if d.pend.Len() >= outHigh {
			return stopBudget, nil
		}
		var why stop
		var err error
		switch d.state {
		case stHeader:
			why, err = d.header()
		case stBody:
			why, err = d.body()
		case stTrailer:
			why, err = d.trailer()
		case stDone:
			return stopDone, nil
		}
		if err != nil || why != stopBudget {
			return why, err
		}
	}
}

// header parses a gzip or zlib header; it returns stopBudget to go on.
func (d *Decompressor) header() (stop, error) {
	avail := d.in[d.hpos-d.inOff:]
	var n int
	var err error
	if d.enc == Gzip {
		n, err = parseGzipHeader(avail)
	} else {
		n, err = parseZlibHeader(avail)
	}
	if err != nil || n == 0 {
		if n == 0 && err == nil && len(avail) >= d.cfg.maxBlock {
			err = d.tooLong()
		}
		return stopInput, err
	}
	d.hpos += int64(n)
	d.state = stBody
	d.inflate.reset(d.hpos)
	if d.sum != nil {
		d.sum.Reset()
	}
	return stopBudget, nil
}

// trailer checks a gzip or zlib trailer, or the end of a raw stream.
func (d *Decompressor) trailer() (stop, error) {
	avail := d.in[d.hpos-d.inOff:]
	switch d.enc {
	case Gzip:
		if len(avail) < 8 {
			return stopInput, nil
		}
		crc := le32(avail)
		size := le32(avail[4:])
		if crc != d.sum.Sum32() {
			return stopInput, fmt.Errorf("%w: gzip CRC-32 mismatch", ErrCorrupt)
		}
		if size != uint32(d.inflate.uout) {
			return stopInput, fmt.Errorf("%w: gzip size mismatch", ErrCorrupt)
		}
		d.hpos += 8
		d.state = stHeader // another member may follow
		return stopBudget, nil
	case Zlib:
		if len(avail) < 4 {
			return stopInput, nil
		}
		if be32(avail) != d.sum.Sum32() {
			return stopInput, fmt.Errorf("%w: zlib Adler-32 mismatch", ErrCorrupt)
		}
		d.hpos += 4
	}
	d.state = stDone
	return stopDone, nil
}

// checkEnd is called when no more input will come (or input arrived after
// the end of a single-stream format).
func (d *Decompressor) checkEnd() error {
	if d.enc == Zstd {
		return d.z.checkEnd(d)
	}
	left := d.inEnd() - d.hpos
	if d.inEnd() == 0 {
		return nil // no input at all: an empty stream
	}
	switch d.state {
	case stDone:
		if left > 0 {
			return fmt.Errorf("%w: data after the end of the %s stream", ErrCorrupt, d.enc)
		}
		return nil
	case stHeader:
		if left == 0 {
			return nil // between gzip members, or nothing at all
		}
	}
	return fmt.Errorf("%w: %s stream", ErrTruncated, d.enc)
}

// emit checks the output guards and the checksum for p, decoded output about
// to be added to pend; it returns how much of p may be added.
func (d *Decompressor) emit(p []byte) (int, error) {
	n := int64(len(p))
	var err error
	if d.cfg.maxOutput > 0 && d.totalOut+n > d.cfg.maxOutput {
		n = max(d.cfg.maxOutput-d.totalOut, 0)
		err = fmt.Errorf("%w: more than %d bytes", ErrTooLarge, d.cfg.maxOutput)
	}
	if d.cfg.maxRatio > 0 {
		if lim := d.cfg.maxRatio*d.totalIn + RatioAllowance; d.totalOut+n > lim {
			n = max(min(n, lim-d.totalOut), 0)
			err = fmt.Errorf("%w: more than %d times the input", ErrTooLarge, d.cfg.maxRatio)
		}
	}
	d.totalOut += n
	if d.sum != nil {
		_, _ = d.sum.Write(p[:n])
	}
	return int(n), err
}

func le32(b []byte) uint32 {
	return uint32(b[0]) | uint32(b[1])<<8 | uint32(b[2])<<16 | uint32(b[3])<<24
}

func be32(b []byte) uint32 {
	return uint32(b[3]) | uint32(b[2])<<8 | uint32(b[1])<<16 | uint32(b[0])<<24
}

// decompressFilter adapts a Decompressor into a FilterFunc.
func decompressFilter(d *Decompressor) bufferevent.FilterFunc {
	return func(src, dst *evbuffer.Buffer, limit int, mode bufferevent.FlushMode) (bufferevent.FilterResult, error) {
		before := src.Len()
		n, err := d.Decode(src, dst, limit, mode == bufferevent.Finished)
		if err != nil {
			return bufferevent.FilterError, err
		}
		if n > 0 || src.Len() < before {
			return bufferevent.FilterOK, nil
		}
		return bufferevent.FilterNeedMore, nil
	}
}
