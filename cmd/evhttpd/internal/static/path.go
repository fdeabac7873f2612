package static

import (
	"errors"
	"strings"
)

// ErrBadPath is returned by CleanPath for a request path that cannot name
// a file under the root: not absolute, a malformed or forbidden escape
// (%2F, %5C, %00), a backslash, a NUL or another control byte, or a ".."
// that climbs above the root. The server answers 400.
var ErrBadPath = errors.New("static: bad request path")

// CleanPath decodes the raw (still percent-encoded) path of a request
// target and resolves its "." and ".." segments and empty segments
// ("//"). The result starts with "/", holds no "." or ".." segment and no
// empty one, and ends with "/" when raw named a directory ("/a/",
// "/a/.", "/a/b/.."), so that the caller can tell "/dir" from "/dir/".
//
// Escapes of "/", "\" and NUL are refused rather than decoded, so that a
// segment never changes into several; so are backslashes, which some
// systems take as separators, and control bytes.
func CleanPath(raw string) (string, error) {
	if raw == "" || raw[0] != '/' {
		return "", ErrBadPath
	}
	segs := make([]string, 0, strings.Count(raw, "/"))
	dir := false
	for rest := raw[1:]; ; {
		seg, tail, more := strings.Cut(rest, "/")
		dec, err := decodeSegment(seg)
		if err != nil {
			return "", err
		}
		switch dec {
		case "", ".":
			dir = true
		case "..":
			if len(segs) == 0 {
				return "", ErrBadPath
			}
			segs = segs[:len(segs)-1]
			dir = true
		default:
			segs = append(segs, dec)
			dir = false
		}
		if !more {
			break
		}
		rest = tail
	}
	var b strings.Builder
	b.Grow(len(raw) + 1)
	for _, s := range segs {
		b.WriteByte('/')
		b.WriteString(s)
	}
	if dir || len(segs) == 0 {
		b.WriteByte('/')
	}
	return b.String(), nil
}

// decodeSegment percent-decodes one path segment strictly.
func decodeSegment(s string) (string, error) {
	if strings.IndexByte(s, '%') < 0 {
		if err := checkSegment(s); err != nil {
			return "", err
		}
		return s, nil
	}
	b := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == '%' {
			if i+2 >= len(s) {
				return "", ErrBadPath
			}
			hi, ok1 := unhex(s[i+1])
			lo, ok2 := unhex(s[i+2])
			if !ok1 || !ok2 {
				return "", ErrBadPath
			}
			c = hi<<4 | lo
			if c == '/' || c == '\\' || c == 0 {
				return "", ErrBadPath
			}
			i += 2
		}
		b = append(b, c)
	}
	out := string(b)
	if err := checkSegment(out); err != nil {
		return "", err
	}
	return out, nil
}

// checkSegment refuses the bytes a decoded segment must not hold.
func checkSegment(s string) error {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < ' ' || c == 0x7f || c == '\\' {
			return ErrBadPath
		}
	}
	return nil
}

func unhex(c byte) (byte, bool) {
	switch {
	case '0' <= c && c <= '9':
		return c - '0', true
	case 'a' <= c && c <= 'f':
		return c - 'a' + 10, true
	case 'A' <= c && c <= 'F':
		return c - 'A' + 10, true
	}
	return 0, false
}
