package static

import (
	"io/fs"
	"strconv"
	"strings"
	"time"
)

// timeFormat is the IMF-fixdate of RFC 9110 §5.6.7, the form sent.
const timeFormat = "Mon, 02 Jan 2006 15:04:05 GMT"

// dateLayouts are the forms a recipient must accept (RFC 9110 §5.6.7):
// IMF-fixdate, the obsolete RFC 850 form and asctime's.
var dateLayouts = [...]string{timeFormat, "Monday, 02-Jan-06 15:04:05 GMT", "Mon Jan _2 15:04:05 2006"}

// ParseHTTPDate parses an HTTP date in any of the three forms RFC 9110
// §5.6.7 names. ok is false for anything else; callers then ignore the
// field, as §13.1.3 and §13.1.4 ask.
func ParseHTTPDate(s string) (t time.Time, ok bool) {
	for _, layout := range dateLayouts {
		if t, err := time.Parse(layout, s); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}

// ETag returns the strong entity tag of a file version: its size, the
// nanoseconds of its modification time and its inode, in hex and quoted.
// Any change of content that changes one of them changes the tag, and
// two files never share one on the same file system.
func ETag(size int64, mtime time.Time, inode uint64) string {
	b := make([]byte, 0, 48)
	b = append(b, '"')
	b = strconv.AppendInt(b, size, 16)
	b = append(b, '-')
	b = strconv.AppendInt(b, mtime.UnixNano(), 16)
	b = append(b, '-')
	b = strconv.AppendUint(b, inode, 16)
	b = append(b, '"')
	return string(b)
}

// MatchETag reports whether the If-Match or If-None-Match field value
// list names etag (a quoted strong tag): "*" matches anything, and weak
// tags ("W/...") match only when weak is set (the weak comparison of
// RFC 9110 §8.8.3.2, used by If-None-Match; If-Match compares strongly).
// A malformed list matches nothing.
func MatchETag(list, etag string, weak bool) bool {
	list = strings.Trim(list, " \t")
	if list == "*" {
		return true
	}
	matched := false
	ok := forEachETag(list, func(tag string, isWeak bool) {
		if tag == etag && (weak || !isWeak) {
			matched = true
		}
	})
	return ok && matched
}

// forEachETag calls fn with each entity-tag of a comma-separated list
// (RFC 9110 §8.8.3: [W/] DQUOTE *etagc DQUOTE), the tag with its quotes.
// It returns false when the list is malformed or empty.
func forEachETag(list string, fn func(tag string, weak bool)) bool {
	n := 0
	for i := 0; i < len(list); {
		switch list[i] {
		case ' ', '\t', ',':
			i++
			continue
		}
		weak := false
		if strings.HasPrefix(list[i:], "W/") {
			weak = true
			i += 2
		}
		if i >= len(list) || list[i] != '"' {
			return false
		}
		j := i + 1
		for j < len(list) && list[j] != '"' {
			if c := list[j]; c < 0x21 || c == 0x7f {
				return false
			}
			j++
		}
		if j >= len(list) {
			return false
		}
		fn(list[i:j+1], weak)
		n++
		i = j + 1
		for i < len(list) && (list[i] == ' ' || list[i] == '\t') {
			i++
		}
		if i < len(list) && list[i] != ',' {
			return false
		}
	}
	return n > 0
}

// precondition is the outcome of the conditional fields of a request.
type precondition int

const (
	proceed     precondition = iota // answer normally
	notModified                     // 304
	failed                          // 412
)

// validators are what a representation is compared with.
type validators struct {
	etag    string
	modtime time.Time // truncated to the second, as Last-Modified says
}

// newValidators returns the validators of the file version fi describes.
func newValidators(fi fs.FileInfo) validators {
	return validators{
		etag:    ETag(fi.Size(), fi.ModTime(), inode(fi)),
		modtime: fi.ModTime().UTC().Truncate(time.Second),
	}
}

// header is the part of a request's header fields the evaluation reads.
type header interface{ Get(name string) string }

// evaluate applies RFC 9110 §13.2.2 steps 1 to 4 for a GET or HEAD.
func (v validators) evaluate(h header) precondition {
	if im := h.Get("If-Match"); im != "" {
		if !MatchETag(im, v.etag, false) {
			return failed
		}
	} else if ius := h.Get("If-Unmodified-Since"); ius != "" {
		if t, ok := ParseHTTPDate(ius); ok && v.modtime.After(t) {
			return failed
		}
	}
	if inm := h.Get("If-None-Match"); inm != "" {
		if MatchETag(inm, v.etag, true) {
			return notModified
		}
	} else if ims := h.Get("If-Modified-Since"); ims != "" {
		if t, ok := ParseHTTPDate(ims); ok && !v.modtime.After(t) {
			return notModified
		}
	}
	return proceed
}

// rangeApplies reports whether a Range field should be honoured given
// If-Range (RFC 9110 §13.1.5): absent, a strong tag equal to ours, or a
// date exactly equal to Last-Modified.
func (v validators) rangeApplies(h header) bool {
	ir := strings.Trim(h.Get("If-Range"), " \t")
	if ir == "" {
		return true
	}
	if ir[0] == '"' {
		return ir == v.etag
	}
	if strings.HasPrefix(ir, "W/") {
		return false
	}
	t, ok := ParseHTTPDate(ir)
	return ok && t.Equal(v.modtime)
}
