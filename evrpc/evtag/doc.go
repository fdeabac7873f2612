// Package evtag is libevent's tagging format (event_tagging.c, tag.h) and
// the struct encoding that libevent's event_rpcgen generates on top of
// it: the body of every evrpc request and reply. Encodings are byte for
// byte what libevent writes, and decoding accepts what libevent accepts.
//
// # Wire format
//
// A message is a sequence of elements, each a tag, a Length and Length
// bytes of payload. A tag is an unsigned 32-bit number written seven bits
// a byte, least significant group first, with 0x80 on every byte but the
// last (AppendTag, DecodeTag). A Length, and an int payload, use
// libevent's nibble packing: the count of significant nibbles minus one,
// then the nibbles least significant first, two to a byte (AppendInt,
// AppendInt64, DecodeInt, DecodeInt64). The Encode functions append whole
// elements (libevent's evtag_marshal_*); a Decoder reads them back with
// libevent's checks (evtag_unmarshal_*, evtag_peek*, evtag_consume).
//
//	b := evtag.EncodeInt(nil, 1, 0x123)           // 01 02 23 21
//	b, _ = evtag.EncodeString(b, 2, "hi")         // 02 02 68 69
//	d := evtag.NewDecoder(b)
//	n, _ := d.Int(1)
//	s, _ := d.String(2)
//
// To decode from an evbuffer.Buffer, hand its bytes to a Decoder with
// buf.Pullup(-1), or use Codec.UnmarshalBuffer for a whole struct.
//
// # Structs
//
// Marshal and Unmarshal (and the caching Codec) encode Go structs as
// event_rpcgen encodes C ones. Each encoded field carries a tag
// `evtag:"N"` or `evtag:"N,option"`, where N is the field's number,
// decimal or 0x hex as in a .rpc file; fields without an evtag tag (or
// with `evtag:"-"`) are ignored. The .rpc types map to Go types as:
//
//	int                uint32 or int32 (same bits on the wire)
//	int64              uint64 or int64
//	string             string
//	bytes              []byte
//	bytes f[N]         [N]byte
//	struct[T]          T, or *T
//
// The option "optional" marks an optional field, which must be a pointer
// (*uint32, *string, *[N]byte, *T...) or a []byte; nil means absent.
// The option "array" marks an array, a slice of ints, strings, structs or
// struct pointers, written one element per entry, all with the field's
// tag; an empty array writes nothing. As in event_rpcgen, optional and
// array do not combine and bytes cannot be arrays. Go's int and uint are
// refused: the width on the wire has to be chosen.
//
// Marshal writes fields in declaration order: required fields always,
// optional ones when not nil, then each array entry. A required *T that
// is nil is ErrMissing. Unmarshal follows the generated X_unmarshal: any
// order is accepted, but an unknown tag is ErrUnknownTag (unless
// Codec.SkipUnknown), a field that is not an array appearing twice is
// ErrDuplicate, and a required field that never appears is ErrMissing;
// the same rules apply inside nested structs. Elements whose encoding is
// longer than needed (tag 80 00, int 10 00) are accepted, as libevent
// accepts them, and so are bytes after an int inside its payload. Lengths
// are checked against the input before anything is allocated, so a
// hostile Length cannot make a large allocation.
//
//	type Kill struct {
//		Weapon   string   `evtag:"0x10121"`
//		Action   string   `evtag:"2"`
//		HowOften []uint32 `evtag:"3,array"`
//	}
//	type Msg struct {
//		FromName string `evtag:"1"`
//		ToName   string `evtag:"2"`
//		Attack   *Kill  `evtag:"3,optional"`
//	}
//
// Strings keep embedded NUL bytes; a C peer sees such a string end at
// its first NUL. libevent's timeval (EncodeTimeval, Decoder.Timeval) has
// no struct field type, as event_rpcgen has none.
//
// evtag starts no goroutines. Decoders and the encode functions are not
// safe for concurrent use; a Codec is.
package evtag
