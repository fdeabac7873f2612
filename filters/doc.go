// Package filters holds ready-made bufferevent FilterFuncs for gzip, deflate
// (zlib and raw) and zstd in both directions, the streaming compressors behind
// them, and LineFramer, a small example of writing a filter of one's own.
//
// Compression uses github.com/klauspost/compress.
//
//	in := filters.GzipDecompress(filters.WithMaxRatio(100))
//	out, _ := filters.GzipCompress(filters.DefaultLevel)
//	// hand in and out to the filter bufferevent as its input and output filters
//
// # Compressors
//
// GzipWriter, ZlibWriter, DeflateWriter and ZstdWriter implement Compressor:
// they write compressed bytes straight into an evbuffer.Buffer, Flush makes
// everything written so far decodable by the peer (a sync flush), Close writes
// the trailer, and Reset points a writer at a new buffer and a new stream,
// keeping its memory, so that evhttp can encode many response bodies with few
// allocations. A Pool keeps reset writers of one encoding and level for reuse
// (Content-Encoding is an HTTP concern: evhttp picks the encoding, this
// package only encodes).
//
// # Decompressors
//
// A Decompressor is pushed compressed bytes in pieces of any size and never
// blocks: Decode takes what src holds and appends what can be decoded so far.
// The readers of the standard library and of klauspost/compress pull from an
// io.Reader, and once that reader runs dry in the middle of a stream they are
// poisoned, so they are driven as follows; no goroutine is involved.
//
// Deflate (gzip, zlib and raw): the gzip and zlib headers and trailers are
// parsed here, and the deflate body goes through klauspost's inflater over
// the bytes buffered so far. At the end of every deflate block the inflater
// reports a checkpoint (bit position and the 32 KiB window); when the input
// runs out in the middle of a block, the inflater is dropped and, once more
// input arrives, rebuilt from the last checkpoint; the part of the block
// already handed out is decoded again and skipped. Compressed bytes are
// kept from the last block boundary on, so the memory held is one block at
// most (bounded by WithMaxBlock, default DefaultMaxBlock), and the CPU spent
// per call is at most one partial block's decoding on top of the new bytes:
// a peer that sends a long block a byte at a time costs time quadratic in
// that block's length (bounded by WithMaxBlock), where ordinary encoders
// write blocks of some tens of KiB and every sync flush ends one.
//
// Zstd: frames and blocks carry their sizes, so the frame and block headers
// are parsed here and klauspost's decoder, in its synchronous mode
// (concurrency 1), is handed only whole blocks: it never runs dry in the
// middle of a frame and is never restarted, and no byte is decoded twice.
// Skippable frames are dropped here. Memory is one block (128 KiB at most)
// of input, one block of output and the frame's window (bounded by
// WithMaxWindow, default DefaultMaxWindow).
//
// Decoded output is bounded: a Decompressor stops decoding once it holds
// about 64 KiB (plus one zstd block) that its caller has not taken, and takes
// no more compressed input from src meanwhile. For decompression bombs,
// WithMaxOutput and WithMaxRatio make Decode fail with an error wrapping
// ErrTooLarge; without them the total output is unbounded, as a long-lived
// connection needs, so a server reading compressed input from untrusted
// peers should set one.
//
// # FilterFuncs
//
// GzipCompress, ZlibCompress (HTTP's "deflate", RFC 1950), DeflateCompress
// (raw RFC 1951), ZstdCompress and their Decompress counterparts return
// bufferevent.FilterFuncs. Each keeps its state in its closure and honours
// the limit: what does not fit in dst waits inside the filter and goes out on
// a later call, even one with an empty src. Compressors hold data back in
// Normal mode, sync-flush in Flush mode and write their trailer in Finished
// mode (after which more input is an error wrapping ErrClosed).
// Decompressors emit all they can in every mode; in Finished mode a stream
// that stops in the middle fails with ErrTruncated. Corrupt input gives
// FilterError and an error wrapping ErrCorrupt.
//
// # Goroutines
//
// The package starts no goroutines: klauspost's zstd encoder and decoder are
// created with concurrency 1, which runs synchronously. Nothing here is safe
// for concurrent use except Pool; a filter belongs to its bufferevent's loop.
package filters

import "errors"

// Errors returned by this package; the errors actually returned wrap them
// (test with errors.Is).
var (
	// ErrCorrupt: the compressed input is not valid (bad header, bad
	// checksum, bad deflate or zstd data, data after the end of a zlib or
	// raw deflate stream). Returned by Decompressor.Decode and the
	// Decompress FilterFuncs.
	ErrCorrupt = errors.New("filters: corrupt compressed input")
	// ErrTruncated: the input ended (Decode with final, or Finished mode)
	// in the middle of a stream.
	ErrTruncated = errors.New("filters: compressed stream ends early")
	// ErrTooLarge: decompressing went past WithMaxOutput or WithMaxRatio,
	// a deflate block was longer than WithMaxBlock, a zstd window larger
	// than WithMaxWindow, or a gzip header longer than WithMaxBlock.
	ErrTooLarge = errors.New("filters: decompressed data too large")
	// ErrUnsupported: the stream needs a feature this package does not
	// provide (a zlib or zstd preset dictionary).
	ErrUnsupported = errors.New("filters: unsupported stream feature")
	// ErrLevel: a compression level out of range, from the constructors.
	ErrLevel = errors.New("filters: invalid compression level")
	// ErrClosed: a write to a closed Compressor, or input to a compress
	// filter after its Finished call.
	ErrClosed = errors.New("filters: stream already finished")
	// ErrLineTooLong: LineFramer saw a line longer than its maximum.
	ErrLineTooLong = errors.New("filters: line too long")
)
