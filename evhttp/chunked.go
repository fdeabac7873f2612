package evhttp

import (
	"fmt"
	"strconv"

	"github.com/goevent/goevent/evbuffer"
)

// chunkState is where a chunkedDecoder is in a chunked body.
type chunkState int

const (
	chunkSize     chunkState = iota // reading a chunk-size line
	chunkData                       // moving chunk data
	chunkDataCRLF                   // expecting the CRLF after chunk data
	chunkTrailer                    // reading trailer fields
	chunkDone                       // finished
	chunkFailed                     // failed; the error is sticky
)

var chunkStateNames = [...]string{
	chunkSize:     "Size",
	chunkData:     "Data",
	chunkDataCRLF: "DataCRLF",
	chunkTrailer:  "Trailer",
	chunkDone:     "Done",
	chunkFailed:   "Failed",
}

func (s chunkState) String() string {
	if s >= 0 && int(s) < len(chunkStateNames) {
		return chunkStateNames[s]
	}
	return "chunkState(" + strconv.Itoa(int(s)) + ")"
}

// Chunked decoder limits.
const (
	maxChunkSize     = 1 << 62
	maxChunkLineLen  = 4 << 10 // chunk-size line incl. extensions, CRLF excluded
	defaultMaxFields = DefaultMaxHeaders
)

// chunkedDecoder decodes a chunked body (RFC 9112 §7.1) in resumable steps.
// The zero value is ready; reset prepares it for the next body and keeps the
// trailer storage.
type chunkedDecoder struct {
	state        chunkState
	lines        lineReader
	remaining    int64 // data bytes left in the current chunk
	total        int64 // data bytes decoded so far
	trailerBytes int
	status       ParseStatus
	err          error

	// maxTrailerBytes and maxTrailers limit the trailer section; zero means
	// DefaultMaxHeaderBytes and DefaultMaxHeaders.
	maxTrailerBytes int
	maxTrailers     int
	// trailer holds the trailer fields once decode returns AllRead.
	trailer Header
}

func (d *chunkedDecoder) reset() {
	tr := d.trailer
	tr.Reset()
	*d = chunkedDecoder{maxTrailerBytes: d.maxTrailerBytes, maxTrailers: d.maxTrailers, trailer: tr}
}

// decode moves chunk data from the front of src to the end of dst without
// copying (evbuffer.RemoveBuffer), consuming chunk framing and trailers. It
// returns NeedMore until the last chunk and trailer section are consumed,
// then AllRead; bytes after the body stay in src. limit bounds the decoded
// body size (limit <= 0: only the 1<<62 bound); beyond it, TooLong with
// ErrBodyTooLarge, detected from the chunk-size line before the data is
// read. Chunk sizes are 1*HEXDIG with no prefix, sign or whitespace, except
// BWS before a ";" chunk extension; extensions are checked loosely (a token
// name, no control bytes). Each chunk's data must be followed by exactly
// CRLF. Trailer fields follow the header rules (parseHeaderLine) and go into
// d.trailer. Corrupt, TooLong and AllRead are sticky until reset.
func (d *chunkedDecoder) decode(src, dst *evbuffer.Buffer, limit int) (ParseStatus, error) {
	for {
		switch d.state {
		case chunkDone, chunkFailed:
			return d.status, d.err
		case chunkSize:
			line, st, err := d.lines.next(src, maxChunkLineLen)
			switch st {
			case NeedMore:
				return NeedMore, nil
			case TooLong:
				return d.fail(Corrupt, fmt.Errorf("%w: size line too long", ErrChunkSize))
			case Corrupt:
				return d.fail(Corrupt, err)
			}
			n, st, err := parseChunkSize(line)
			d.lines.release(src)
			if st != AllRead {
				return d.fail(st, err)
			}
			if limit > 0 && n > int64(limit)-d.total {
				return d.fail(TooLong, fmt.Errorf("%w: over %d bytes", ErrBodyTooLarge, limit))
			}
			if n == 0 {
				d.state = chunkTrailer
				continue
			}
			d.remaining = n
			d.state = chunkData
		case chunkData:
			avail := src.Len()
			if avail == 0 {
				return NeedMore, nil
			}
			want := d.remaining
			if int64(avail) < want {
				want = int64(avail)
			}
			moved, err := src.RemoveBuffer(dst, int(want))
			if err != nil {
				return d.fail(Corrupt, fmt.Errorf("%w: %w", ErrBuffer, err))
			}
			d.remaining -= int64(moved)
			d.total += int64(moved)
			if d.remaining > 0 {
				return NeedMore, nil
			}
			d.state = chunkDataCRLF
		case chunkDataCRLF:
			if src.Len() < 2 {
				if src.Len() == 1 {
					var b [1]byte
					if _, err := src.CopyOut(b[:]); err == nil && b[0] != '\r' {
						return d.fail(Corrupt, ErrChunkEnd)
					}
				}
				return NeedMore, nil
			}
			var b [2]byte
			if _, err := src.CopyOut(b[:]); err != nil {
				return d.fail(Corrupt, fmt.Errorf("%w: %w", ErrBuffer, err))
			}
			if b != [2]byte{'\r', '\n'} {
				return d.fail(Corrupt, ErrChunkEnd)
			}
			if err := src.Drain(2); err != nil {
				return d.fail(Corrupt, fmt.Errorf("%w: %w", ErrBuffer, err))
			}
			d.state = chunkSize
		case chunkTrailer:
			st, err := readFields(src, &d.lines, &d.trailer, &d.trailerBytes,
				limitOr(d.maxTrailerBytes, DefaultMaxHeaderBytes), limitOr(d.maxTrailers, defaultMaxFields))
			switch st {
			case NeedMore:
				return NeedMore, nil
			case Corrupt, TooLong:
				return d.fail(st, err)
			}
			d.state, d.status, d.err = chunkDone, AllRead, nil
			return AllRead, nil
		default:
			return d.fail(Corrupt, fmt.Errorf("%w: bad decoder state %v", ErrBuffer, d.state))
		}
	}
}

func (d *chunkedDecoder) fail(st ParseStatus, err error) (ParseStatus, error) {
	d.state, d.status, d.err = chunkFailed, st, err
	return st, err
}

// parseChunkSize parses chunk-size [ BWS ";" chunk-ext ] (the line without
// CRLF). Sizes above 1<<62 give TooLong.
func parseChunkSize(line []byte) (int64, ParseStatus, error) {
	var n int64
	i := 0
	for ; i < len(line); i++ {
		c := line[i]
		var v byte
		switch {
		case '0' <= c && c <= '9':
			v = c - '0'
		case 'a' <= c && c <= 'f':
			v = c - 'a' + 10
		case 'A' <= c && c <= 'F':
			v = c - 'A' + 10
		default:
			goto end
		}
		if n > maxChunkSize>>4 {
			return 0, TooLong, fmt.Errorf("%w: chunk size overflows", ErrBodyTooLarge)
		}
		n = n<<4 | int64(v)
		if n > maxChunkSize {
			return 0, TooLong, fmt.Errorf("%w: chunk size over 1<<62", ErrBodyTooLarge)
		}
	}
end:
	if i == 0 {
		return 0, Corrupt, fmt.Errorf("%w: %q", ErrChunkSize, line)
	}
	if i == len(line) {
		return n, AllRead, nil
	}
	ext := trimOWSLeft(line[i:])
	if len(ext) == 0 || ext[0] != ';' {
		return 0, Corrupt, fmt.Errorf("%w: %q", ErrChunkSize, line)
	}
	if err := checkChunkExt(ext); err != nil {
		return 0, Corrupt, err
	}
	return n, AllRead, nil
}

func trimOWSLeft(b []byte) []byte {
	for len(b) > 0 && (b[0] == ' ' || b[0] == '\t') {
		b = b[1:]
	}
	return b
}

// checkChunkExt checks *( BWS ";" BWS name [ BWS "=" BWS value ] ) loosely:
// each element after ";" must start with a token and hold no control bytes
// other than HT.
func checkChunkExt(ext []byte) error {
	for _, c := range ext {
		if (c < ' ' && c != '\t') || c == 0x7f {
			return fmt.Errorf("%w: control byte %#x", ErrChunkExtension, c)
		}
	}
	for len(ext) > 0 {
		// ext[0] == ';'
		ext = trimOWSLeft(ext[1:])
		j := 0
		for j < len(ext) && isTchar(ext[j]) {
			j++
		}
		if j == 0 {
			return fmt.Errorf("%w: missing name", ErrChunkExtension)
		}
		ext = ext[j:]
		// Skip to the next ';' outside a quoted string.
		inQuote, esc := false, false
		k := 0
		for ; k < len(ext); k++ {
			c := ext[k]
			switch {
			case esc:
				esc = false
			case inQuote && c == '\\':
				esc = true
			case c == '"':
				inQuote = !inQuote
			case !inQuote && c == ';':
				goto next
			}
		}
		if inQuote {
			return fmt.Errorf("%w: unterminated quoted string", ErrChunkExtension)
		}
	next:
		ext = ext[k:]
	}
	return nil
}
