package evhttp

import (
	"bytes"
	"fmt"
	"strconv"

	"github.com/goevent/goevent/evbuffer"
)

// ParseStatus is the result of one resumable parse step, libevent's
// message_read_status.
type ParseStatus int

// Parse step results.
const (
	// AllRead: the part being parsed is complete.
	AllRead ParseStatus = iota + 1
	// NeedMore: everything buffered was consumed or is held back for a
	// line still incomplete; call again when more bytes arrive.
	NeedMore
	// Corrupt: the message breaks the protocol (400, or 505/501 when the
	// error wraps ErrUnsupportedVersion or ErrUnsupportedTransferCoding).
	Corrupt
	// TooLong: a limit was exceeded (414, 431 or 413 depending on the error).
	TooLong
)

var parseStatusNames = [...]string{
	AllRead:  "AllRead",
	NeedMore: "NeedMore",
	Corrupt:  "Corrupt",
	TooLong:  "TooLong",
}

// String returns the constant's name.
func (s ParseStatus) String() string {
	if s > 0 && int(s) < len(parseStatusNames) {
		return parseStatusNames[s]
	}
	return "ParseStatus(" + strconv.Itoa(int(s)) + ")"
}

// Default limits of the request parser; a zero limit field means the default.
const (
	DefaultMaxRequestLine = 8 << 10
	DefaultMaxHeaderBytes = 64 << 10
	DefaultMaxHeaders     = 100
	// maxLeadingEmptyLines is how many empty lines before a request line
	// are skipped (RFC 9112 §2.2: SHOULD ignore at least one) before the
	// request is rejected.
	maxLeadingEmptyLines = 8
)

// lineReader finds CRLF-terminated lines in an evbuffer across calls,
// remembering how far it already scanned so that bytes arriving one at a
// time are not rescanned. A line it returns stays in the buffer (made
// contiguous by Pullup, which copies only when the line spans blocks) until
// release or the next call drains it; so no block is held for a line after
// the caller is done with it, unlike ReadLine, whose lines keep their block
// until the buffer's next change, which for an idle connection never comes.
type lineReader struct {
	scanned int // bytes at the front known to hold no LF
	pending int // bytes of the last line returned (with its CRLF) still in the buffer
}

// release drains the last line returned by next.
func (lr *lineReader) release(src *evbuffer.Buffer) {
	if lr.pending > 0 {
		src.Drain(lr.pending)
		lr.pending = 0
	}
}

// next returns the next line without its CRLF when a whole line of at most
// max bytes (CRLF excluded) is buffered, after draining the line it
// returned before. The line aliases src and is valid until release, the
// next call, or another change to src. A line longer than max gives TooLong
// (with a nil error; the caller picks the error); a bare LF, or a CR or NUL
// inside the line, gives Corrupt.
func (lr *lineReader) next(src *evbuffer.Buffer, max int) ([]byte, ParseStatus, error) {
	lr.release(src)
	if lr.scanned == 0 {
		// Fast path: the line is in the first segment.
		if f := src.Front(); len(f) > 0 {
			if i := bytes.IndexByte(f, '\n'); i >= 0 {
				if i > max+1 {
					return nil, TooLong, nil
				}
				lr.pending = i + 1
				return checkLine(f[:i])
			}
		}
	}
	var ptr evbuffer.Ptr
	if lr.scanned > 0 {
		if err := src.PtrSet(&ptr, lr.scanned, evbuffer.PtrSetAbs); err != nil {
			lr.scanned = 0
			ptr = evbuffer.Ptr{}
		}
	}
	p, _ := src.SearchEOL(&ptr, evbuffer.EOLLF)
	if p.Pos < 0 {
		lr.scanned = src.Len()
		if lr.scanned > max+1 { // max content bytes plus the CR
			return nil, TooLong, nil
		}
		return nil, NeedMore, nil
	}
	if p.Pos > max+1 {
		return nil, TooLong, nil
	}
	lr.scanned = 0
	line, err := src.Pullup(p.Pos + 1)
	if err != nil {
		return nil, Corrupt, fmt.Errorf("%w: cannot read line: %w", ErrBuffer, err)
	}
	lr.pending = p.Pos + 1
	return checkLine(line[:p.Pos])
}

// checkLine checks a line without its LF: it must end in CR and hold no
// other CR and no NUL. It returns the line without the CR.
func checkLine(line []byte) ([]byte, ParseStatus, error) {
	if len(line) == 0 || line[len(line)-1] != '\r' {
		return nil, Corrupt, fmt.Errorf("%w: bare LF", ErrLineEnding)
	}
	line = line[:len(line)-1]
	if bytes.IndexByte(line, '\r') >= 0 {
		return nil, Corrupt, fmt.Errorf("%w: bare CR", ErrLineEnding)
	}
	if bytes.IndexByte(line, 0) >= 0 {
		return nil, Corrupt, fmt.Errorf("%w: NUL", ErrLineEnding)
	}
	return line, AllRead, nil
}

// readFields reads field lines (a header or trailer section) into h up to
// and including the empty line that ends them, resumably: NeedMore until
// that line is buffered, then AllRead with the section's lines drained from
// buf. *used counts the section's bytes (every CRLF included) against
// maxBytes (TooLong with ErrHeaderTooLarge beyond it); more than maxCount
// fields is TooLong with ErrTooManyHeaders; a malformed line is Corrupt.
// The request, response and chunked-trailer parsers share it.
func readFields(buf *evbuffer.Buffer, lr *lineReader, h *Header, used *int, maxBytes, maxCount int) (ParseStatus, error) {
	for {
		line, st, err := lr.next(buf, maxBytes-*used-2)
		switch st {
		case NeedMore:
			return NeedMore, nil
		case TooLong:
			return TooLong, ErrHeaderTooLarge
		case Corrupt:
			return Corrupt, err
		}
		*used += len(line) + 2
		if len(line) == 0 {
			lr.release(buf)
			return AllRead, nil
		}
		if h.Len() >= maxCount {
			return TooLong, ErrTooManyHeaders
		}
		if err := parseHeaderLine(h, line); err != nil {
			return Corrupt, err
		}
	}
}

// parseState is where a requestParser is in a request head.
type parseState int

const (
	stateRequestLine parseState = iota
	stateHeaders
	stateDone
	stateFailed
)

var parseStateNames = [...]string{
	stateRequestLine: "RequestLine",
	stateHeaders:     "Headers",
	stateDone:        "Done",
	stateFailed:      "Failed",
}

func (s parseState) String() string {
	if s >= 0 && int(s) < len(parseStateNames) {
		return parseStateNames[s]
	}
	return "parseState(" + strconv.Itoa(int(s)) + ")"
}

// targetForm is the RFC 9112 §3.2 form of a request-target.
type targetForm int

const (
	formOrigin    targetForm = iota // "/path?query"
	formAbsolute                    // "http://host/path"
	formAuthority                   // "host:port", CONNECT only
	formAsterisk                    // "*", OPTIONS only
)

var targetFormNames = [...]string{
	formOrigin:    "origin-form",
	formAbsolute:  "absolute-form",
	formAuthority: "authority-form",
	formAsterisk:  "asterisk-form",
}

func (f targetForm) String() string {
	if f >= 0 && int(f) < len(targetFormNames) {
		return targetFormNames[f]
	}
	return "targetForm(" + strconv.Itoa(int(f)) + ")"
}

// requestParser parses an HTTP/1.x request head (request line and header
// section) from an evbuffer in resumable steps, then decides the body
// framing. It follows RFC 9110/9112 strictly:
//
//   - Lines end in CRLF; a bare LF, or a CR or NUL anywhere in a line, is
//     Corrupt (RFC 9112 §2.2 lets a recipient accept bare LF; we do not).
//   - Up to 8 empty lines before the request line are skipped.
//   - The request line is exactly method SP target SP version: no extra or
//     trailing spaces (libevent trims trailing spaces; we reject them,
//     RFC 9112 §3 "SHOULD NOT attempt to autocorrect").
//   - The version is case-sensitive "HTTP/1.0" or "HTTP/1.1"; another
//     well-formed HTTP/d.d is ErrUnsupportedVersion.
//
// The zero value is ready to use with default limits; reset prepares it for
// the next request on a connection and keeps its storage.
type requestParser struct {
	// Limits; zero means the Default constant.
	maxRequestLine int // request-line bytes, CRLF excluded (TooLong → 414)
	maxHeaderBytes int // header section bytes incl. every CRLF and the final empty line (→ 431)
	maxHeaders     int // header fields (→ 431)

	state       parseState
	lines       lineReader
	emptyLines  int // empty lines skipped before the request line
	headerBytes int // header section bytes consumed so far
	status      ParseStatus
	err         error // sticky result once done or failed

	// Results, valid after parse returns AllRead.
	method     string
	target     string
	lastTarget string // the previous request's target, kept by reset for reuse
	form       targetForm
	minor      int // 0 or 1: HTTP/1.minor
	header     Header
	framing    bodyFraming
}

// reset forgets the previous request but keeps the header storage.
func (p *requestParser) reset() {
	p.state = stateRequestLine
	p.lines = lineReader{}
	p.emptyLines = 0
	p.headerBytes = 0
	p.status = 0
	p.err = nil
	if p.target != "" {
		p.lastTarget = p.target
	}
	p.method, p.target = "", ""
	p.form, p.minor = 0, 0
	p.header.Reset()
	p.framing = bodyFraming{}
}

func limitOr(v, def int) int {
	if v <= 0 {
		return def
	}
	return v
}

// parse consumes request-head bytes from the front of buf. It returns
// NeedMore until the request line and header section are complete, then
// AllRead with the framing decided (err is nil, or wraps ErrMissingHost for
// an HTTP/1.1 request without Host, which the caller may accept). Corrupt and
// TooLong come with an error wrapping a sentinel. After AllRead, Corrupt or
// TooLong, further calls return the same result without reading; call reset
// before the next request. Bytes after the header section (the body, a
// pipelined request) are left in buf.
func (p *requestParser) parse(buf *evbuffer.Buffer) (ParseStatus, error) {
	if p.state == stateDone || p.state == stateFailed {
		return p.status, p.err
	}
	for p.state == stateRequestLine {
		line, st, err := p.lines.next(buf, limitOr(p.maxRequestLine, DefaultMaxRequestLine))
		switch st {
		case NeedMore:
			return NeedMore, nil
		case TooLong:
			return p.fail(TooLong, ErrRequestLineTooLong)
		case Corrupt:
			return p.fail(Corrupt, err)
		}
		if len(line) == 0 {
			p.emptyLines++
			if p.emptyLines > maxLeadingEmptyLines {
				return p.fail(Corrupt, fmt.Errorf("%w: too many empty lines before it", ErrRequestLine))
			}
			continue
		}
		if err := p.parseRequestLine(line); err != nil {
			return p.fail(Corrupt, err)
		}
		p.state = stateHeaders
	}
	switch st, err := readFields(buf, &p.lines, &p.header, &p.headerBytes,
		limitOr(p.maxHeaderBytes, DefaultMaxHeaderBytes), limitOr(p.maxHeaders, DefaultMaxHeaders)); st {
	case NeedMore:
		return NeedMore, nil
	case Corrupt, TooLong:
		return p.fail(st, err)
	}
	fr, err := decideFraming(&p.header, p.minor)
	if err != nil && fr.kind == framingInvalid {
		return p.fail(Corrupt, err)
	}
	p.framing = fr
	p.state, p.status, p.err = stateDone, AllRead, err
	return AllRead, err
}

func (p *requestParser) fail(st ParseStatus, err error) (ParseStatus, error) {
	p.state, p.status, p.err = stateFailed, st, err
	return st, err
}

// parseRequestLine splits and validates method SP request-target SP
// HTTP-version (RFC 9112 §3).
func (p *requestParser) parseRequestLine(line []byte) error {
	sp1 := bytes.IndexByte(line, ' ')
	if sp1 < 0 {
		return fmt.Errorf("%w: no space", ErrRequestLine)
	}
	method := line[:sp1]
	rest := line[sp1+1:]
	sp2 := bytes.IndexByte(rest, ' ')
	if sp2 < 0 {
		return fmt.Errorf("%w: no version", ErrRequestLine)
	}
	target, version := rest[:sp2], rest[sp2+1:]
	if !isToken(method) {
		return fmt.Errorf("%w: %q", ErrMethod, method)
	}
	if bytes.IndexByte(version, ' ') >= 0 || len(version) == 0 {
		return fmt.Errorf("%w: extra space", ErrRequestLine)
	}
	if err := p.parseVersion(version); err != nil {
		return err
	}
	form, err := classifyTarget(method, target)
	if err != nil {
		return err
	}
	p.method = internMethod(method)
	if string(target) == p.lastTarget {
		// The same target as this parser's previous request (a keep-alive
		// client polling one URL, a health check): reuse its string, so
		// such requests allocate nothing.
		p.target = p.lastTarget
	} else {
		p.target = string(target)
	}
	p.form = form
	return nil
}

func (p *requestParser) parseVersion(v []byte) error {
	if len(v) != 8 || string(v[:5]) != "HTTP/" || v[6] != '.' ||
		v[5] < '0' || v[5] > '9' || v[7] < '0' || v[7] > '9' {
		return fmt.Errorf("%w: %q", ErrVersion, v)
	}
	if v[5] != '1' || v[7] > '1' {
		return fmt.Errorf("%w: %s", ErrUnsupportedVersion, v)
	}
	p.minor = int(v[7] - '0')
	return nil
}

// internMethod returns common methods as constants so that parsing them
// allocates nothing. Methods are case-sensitive (RFC 9110 §9.1).
func internMethod(m []byte) string {
	switch string(m) {
	case "GET":
		return "GET"
	case "HEAD":
		return "HEAD"
	case "POST":
		return "POST"
	case "PUT":
		return "PUT"
	case "DELETE":
		return "DELETE"
	case "OPTIONS":
		return "OPTIONS"
	case "CONNECT":
		return "CONNECT"
	case "PATCH":
		return "PATCH"
	case "TRACE":
		return "TRACE"
	}
	return string(m)
}

// classifyTarget checks the request-target's bytes and form (RFC 9112 §3.2):
// CONNECT takes only authority-form, "*" only goes with OPTIONS, origin-form
// starts with "/", anything else must be absolute-form (scheme ":" ...).
// Bytes outside visible ASCII and "#" (fragments are never sent) are rejected.
func classifyTarget(method, t []byte) (targetForm, error) {
	if len(t) == 0 {
		return 0, fmt.Errorf("%w: empty", ErrTarget)
	}
	for _, c := range t {
		if c <= ' ' || c >= 0x7f || c == '#' {
			return 0, fmt.Errorf("%w: byte %#x", ErrTarget, c)
		}
	}
	if string(method) == "CONNECT" {
		if !isAuthorityForm(t) {
			return 0, fmt.Errorf("%w: CONNECT needs host:port", ErrTarget)
		}
		return formAuthority, nil
	}
	if len(t) == 1 && t[0] == '*' {
		if string(method) != "OPTIONS" {
			return 0, fmt.Errorf("%w: * only with OPTIONS", ErrTarget)
		}
		return formAsterisk, nil
	}
	if t[0] == '/' {
		return formOrigin, nil
	}
	// absolute-URI: scheme = ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ) ":"
	i := 0
	for ; i < len(t); i++ {
		c := t[i]
		isAlpha := ('a' <= c && c <= 'z') || ('A' <= c && c <= 'Z')
		if isAlpha || (i > 0 && (('0' <= c && c <= '9') || c == '+' || c == '-' || c == '.')) {
			continue
		}
		break
	}
	if i == 0 || i >= len(t) || t[i] != ':' {
		return 0, fmt.Errorf("%w: %q", ErrTarget, t)
	}
	return formAbsolute, nil
}

// isAuthorityForm reports whether t is host ":" port with a non-empty host
// (reg-name, IPv4 or bracketed IPv6) and a non-empty decimal port, and no
// userinfo, path, query or fragment.
func isAuthorityForm(t []byte) bool {
	colon := bytes.LastIndexByte(t, ':')
	if colon <= 0 || colon == len(t)-1 {
		return false
	}
	host, port := t[:colon], t[colon+1:]
	if len(port) > 5 {
		return false
	}
	for _, c := range port {
		if c < '0' || c > '9' {
			return false
		}
	}
	if host[0] == '[' {
		if host[len(host)-1] != ']' || len(host) < 3 {
			return false
		}
		for _, c := range host[1 : len(host)-1] {
			if !(c == ':' || c == '.' || ('0' <= c && c <= '9') || ('a' <= c && c <= 'f') || ('A' <= c && c <= 'F')) {
				return false
			}
		}
		return true
	}
	for _, c := range host {
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		case c == '-', c == '.', c == '_', c == '~', c == '%':
		case c == '!', c == '$', c == '&', c == '\'', c == '(', c == ')', c == '*', c == '+', c == ',', c == ';', c == '=':
		default:
			return false
		}
	}
	return true
}
