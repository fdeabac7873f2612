package evhttp

import (
	"bytes"
	"fmt"
)

// Header is an ordered multimap of header fields. Names keep the spelling
// they were added with and compare case-insensitively (ASCII folding only);
// a name may have several values, kept in the order added.
//
// Names and values are stored in one byte arena, so parsing a request into a
// reused Header allocates nothing once the arena has grown; accessors that
// return strings copy. The zero Header is empty and ready to use. A Header is
// not safe for concurrent use.
type Header struct {
	arena  []byte
	fields []headerField
}

// headerField locates one field in the arena.
type headerField struct {
	nameOff, nameEnd, valEnd int // name = arena[nameOff:nameEnd], value = arena[nameEnd:valEnd]
}

func (h *Header) name(f headerField) []byte  { return h.arena[f.nameOff:f.nameEnd] }
func (h *Header) value(f headerField) []byte { return h.arena[f.nameEnd:f.valEnd] }

// Initial sizes of a Header's storage: a typical request or response head
// fits, so a fresh Header (one per client request) makes one allocation
// for each instead of growing through five or six.
const (
	initialArena  = 256
	initialFields = 8
)

// grow makes the first field's storage room for a whole typical head
// rather than for the first field alone.
func (h *Header) grow(n int) {
	if cap(h.arena) == 0 {
		h.arena = make([]byte, 0, max(initialArena, n))
	}
	if cap(h.fields) == 0 {
		h.fields = make([]headerField, 0, initialFields)
	}
}

// Reset removes every field and keeps the storage for reuse.
func (h *Header) Reset() {
	h.arena = h.arena[:0]
	h.fields = h.fields[:0]
}

// Len returns the number of fields (each value counts once).
func (h *Header) Len() int { return len(h.fields) }

// Add appends a field. It does not validate name or value; the parser does.
func (h *Header) Add(name, value string) {
	h.grow(len(name) + len(value))
	off := len(h.arena)
	h.arena = append(h.arena, name...)
	ne := len(h.arena)
	h.arena = append(h.arena, value...)
	h.fields = append(h.fields, headerField{off, ne, len(h.arena)})
}

// addBytes is Add for byte slices, used by the parser.
func (h *Header) addBytes(name, value []byte) {
	h.grow(len(name) + len(value))
	off := len(h.arena)
	h.arena = append(h.arena, name...)
	ne := len(h.arena)
	h.arena = append(h.arena, value...)
	h.fields = append(h.fields, headerField{off, ne, len(h.arena)})
}

// Set replaces every field named name with one field holding value, at the
// position of the first one (or at the end when there was none).
func (h *Header) Set(name, value string) {
	i := h.index(name)
	if i < 0 {
		h.Add(name, value)
		return
	}
	h.delFrom(name, i+1)
	off := len(h.arena)
	h.arena = append(h.arena, name...)
	ne := len(h.arena)
	h.arena = append(h.arena, value...)
	h.fields[i] = headerField{off, ne, len(h.arena)}
}

// Get returns the first value of name, or "" when there is none.
func (h *Header) Get(name string) string {
	if i := h.index(name); i >= 0 {
		return string(h.value(h.fields[i]))
	}
	return ""
}

// Has reports whether a field named name is present.
func (h *Header) Has(name string) bool { return h.index(name) >= 0 }

// Values returns every value of name in order, or nil.
func (h *Header) Values(name string) []string {
	var vs []string
	for _, f := range h.fields {
		if equalFold(h.name(f), name) {
			vs = append(vs, string(h.value(f)))
		}
	}
	return vs
}

// Del removes every field named name.
func (h *Header) Del(name string) { h.delFrom(name, 0) }

func (h *Header) delFrom(name string, from int) {
	out := h.fields[:from]
	for _, f := range h.fields[from:] {
		if !equalFold(h.name(f), name) {
			out = append(out, f)
		}
	}
	h.fields = out
}

// Range calls fn for each field in order, with the name as received, until
// fn returns false. fn must not change h.
func (h *Header) Range(fn func(name, value string) bool) {
	for _, f := range h.fields {
		if !fn(string(h.name(f)), string(h.value(f))) {
			return
		}
	}
}

// count returns how many fields are named name, without allocating.
func (h *Header) count(name string) int {
	n := 0
	for _, f := range h.fields {
		if equalFold(h.name(f), name) {
			n++
		}
	}
	return n
}

func (h *Header) index(name string) int {
	for i, f := range h.fields {
		if equalFold(h.name(f), name) {
			return i
		}
	}
	return -1
}

// String formats the fields as "Name: value\r\n" lines, for debugging.
func (h *Header) String() string {
	var b bytes.Buffer
	for _, f := range h.fields {
		fmt.Fprintf(&b, "%s: %s\r\n", h.name(f), h.value(f))
	}
	return b.String()
}

// equalFold compares b and s with ASCII case folding.
func equalFold(b []byte, s string) bool {
	if len(b) != len(s) {
		return false
	}
	for i := 0; i < len(b); i++ {
		x, y := b[i], s[i]
		if x == y {
			continue
		}
		if 'A' <= x && x <= 'Z' {
			x += 'a' - 'A'
		}
		if 'A' <= y && y <= 'Z' {
			y += 'a' - 'A'
		}
		if x != y {
			return false
		}
	}
	return true
}

// isTchar reports whether c is an RFC 9110 §5.6.2 tchar.
func isTchar(c byte) bool {
	switch {
	case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		return true
	}
	switch c {
	case '!', '#', '$', '%', '&', '\'', '*', '+', '-', '.', '^', '_', '`', '|', '~':
		return true
	}
	return false
}

func isToken(b []byte) bool {
	if len(b) == 0 {
		return false
	}
	for _, c := range b {
		if !isTchar(c) {
			return false
		}
	}
	return true
}

// trimOWS removes leading and trailing SP and HT.
func trimOWS(b []byte) []byte {
	for len(b) > 0 && (b[0] == ' ' || b[0] == '\t') {
		b = b[1:]
	}
	for len(b) > 0 && (b[len(b)-1] == ' ' || b[len(b)-1] == '\t') {
		b = b[:len(b)-1]
	}
	return b
}

// parseHeaderLine parses one field line (without its CRLF) into h:
// field-name ":" OWS field-value OWS (RFC 9112 §5). The name must be a
// token directly followed by the colon; a line starting with SP or HT is
// obs-fold and rejected; the value may hold VCHAR, obs-text, SP and HT
// only. Errors wrap ErrObsFold, ErrHeaderName or ErrHeaderValue.
func parseHeaderLine(h *Header, line []byte) error {
	if line[0] == ' ' || line[0] == '\t' {
		return fmt.Errorf("%w: line starts with whitespace", ErrObsFold)
	}
	colon := bytes.IndexByte(line, ':')
	if colon < 0 {
		return fmt.Errorf("%w: no colon", ErrHeaderName)
	}
	name := line[:colon]
	if !isToken(name) {
		return fmt.Errorf("%w: %q", ErrHeaderName, name)
	}
	value := trimOWS(line[colon+1:])
	for _, c := range value {
		if (c < ' ' && c != '\t') || c == 0x7f {
			return fmt.Errorf("%w: control byte %#x", ErrHeaderValue, c)
		}
	}
	h.addBytes(name, value)
	return nil
}

// hasToken reports whether a field named name holds token in its
// comma-separated list (case-insensitive), in any of its fields.
func (h *Header) hasToken(name, token string) bool {
	for _, f := range h.fields {
		if equalFold(h.name(f), name) && hasTokenBytes(h.value(f), token) {
			return true
		}
	}
	return false
}

// hasTokenBytes reports whether the comma-separated list v holds token
// (case-insensitive, optional whitespace around elements).
func hasTokenBytes(v []byte, token string) bool {
	for len(v) > 0 {
		i := bytes.IndexByte(v, ',')
		elem := v
		if i >= 0 {
			elem, v = v[:i], v[i+1:]
		} else {
			v = nil
		}
		if equalFold(trimOWS(elem), token) {
			return true
		}
	}
	return false
}
