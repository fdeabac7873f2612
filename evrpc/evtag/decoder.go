package evtag

import "fmt"

// A Decoder reads a stream of elements from a byte slice, one element per
// call, with the checks of libevent's evtag_unmarshal_* functions. A call
// that fails leaves the Decoder where it was, so the caller may inspect
// the element another way or give up.
//
// The zero Decoder holds no input; Reset or NewDecoder gives it some.
// Slices returned by Next and Bytes alias the input.
type Decoder struct {
	buf []byte
	off int
}

// NewDecoder returns a Decoder reading p.
func NewDecoder(p []byte) *Decoder {
	return &Decoder{buf: p}
}

// Reset makes d read p from its start.
func (d *Decoder) Reset(p []byte) {
	d.buf, d.off = p, 0
}

// Len returns the number of bytes not yet read.
func (d *Decoder) Len() int { return len(d.buf) - d.off }

// Remaining returns the bytes not yet read. The slice aliases the input.
func (d *Decoder) Remaining() []byte { return d.buf[d.off:] }

// header decodes the tag and Length of the next element and checks that
// the payload is all there (libevent's evtag_unmarshal_header). It
// returns the tag, the payload's offset and its length without moving d.
func (d *Decoder) header() (tag uint32, start, n int, err error) {
	p := d.buf[d.off:]
	tag, tn, err := DecodeTag(p)
	if err != nil {
		return 0, 0, 0, err
	}
	length, ln, err := DecodeInt(p[tn:])
	if err != nil {
		return 0, 0, 0, fmt.Errorf("element length: %w", err)
	}
	rest := len(p) - tn - ln
	if uint64(length) > uint64(rest) {
		return 0, 0, 0, fmt.Errorf("%w: element of tag %d has length %d, %d bytes left", ErrTruncated, tag, length, rest)
	}
	return tag, d.off + tn + ln, int(length), nil
}

// Peek returns the tag of the next element without reading it (libevent's
// evtag_peek, which looks at the tag only).
func (d *Decoder) Peek() (uint32, error) {
	tag, _, err := DecodeTag(d.buf[d.off:])
	return tag, err
}

// PeekLength returns the total size of the next element, tag and Length
// included, without reading it (libevent's evtag_peek_length; like it,
// it does not check that the payload is all there).
func (d *Decoder) PeekLength() (int, error) {
	p := d.buf[d.off:]
	_, tn, err := DecodeTag(p)
	if err != nil {
		return 0, err
	}
	length, ln, err := DecodeInt(p[tn:])
	if err != nil {
		return 0, fmt.Errorf("element length: %w", err)
	}
	return tn + ln + int(length), nil
}

// PayloadLength returns the Length of the next element without reading it
// (libevent's evtag_payload_length).
func (d *Decoder) PayloadLength() (uint32, error) {
	p := d.buf[d.off:]
	_, tn, err := DecodeTag(p)
	if err != nil {
		return 0, err
	}
	length, _, err := DecodeInt(p[tn:])
	if err != nil {
		return 0, fmt.Errorf("element length: %w", err)
	}
	return length, nil
}

// Next reads the next element whatever its tag and returns the tag and
// the payload (libevent's evtag_unmarshal). The payload aliases the input.
func (d *Decoder) Next() (tag uint32, payload []byte, err error) {
	tag, start, n, err := d.header()
	if err != nil {
		return 0, nil, err
	}
	d.off = start + n
	return tag, d.buf[start : start+n : start+n], nil
}

// maxCount bounds count, so that a message of many tiny elements cannot
// make the decoder allocate far ahead of what it has decoded.
const maxCount = 256

// count returns how many of the elements left carry tag, at least 1 and
// at most maxCount. It stops at the first element that does not decode.
func (d *Decoder) count(tag uint32) int {
	n := 0
	p := d.buf[d.off:]
	for len(p) > 0 && n < maxCount {
		t, tn, err := DecodeTag(p)
		if err != nil {
			break
		}
		length, ln, err := DecodeInt(p[tn:])
		if err != nil || uint64(length) > uint64(len(p)-tn-ln) {
			break
		}
		if t == tag {
			n++
		}
		p = p[tn+ln+int(length):]
	}
	return max(n, 1)
}

// Skip reads past the next element (libevent's evtag_consume).
func (d *Decoder) Skip() error {
	_, _, err := d.Next()
	return err
}

// expect reads the next element, which must carry tag.
func (d *Decoder) expect(tag uint32) ([]byte, error) {
	got, start, n, err := d.header()
	if err != nil {
		return nil, err
	}
	if got != tag {
		return nil, fmt.Errorf("%w: got %d, want %d", ErrTagMismatch, got, tag)
	}
	d.off = start + n
	return d.buf[start : start+n : start+n], nil
}

// Int reads an element with tag holding an int (libevent's
// evtag_unmarshal_int). As in libevent, payload bytes after the int are
// ignored; an int running past the payload is ErrMalformed.
func (d *Decoder) Int(tag uint32) (uint32, error) {
	v, err := d.number(tag, 8)
	return uint32(v), err
}

// Int64 reads an element with tag holding an int64 (libevent's
// evtag_unmarshal_int64), with Int's rules.
func (d *Decoder) Int64(tag uint32) (uint64, error) {
	return d.number(tag, 16)
}

func (d *Decoder) number(tag uint32, maxNibbles int) (uint64, error) {
	save := d.off
	p, err := d.expect(tag)
	if err != nil {
		return 0, err
	}
	v, _, err := decodeNibbles(p, maxNibbles)
	if err != nil {
		d.off = save
		return 0, payloadError(tag, err)
	}
	return v, nil
}

// payloadError reports a number that does not fit inside its element:
// running out of payload is a malformed element, not truncated input.
func payloadError(tag uint32, err error) error {
	return fmt.Errorf("%w: tag %d: %w", ErrMalformed, tag, err)
}

// String reads an element with tag and returns its payload as a string
// (libevent's evtag_unmarshal_string). Embedded NUL bytes are kept; C
// callers of libevent see the string end at the first one.
func (d *Decoder) String(tag uint32) (string, error) {
	p, err := d.expect(tag)
	return string(p), err
}

// Bytes reads an element with tag and returns its payload, which aliases
// the input (the read of a variable-length bytes field).
func (d *Decoder) Bytes(tag uint32) ([]byte, error) {
	return d.expect(tag)
}

// Fixed reads an element with tag whose payload must be exactly len(p)
// bytes long, and copies the payload into p (libevent's
// evtag_unmarshal_fixed). Another length is ErrMalformed.
func (d *Decoder) Fixed(tag uint32, p []byte) error {
	save := d.off
	payload, err := d.expect(tag)
	if err != nil {
		return err
	}
	if len(payload) != len(p) {
		d.off = save
		return fmt.Errorf("%w: tag %d: fixed bytes of length %d, want %d", ErrMalformed, tag, len(payload), len(p))
	}
	copy(p, payload)
	return nil
}

// Timeval reads an element with tag holding two ints, seconds and
// microseconds (libevent's evtag_unmarshal_timeval). Payload bytes after
// them are ignored; ints running past the payload are ErrMalformed.
func (d *Decoder) Timeval(tag uint32) (sec, usec uint32, err error) {
	save := d.off
	p, err := d.expect(tag)
	if err != nil {
		return 0, 0, err
	}
	sec, n, err := DecodeInt(p)
	if err == nil {
		usec, _, err = DecodeInt(p[n:])
	}
	if err != nil {
		d.off = save
		return 0, 0, payloadError(tag, err)
	}
	return sec, usec, nil
}

// Nested reads an element with tag and returns a Decoder over its
// payload, for a nested structure.
func (d *Decoder) Nested(tag uint32) (*Decoder, error) {
	p, err := d.expect(tag)
	if err != nil {
		return nil, err
	}
	return NewDecoder(p), nil
}
