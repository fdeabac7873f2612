package evtag

import "fmt"

// DecodeTag decodes the tag at the start of p (libevent's
// evtag_decode_tag) and returns it with the number of bytes it took. Like
// libevent it accepts non-minimal encodings (80 00 is tag 0) and rejects
// a fifth byte with more than four significant bits or a sixth byte
// (ErrOverflow); input that ends before the last byte is ErrTruncated.
func DecodeTag(p []byte) (tag uint32, n int, err error) {
	for i, b := range p {
		if i == MaxTagLen-1 && b&0x7f > 0xf || i == MaxTagLen {
			return 0, 0, fmt.Errorf("%w: tag longer than 32 bits", ErrOverflow)
		}
		tag |= uint32(b&0x7f) << (7 * i)
		if b&0x80 == 0 {
			return tag, i + 1, nil
		}
	}
	return 0, 0, fmt.Errorf("%w: in a tag", ErrTruncated)
}

// DecodeInt decodes the int at the start of p (libevent's
// evtag_decode_int) and returns it with the number of bytes it took. An
// encoding that claims more than 8 nibbles is ErrOverflow; input shorter
// than the encoding claims is ErrTruncated. As in libevent, leading zero
// nibbles (10 00 is 0) and a non-zero pad nibble are accepted.
func DecodeInt(p []byte) (v uint32, n int, err error) {
	x, n, err := decodeNibbles(p, 8)
	return uint32(x), n, err
}

// DecodeInt64 decodes the int64 at the start of p (libevent's
// evtag_decode_int64), as DecodeInt with up to 16 nibbles.
func DecodeInt64(p []byte) (v uint64, n int, err error) {
	return decodeNibbles(p, 16)
}

func decodeNibbles(p []byte, maxNibbles int) (uint64, int, error) {
	if len(p) == 0 {
		return 0, 0, fmt.Errorf("%w: in an int", ErrTruncated)
	}
	k := int(p[0]>>4) + 1
	if k > maxNibbles {
		return 0, 0, fmt.Errorf("%w: int of %d nibbles, at most %d allowed", ErrOverflow, k, maxNibbles)
	}
	n := k/2 + 1
	if n > len(p) {
		return 0, 0, fmt.Errorf("%w: int needs %d bytes, %d left", ErrTruncated, n, len(p))
	}
	// Value nibble i (1-based) is the low half of byte i/2 when i is odd
	// and the high half when it is even.
	var v uint64
	for i := k; i >= 1; i-- {
		b := p[i/2]
		if i&1 == 0 {
			b >>= 4
		}
		v = v<<4 | uint64(b&0xf)
	}
	return v, n, nil
}
