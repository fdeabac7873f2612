package evhttp

import (
	"errors"
	"fmt"
	"strconv"

	"github.com/goevent/goevent/evbuffer"
)

// Errors of the response parser, wrapped by the client in ErrBadResponse
// or ErrResponseTooLarge. Framing errors reuse the request parser's
// sentinels (ErrContentLengthWithTransferEncoding, ErrDuplicateContentLength,
// ErrChunkSize...).
var (
	// ErrStatusLine: the status line is not HTTP-version SP 3DIGIT SP
	// reason-phrase (RFC 9112 §4), or the version is not HTTP/1.x.
	ErrStatusLine = errors.New("evhttp: malformed status line")
	// ErrUnexpectedStatus: a 101 Switching Protocols answering a request
	// that asked for no upgrade, or too many interim (1xx) responses.
	ErrUnexpectedStatus = errors.New("evhttp: unexpected response status")
)

// maxInterimResponses bounds the 1xx responses skipped before a final one.
const maxInterimResponses = 16

// respFraming says how a response body is delimited (RFC 9112 §6.3).
type respFraming int

const (
	respNone       respFraming = iota // no body: HEAD, 1xx, 204, 304
	respLength                        // Content-Length bytes
	respChunked                       // chunked transfer coding
	respUntilClose                    // everything until the server closes
	respTunnel                        // 101 or 2xx to CONNECT: the connection is handed over
)

var respFramingNames = [...]string{
	respNone:       "none",
	respLength:     "length",
	respChunked:    "chunked",
	respUntilClose: "until-close",
	respTunnel:     "tunnel",
}

func (f respFraming) String() string {
	if f >= 0 && int(f) < len(respFramingNames) {
		return respFramingNames[f]
	}
	return "respFraming(" + strconv.Itoa(int(f)) + ")"
}

// responseParser parses a response head (status line and header section)
// in resumable steps, as requestParser does for requests. The status line
// and the header section together are bounded by maxHeaderBytes (libevent
// counts them together too). The zero value is ready with default limits.
type responseParser struct {
	maxHeaderBytes int // zero: DefaultMaxHeaderBytes
	maxHeaders     int // zero: DefaultMaxHeaders

	state       parseState // stateRequestLine stands for the status line
	lines       lineReader
	headerBytes int
	status      ParseStatus
	err         error

	// Results, valid after parse returns AllRead.
	minor  int
	code   int
	reason string
	header Header
}

// reset forgets the previous response head and keeps the header storage.
func (p *responseParser) reset() {
	p.state = stateRequestLine
	p.lines = lineReader{}
	p.headerBytes = 0
	p.status, p.err = 0, nil
	p.minor, p.code, p.reason = 0, 0, ""
	p.header.Reset()
}

// parse consumes response-head bytes from the front of buf: NeedMore until
// the head is complete, then AllRead with the bytes after it (the body, the
// next response) left in buf. Corrupt wraps ErrStatusLine, ErrLineEnding,
// ErrObsFold, ErrHeaderName or ErrHeaderValue; TooLong wraps
// ErrHeaderTooLarge or ErrTooManyHeaders. Final results are sticky until
// reset.
func (p *responseParser) parse(buf *evbuffer.Buffer) (ParseStatus, error) {
	if p.state == stateDone || p.state == stateFailed {
		return p.status, p.err
	}
	maxBytes := limitOr(p.maxHeaderBytes, DefaultMaxHeaderBytes)
	if p.state == stateRequestLine {
		line, st, err := p.lines.next(buf, maxBytes-2)
		switch st {
		case NeedMore:
			return NeedMore, nil
		case TooLong:
			return p.fail(TooLong, ErrHeaderTooLarge)
		case Corrupt:
			return p.fail(Corrupt, err)
		}
		p.headerBytes += len(line) + 2
		if err := p.parseStatusLine(line); err != nil {
			return p.fail(Corrupt, err)
		}
		p.state = stateHeaders
	}
	switch st, err := readFields(buf, &p.lines, &p.header, &p.headerBytes, maxBytes, limitOr(p.maxHeaders, DefaultMaxHeaders)); st {
	case NeedMore:
		return NeedMore, nil
	case Corrupt, TooLong:
		return p.fail(st, err)
	}
	p.state, p.status = stateDone, AllRead
	return AllRead, nil
}

func (p *responseParser) fail(st ParseStatus, err error) (ParseStatus, error) {
	p.state, p.status, p.err = stateFailed, st, err
	return st, err
}

// parseStatusLine checks HTTP-version SP status-code SP [reason-phrase]
// (RFC 9112 §4). A missing SP after the code is tolerated (RFC 9112 §4: a
// client SHOULD ignore the reason phrase, and servers do omit it); the
// reason may hold HT, SP, VCHAR and obs-text only.
func (p *responseParser) parseStatusLine(line []byte) error {
	if len(line) < 12 || string(line[:7]) != "HTTP/1." || line[7] < '0' || line[7] > '9' || line[8] != ' ' {
		return fmt.Errorf("%w: %q", ErrStatusLine, truncateForError(line))
	}
	if line[7] > '1' {
		// HTTP/1.2 and later minor versions are compatible (RFC 9110
		// §6.2); treat them as 1.1.
		p.minor = 1
	} else {
		p.minor = int(line[7] - '0')
	}
	code := 0
	for _, c := range line[9:12] {
		if c < '0' || c > '9' {
			return fmt.Errorf("%w: status code %q", ErrStatusLine, line[9:12])
		}
		code = code*10 + int(c-'0')
	}
	if code < 100 {
		return fmt.Errorf("%w: status code %d", ErrStatusLine, code)
	}
	rest := line[12:]
	if len(rest) > 0 {
		if rest[0] != ' ' {
			return fmt.Errorf("%w: no space after the status code", ErrStatusLine)
		}
		rest = rest[1:]
		if !validFieldValue(rest) {
			return fmt.Errorf("%w: control byte in reason", ErrStatusLine)
		}
	}
	p.code = code
	p.reason = reasonString(rest)
	return nil
}

func truncateForError(b []byte) []byte {
	if len(b) > 64 {
		return b[:64]
	}
	return b
}

// isInterim reports whether a response with code is an interim response
// that the client skips: every 1xx except 101.
func isInterim(code int) bool { return code >= 100 && code < 200 && code != StatusSwitchingProtocols }

// decideResponseFraming applies RFC 9112 §6.3 to a final response to a
// request with method (upgrade says the request asked for a protocol
// upgrade): HEAD, 204 and 304 have no body; 101 (only when asked for)
// and a 2xx to CONNECT hand the connection over; otherwise chunked,
// Content-Length or, with neither, the body runs until the server closes.
// The framing headers are checked by decideFraming, so every smuggling
// shape the request parser rejects (CL with TE, duplicate or malformed
// lengths, codings other than a final chunked, TE in HTTP/1.0) is rejected
// here too; ErrMissingHost, meaningless for responses, is ignored. A
// response carrying two Host fields is rejected with ErrDuplicateHost as
// a side effect of that reuse.
func decideResponseFraming(method string, code int, h *Header, minor int, upgrade bool) (respFraming, int64, error) {
	switch {
	case code == StatusSwitchingProtocols:
		if !upgrade {
			return 0, 0, fmt.Errorf("%w: 101 without an Upgrade request", ErrUnexpectedStatus)
		}
		return respTunnel, 0, nil
	case method == "CONNECT" && code >= 200 && code < 300:
		return respTunnel, 0, nil
	}
	fr, err := decideFraming(h, minor)
	if err != nil && !errors.Is(err, ErrMissingHost) {
		return 0, 0, err
	}
	switch {
	case method == "HEAD", code < 200, code == StatusNoContent, code == StatusNotModified:
		return respNone, 0, nil
	}
	switch fr.kind {
	case framingChunked:
		return respChunked, 0, nil
	case framingLength:
		return respLength, fr.length, nil
	}
	return respUntilClose, 0, nil
}

// responseKeepAlive reports whether the connection may carry another
// request after this response (RFC 9112 §9.3): HTTP/1.1 unless
// "Connection: close", HTTP/1.0 only with "Connection: keep-alive", and
// never after a body delimited by the close.
func responseKeepAlive(minor int, h *Header, fr respFraming) bool {
	if fr == respUntilClose || fr == respTunnel || h.hasToken("Connection", "close") {
		return false
	}
	return minor >= 1 || h.hasToken("Connection", "keep-alive")
}

// responseBody reads a response body framed as decided by
// decideResponseFraming, moving its bytes from the connection's input to
// dst without copying.
type responseBody struct {
	framing   respFraming
	remaining int64 // respLength: bytes still to come
	total     int64 // bytes delivered so far
	limit     int64 // most body bytes accepted (<= 0: no limit)
	chunked   chunkedDecoder
}

// start prepares b for a body with framing fr (and length n for
// respLength), keeping the chunked decoder's trailer storage.
func (b *responseBody) start(fr respFraming, n, limit int64) {
	b.framing, b.remaining, b.total, b.limit = fr, n, 0, limit
	b.chunked.reset()
}

// read moves body bytes from src to dst. It returns NeedMore while more
// body is expected, AllRead when the body is complete (bytes after it stay
// in src), TooLong wrapping ErrBodyTooLarge beyond the limit (checked
// against a declared Content-Length before any body byte is read), or
// Corrupt for invalid chunking. eof says the server closed the
// connection: that completes a body read until close and truncates any
// other (Corrupt wrapping ErrEOF).
func (b *responseBody) read(src, dst *evbuffer.Buffer, eof bool) (ParseStatus, error) {
	switch b.framing {
	case respNone, respTunnel:
		return AllRead, nil
	case respLength:
		if b.limit > 0 && b.total+b.remaining > b.limit {
			return TooLong, fmt.Errorf("%w: Content-Length over %d bytes", ErrBodyTooLarge, b.limit)
		}
		if n := min(int64(src.Len()), b.remaining); n > 0 {
			moved, err := src.RemoveBuffer(dst, int(n))
			if err != nil {
				return Corrupt, fmt.Errorf("%w: %w", ErrBuffer, err)
			}
			b.remaining -= int64(moved)
			b.total += int64(moved)
		}
		if b.remaining == 0 {
			return AllRead, nil
		}
	case respChunked:
		before := dst.Len()
		st, err := b.chunked.decode(src, dst, int(b.limit))
		b.total += int64(dst.Len() - before)
		if st != NeedMore {
			return st, err
		}
	case respUntilClose:
		if n := src.Len(); n > 0 {
			if b.limit > 0 && b.total+int64(n) > b.limit {
				return TooLong, fmt.Errorf("%w: over %d bytes", ErrBodyTooLarge, b.limit)
			}
			moved, err := src.RemoveBuffer(dst, n)
			if err != nil {
				return Corrupt, fmt.Errorf("%w: %w", ErrBuffer, err)
			}
			b.total += int64(moved)
		}
		if eof {
			return AllRead, nil
		}
		return NeedMore, nil
	}
	if eof {
		return Corrupt, fmt.Errorf("%w: body cut after %d bytes", ErrEOF, b.total)
	}
	return NeedMore, nil
}

// trailer returns the trailer fields of a chunked body (empty otherwise).
func (b *responseBody) trailer() *Header { return &b.chunked.trailer }

// reasonString returns rest as a string, without allocating for the
// reason phrases almost every response carries.
func reasonString(rest []byte) string {
	switch string(rest) {
	case "OK":
		return "OK"
	case "":
		return ""
	case "Not Found":
		return "Not Found"
	case "No Content":
		return "No Content"
	case "Not Modified":
		return "Not Modified"
	case "Partial Content":
		return "Partial Content"
	}
	return string(rest)
}
