package evtag

import "math"

// MaxPayload is the longest payload an element can carry: its Length is
// encoded as a 32-bit int.
const MaxPayload = math.MaxUint32

// The largest encoded sizes.
const (
	MaxTagLen   = 5 // a tag: 32 bits, seven a byte
	MaxIntLen   = 5 // an int: a count nibble and 8 value nibbles
	MaxInt64Len = 9 // an int64: a count nibble and 16 value nibbles
)

// AppendTag appends the encoding of tag (libevent's evtag_encode_tag):
// seven bits a byte, least significant group first, 0x80 set on every
// byte but the last. Tag 0 is one zero byte.
func AppendTag(dst []byte, tag uint32) []byte {
	for tag >= 0x80 {
		dst = append(dst, byte(tag)|0x80)
		tag >>= 7
	}
	return append(dst, byte(tag))
}

// TagLen returns the size of tag's encoding.
func TagLen(tag uint32) int {
	n := 1
	for tag >= 0x80 {
		tag >>= 7
		n++
	}
	return n
}

// AppendInt appends the nibble-packed encoding of v (libevent's
// evtag_encode_int), the encoding of Lengths and of int payloads. The
// first nibble holds the count of v's significant nibbles minus one, then
// come those nibbles, least significant first, two to a byte (high half
// first) and padded with a zero nibble to a whole byte.
func AppendInt(dst []byte, v uint32) []byte {
	return appendNibbles(dst, uint64(v))
}

// AppendInt64 appends the nibble-packed encoding of v (libevent's
// evtag_encode_int64): AppendInt's format with up to 16 nibbles.
func AppendInt64(dst []byte, v uint64) []byte {
	return appendNibbles(dst, v)
}

// IntLen returns the size of v's encoding by AppendInt or AppendInt64.
func IntLen(v uint64) int {
	return (nibbleCount(v) + 2) / 2
}

// nibbleCount returns the number of significant nibbles of v, at least 1.
func nibbleCount(v uint64) int {
	k := 1
	for v >>= 4; v != 0; v >>= 4 {
		k++
	}
	return k
}

func appendNibbles(dst []byte, v uint64) []byte {
	k := nibbleCount(v)
	// The nibble stream is [k-1, n1, ..., nk]: stream position i holds
	// value nibble i, and position 0 the count. Even positions go to the
	// high half of byte i/2, odd ones to the low half.
	b := byte(k-1) << 4
	for i := 1; i <= k; i++ {
		n := byte(v & 0xf)
		v >>= 4
		if i&1 == 1 {
			dst = append(dst, b|n)
			b = 0
		} else {
			b = n << 4
		}
	}
	if k&1 == 0 { // odd stream length: the last byte holds a pad nibble
		dst = append(dst, b)
	}
	return dst
}

// AppendHeader appends an element's header: tag, then the payload length
// n as an int. It fails with ErrTooLarge when n exceeds MaxPayload.
func AppendHeader(dst []byte, tag uint32, n int) ([]byte, error) {
	if n < 0 || uint64(n) > MaxPayload {
		return dst, ErrTooLarge
	}
	return AppendInt(AppendTag(dst, tag), uint32(n)), nil
}

// EncodeBytes appends an element with tag and payload p (libevent's
// evtag_marshal). It is also how variable and fixed-size bytes, and nested
// structures already encoded, are written. It fails with ErrTooLarge when
// p is longer than MaxPayload.
func EncodeBytes(dst []byte, tag uint32, p []byte) ([]byte, error) {
	dst, err := AppendHeader(dst, tag, len(p))
	if err != nil {
		return dst, err
	}
	return append(dst, p...), nil
}

// EncodeString appends an element with tag and the bytes of s (libevent's
// evtag_marshal_string, which writes no terminating NUL). It fails with
// ErrTooLarge when s is longer than MaxPayload.
func EncodeString(dst []byte, tag uint32, s string) ([]byte, error) {
	dst, err := AppendHeader(dst, tag, len(s))
	if err != nil {
		return dst, err
	}
	return append(dst, s...), nil
}

// EncodeInt appends an element with tag whose payload is v's encoding by
// AppendInt (libevent's evtag_marshal_int).
func EncodeInt(dst []byte, tag uint32, v uint32) []byte {
	dst = AppendTag(dst, tag)
	dst = AppendInt(dst, uint32(IntLen(uint64(v))))
	return AppendInt(dst, v)
}

// EncodeInt64 appends an element with tag whose payload is v's encoding
// by AppendInt64 (libevent's evtag_marshal_int64).
func EncodeInt64(dst []byte, tag uint32, v uint64) []byte {
	dst = AppendTag(dst, tag)
	dst = AppendInt(dst, uint32(IntLen(v)))
	return AppendInt64(dst, v)
}

// EncodeTimeval appends an element with tag whose payload is the ints sec
// and usec (libevent's evtag_marshal_timeval, which truncates tv_sec to 32
// bits; the caller chooses how to do that here).
func EncodeTimeval(dst []byte, tag uint32, sec, usec uint32) []byte {
	dst = AppendTag(dst, tag)
	dst = AppendInt(dst, uint32(IntLen(uint64(sec))+IntLen(uint64(usec))))
	return AppendInt(AppendInt(dst, sec), usec)
}

// A Nested marks an element opened by StartNested whose payload is being
// appended after it.
type Nested struct {
	tag   uint32
	start int
}

// StartNested opens an element with tag whose payload is whatever the
// caller appends to dst next (typically the fields of a nested struct);
// EndNested closes it. Elements may be nested to any depth, closed in
// reverse order of opening.
func StartNested(dst []byte, tag uint32) ([]byte, Nested) {
	return dst, Nested{tag: tag, start: len(dst)}
}

// EndNested closes the element n opened by StartNested on dst: it inserts
// the header in front of the payload appended since, moving the payload
// (a tag and a Length take at most 10 bytes). It fails with ErrTooLarge
// when the payload is longer than MaxPayload (or when n was not opened on
// dst), leaving dst as it was when n was opened.
func EndNested(dst []byte, n Nested) ([]byte, error) {
	body := len(dst) - n.start
	if body < 0 || uint64(body) > MaxPayload {
		return dst[:max(0, min(n.start, len(dst)))], ErrTooLarge
	}
	var hdr [MaxTagLen + MaxIntLen]byte
	h := AppendInt(AppendTag(hdr[:0], n.tag), uint32(body))
	dst = append(dst, h...) // grow by len(h)
	copy(dst[n.start+len(h):], dst[n.start:n.start+body])
	copy(dst[n.start:], h)
	return dst, nil
}
