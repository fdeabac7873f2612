package evhttp

import (
	"bytes"
	"fmt"
	"strconv"
)

// framingKind says how a request body is delimited.
type framingKind int

const (
	framingInvalid framingKind = iota // the decision failed
	framingNone                       // no body
	framingLength                     // Content-Length bytes
	framingChunked                    // chunked transfer coding
)

var framingKindNames = [...]string{
	framingInvalid: "invalid",
	framingNone:    "none",
	framingLength:  "length",
	framingChunked: "chunked",
}

func (k framingKind) String() string {
	if k >= 0 && int(k) < len(framingKindNames) {
		return framingKindNames[k]
	}
	return "framingKind(" + strconv.Itoa(int(k)) + ")"
}

// bodyFraming is the outcome of decideFraming.
type bodyFraming struct {
	kind   framingKind
	length int64 // body bytes, for framingLength
}

// maxContentLength bounds Content-Length; larger values are rejected as
// invalid rather than risking overflow downstream.
const maxContentLength = 1 << 62

// decideFraming applies RFC 9112 §6.1–6.3 to a request header section
// (minor is the HTTP/1.minor version) and rejects every ambiguous shape that
// request smuggling relies on:
//
//   - Transfer-Encoding with Content-Length: ErrContentLengthWithTransferEncoding
//     (§6.1 allows processing TE and dropping CL; we reject, like §6.3 rule 3
//     suggests for servers).
//   - Transfer-Encoding in HTTP/1.0: ErrTransferEncodingHTTP10.
//   - Transfer-Encoding (all fields, as one list) whose last coding is not
//     "chunked" (case-insensitive), with chunked twice, or with empty or
//     non-token elements: ErrTransferEncoding. Exactly "chunked" gives
//     chunked framing; other codings before it: ErrUnsupportedTransferCoding
//     (501), since we decode none.
//   - Content-Length not 1*DIGIT (no sign, no spaces inside, no empty
//     value) or above 1<<62: ErrContentLength. More than one value, as
//     repeated fields or a list, even if identical ("5, 5"; RFC 9110 §8.6
//     allows accepting those, we are strict): ErrDuplicateContentLength.
//   - More than one Host field: ErrDuplicateHost.
//
// These come with kind framingInvalid. An HTTP/1.1 request without Host
// gets its framing and an error wrapping ErrMissingHost. A request with
// neither TE nor CL has no body.
func decideFraming(h *Header, minor int) (bodyFraming, error) {
	if h.count("Host") > 1 {
		return bodyFraming{}, ErrDuplicateHost
	}
	var (
		teSeen, clSeen bool
		clCount        int
		cl             int64
		teElems        int
		chunkedAt      = -1
		chunkedCount   int
	)
	for _, f := range h.fields {
		name := h.name(f)
		switch {
		case equalFold(name, "Transfer-Encoding"):
			teSeen = true
			v := h.value(f)
			for len(v) > 0 || teElems == 0 {
				var elem []byte
				if i := bytes.IndexByte(v, ','); i >= 0 {
					elem, v = v[:i], v[i+1:]
				} else {
					elem, v = v, nil
				}
				elem = trimOWS(elem)
				if len(elem) == 0 {
					// RFC 9110 §5.6.1 lets recipients skip empty list
					// elements, but an all-empty TE is invalid below.
					if len(v) == 0 {
						break
					}
					continue
				}
				coding := elem
				if i := bytes.IndexByte(elem, ';'); i >= 0 {
					coding = trimOWS(elem[:i])
				}
				if !isToken(coding) {
					return bodyFraming{}, fmt.Errorf("%w: %q", ErrTransferEncoding, elem)
				}
				if equalFold(coding, "chunked") {
					if len(coding) != len(elem) {
						return bodyFraming{}, fmt.Errorf("%w: chunked takes no parameters", ErrTransferEncoding)
					}
					chunkedAt = teElems
					chunkedCount++
				}
				teElems++
			}
		case equalFold(name, "Content-Length"):
			clSeen = true
			v := h.value(f)
			for {
				var elem []byte
				i := bytes.IndexByte(v, ',')
				if i >= 0 {
					elem, v = v[:i], v[i+1:]
				} else {
					elem = v
				}
				n, ok := parseContentLength(trimOWS(elem))
				if !ok {
					return bodyFraming{}, fmt.Errorf("%w: %q", ErrContentLength, h.value(f))
				}
				clCount++
				cl = n
				if i < 0 {
					break
				}
			}
		}
	}
	if teSeen {
		switch {
		case clSeen:
			return bodyFraming{}, ErrContentLengthWithTransferEncoding
		case minor == 0:
			return bodyFraming{}, ErrTransferEncodingHTTP10
		case teElems == 0:
			return bodyFraming{}, fmt.Errorf("%w: empty", ErrTransferEncoding)
		case chunkedAt != teElems-1:
			return bodyFraming{}, fmt.Errorf("%w: chunked is not the final coding", ErrTransferEncoding)
		case chunkedCount > 1:
			return bodyFraming{}, fmt.Errorf("%w: chunked applied twice", ErrTransferEncoding)
		case teElems > 1:
			return bodyFraming{}, ErrUnsupportedTransferCoding
		}
		return hostCheck(h, minor, bodyFraming{kind: framingChunked})
	}
	if clSeen {
		if clCount > 1 {
			return bodyFraming{}, ErrDuplicateContentLength
		}
		return hostCheck(h, minor, bodyFraming{kind: framingLength, length: cl})
	}
	return hostCheck(h, minor, bodyFraming{kind: framingNone})
}

func hostCheck(h *Header, minor int, fr bodyFraming) (bodyFraming, error) {
	if minor >= 1 && !h.Has("Host") {
		return fr, ErrMissingHost
	}
	return fr, nil
}

// parseContentLength parses 1*DIGIT up to maxContentLength.
func parseContentLength(b []byte) (int64, bool) {
	if len(b) == 0 {
		return 0, false
	}
	var n int64
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int64(c-'0')
		if n > maxContentLength {
			return 0, false
		}
	}
	return n, true
}
