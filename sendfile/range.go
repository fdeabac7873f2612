package sendfile

import (
	"strconv"
	"strings"
)

// Range is one byte range of a representation: Length bytes from Start.
// Ranges from ParseRange always have 0 <= Start, Length > 0 and
// Start+Length <= size.
type Range struct {
	Start, Length int64
}

// End is the offset just past the range.
func (r Range) End() int64 { return r.Start + r.Length }

// ContentRange is the Content-Range field value of a 206 part for r in a
// representation of size bytes: "bytes 0-499/1234".
func (r Range) ContentRange(size int64) string {
	b := make([]byte, 0, 6+3*20)
	b = append(b, "bytes "...)
	b = strconv.AppendInt(b, r.Start, 10)
	b = append(b, '-')
	b = strconv.AppendInt(b, r.Start+r.Length-1, 10)
	b = append(b, '/')
	b = strconv.AppendInt(b, size, 10)
	return string(b)
}

// UnsatisfiedContentRange is the Content-Range field value of a 416
// answer: "bytes */1234".
func UnsatisfiedContentRange(size int64) string {
	return "bytes */" + strconv.FormatInt(size, 10)
}

// Limits of ParseRange against range amplification (many small or
// overlapping ranges that make a 206 multipart answer far larger than the
// file).
const (
	// MaxRanges is the most range-specs a header may hold.
	MaxRanges = 100
	// MaxRangeFactor bounds the sum of the satisfiable ranges' lengths to
	// this many times the file's size.
	MaxRangeFactor = 2
)

// ParseRange parses a Range header field value (RFC 9110 §14.2) for a
// representation of size bytes and returns its satisfiable ranges, in the
// order given, clamped to the file: "bytes=0-499", "bytes=500-" (to the
// end), "bytes=-500" (the last 500 bytes, or the whole file when shorter),
// and lists of them, "bytes=0-0,-1". The unit is case-insensitive, optional
// whitespace is accepted around the list's commas and the whole value, and
// empty list elements are ignored (RFC 9110 §5.6.1). Ranges that start at
// or past size are dropped.
//
// Errors:
//   - ErrInvalidRange: the header is malformed (bad syntax, last-pos before
//     first-pos, no range at all), uses another unit, has more than
//     MaxRanges ranges, or asks for more than MaxRangeFactor times the file
//     in total. The server ignores Range and sends the whole file with 200.
//   - ErrUnsatisfiable: the header is valid but no range overlaps the file
//     (every first-pos >= size, a zero suffix, an empty file). The server
//     answers 416 with UnsatisfiedContentRange(size).
//
// An empty header gives (nil, ErrInvalidRange) too; callers check for the
// header's presence first.
func ParseRange(header string, size int64) ([]Range, error) {
	if size < 0 {
		return nil, ErrInvalidRange
	}
	s := trimOWS(header)
	const unit = "bytes="
	if len(s) < len(unit) || !equalFoldASCII(s[:len(unit)-1], "bytes") || s[len(unit)-1] != '=' {
		return nil, ErrInvalidRange
	}
	s = s[len(unit):]
	var ranges []Range
	budget := MaxRangeFactor * uint64(size) // what the ranges may add up to; cannot overflow
	specs := 0
	for len(s) > 0 {
		var elem string
		if i := strings.IndexByte(s, ','); i >= 0 {
			elem, s = s[:i], s[i+1:]
		} else {
			elem, s = s, ""
		}
		elem = trimOWS(elem)
		if elem == "" {
			continue
		}
		if specs++; specs > MaxRanges {
			return nil, ErrInvalidRange
		}
		r, ok, valid := parseSpec(elem, size)
		if !valid {
			return nil, ErrInvalidRange
		}
		if !ok {
			continue
		}
		if uint64(r.Length) > budget {
			return nil, ErrInvalidRange
		}
		budget -= uint64(r.Length)
		ranges = append(ranges, r)
	}
	if specs == 0 {
		return nil, ErrInvalidRange
	}
	if len(ranges) == 0 {
		return nil, ErrUnsatisfiable
	}
	return ranges, nil
}

// parseSpec parses one range-spec. valid is false for a syntax error; ok
// is false for a valid but unsatisfiable spec.
func parseSpec(spec string, size int64) (r Range, ok, valid bool) {
	i := strings.IndexByte(spec, '-')
	if i < 0 {
		return Range{}, false, false
	}
	first, last := spec[:i], spec[i+1:]
	if first == "" {
		// suffix-range = "-" suffix-length
		n, valid := parseDigits(last)
		if !valid {
			return Range{}, false, false
		}
		if n == 0 || size == 0 {
			return Range{}, false, true
		}
		n = min(n, size)
		return Range{Start: size - n, Length: n}, true, true
	}
	// int-range = first-pos "-" [ last-pos ]
	start, valid := parseDigits(first)
	if !valid {
		return Range{}, false, false
	}
	end := int64(-1)
	if last != "" {
		if end, valid = parseDigits(last); !valid || end < start {
			return Range{}, false, false
		}
	}
	if start >= size {
		return Range{}, false, true
	}
	if end < 0 || end >= size {
		end = size - 1
	}
	return Range{Start: start, Length: end - start + 1}, true, true
}

// parseDigits parses 1*DIGIT, saturating at the largest int64 (a position
// that large is past any file, which is what it means).
func parseDigits(s string) (int64, bool) {
	if s == "" {
		return 0, false
	}
	const maxInt64 = 1<<63 - 1
	var n int64
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		d := int64(c - '0')
		if n > (maxInt64-d)/10 {
			n = maxInt64
		} else {
			n = n*10 + d
		}
	}
	return n, true
}

// trimOWS trims optional whitespace (SP / HTAB, RFC 9110 §5.6.3).
func trimOWS(s string) string {
	for len(s) > 0 && (s[0] == ' ' || s[0] == '\t') {
		s = s[1:]
	}
	for len(s) > 0 && (s[len(s)-1] == ' ' || s[len(s)-1] == '\t') {
		s = s[:len(s)-1]
	}
	return s
}

// equalFoldASCII compares ASCII case-insensitively; t is lower case.
func equalFoldASCII(s, t string) bool {
	if len(s) != len(t) {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c != t[i] {
			return false
		}
	}
	return true
}
