package evtag

import (
	"fmt"
	"reflect"
	"sync"

	"github.com/goevent/goevent/evbuffer"
)

// A Codec marshals and unmarshals Go structs whose fields carry `evtag`
// tags, and caches what it learns about each struct type, so that only
// the first message of a type pays for reflecting over its fields. The
// package-level Marshal and Unmarshal functions analyse the type on every
// call instead, which suits one-off use: on a typical message
// (BenchmarkMarshal, BenchmarkUnmarshal on a shared 2-core machine) they
// are 5 to 10 times slower to marshal and 3 to 5 times slower to
// unmarshal. Codec.Append into a buffer with room allocates nothing.
//
// The zero Codec is ready to use. Set its fields before its first use and
// do not change them afterwards; a Codec must not be copied once used. A
// Codec is safe for concurrent use by several goroutines.
type Codec struct {
	// SkipUnknown makes Unmarshal skip elements whose tag no field
	// carries, for forward compatibility with peers that know more
	// fields. By default they are an error (ErrUnknownTag), as in the code
	// libevent's event_rpcgen generates.
	SkipUnknown bool

	types sync.Map // reflect.Type -> *structInfo
}

func (c *Codec) cache() typeCache { return typeCache{m: &c.types} }

// Marshal returns the encoding of v, a struct or a non-nil pointer to one
// (see the package documentation for the field tags). The encoding is
// the struct's body, its fields' elements, with no outer tag, as evrpc
// sends it.
func (c *Codec) Marshal(v any) ([]byte, error) {
	return c.Append(nil, v)
}

// Append appends the encoding of v to dst, as Marshal. On error dst is
// returned as it was.
func (c *Codec) Append(dst []byte, v any) ([]byte, error) {
	return appendValueOf(dst, v, c.cache())
}

// MarshalBuffer appends the encoding of v to buf, as Marshal. It encodes
// into room reserved at buf's end (evbuffer's Reserve and Commit), so that
// a message of a few hundred bytes costs no allocation of its own. On
// error buf is unchanged.
func (c *Codec) MarshalBuffer(buf *evbuffer.Buffer, v any) error {
	return marshalBuffer(buf, v, c.cache())
}

// Unmarshal decodes data, a struct's body, into the struct v points to,
// which it first sets to its zero value (libevent decodes into a fresh
// struct). Every byte of data must belong to an element of the struct.
// On error *v is left zeroed, as evrpc clears a reply it could not
// decode. Bytes fields do not alias data.
func (c *Codec) Unmarshal(data []byte, v any) error {
	return unmarshal(data, v, c.cache(), c.SkipUnknown)
}

// UnmarshalBuffer decodes all of buf into the struct v points to, as
// Unmarshal, and drains buf on success. On error buf is left as it was.
func (c *Codec) UnmarshalBuffer(buf *evbuffer.Buffer, v any) error {
	return unmarshalBuffer(buf, v, c.cache(), c.SkipUnknown)
}

// Marshal returns the encoding of v as Codec.Marshal does, analysing v's
// type afresh; use a Codec to marshal many values of a type.
func Marshal(v any) ([]byte, error) {
	return appendValueOf(nil, v, typeCache{})
}

// Unmarshal decodes data into the struct v points to as Codec.Unmarshal
// does (unknown tags are an error), analysing v's type afresh; use a
// Codec to unmarshal many values of a type.
func Unmarshal(data []byte, v any) error {
	return unmarshal(data, v, typeCache{}, false)
}

func appendValueOf(dst []byte, v any, tc typeCache) ([]byte, error) {
	rv := reflect.ValueOf(v)
	if rv.Kind() == reflect.Pointer {
		if rv.IsNil() {
			return dst, fmt.Errorf("%w: Marshal of a nil %s", ErrBadType, rv.Type())
		}
		rv = rv.Elem()
	}
	if !rv.IsValid() {
		return dst, fmt.Errorf("%w: Marshal of nil", ErrBadType)
	}
	si, err := tc.lookup(rv.Type())
	if err != nil {
		return dst, err
	}
	out, err := appendStruct(dst, si, rv, 0)
	if err != nil {
		return dst, err
	}
	return out, nil
}

// reserveHint is how much room marshalBuffer asks buf for: enough for
// typical evrpc messages, whose encoding then goes straight into buf.
const reserveHint = 512

func marshalBuffer(buf *evbuffer.Buffer, v any, tc typeCache) error {
	room := buf.Reserve(reserveHint)
	p, err := appendValueOf(room[:0:len(room)], v, tc)
	if err != nil {
		buf.Commit(0)
		return err
	}
	if len(p) > 0 && len(room) > 0 && &p[0] == &room[0] {
		return buf.Commit(len(p))
	}
	// The encoding outgrew the reserved room and was moved (or is empty).
	buf.Commit(0)
	return buf.Add(p)
}

// target checks that v is a non-nil pointer to a struct and returns the
// struct.
func target(v any) (reflect.Value, error) {
	rv := reflect.ValueOf(v)
	if rv.Kind() != reflect.Pointer || rv.IsNil() {
		return reflect.Value{}, fmt.Errorf("%w: Unmarshal needs a non-nil pointer to a struct, not %T", ErrBadType, v)
	}
	return rv.Elem(), nil
}

func unmarshal(data []byte, v any, tc typeCache, skipUnknown bool) error {
	rv, err := target(v)
	if err != nil {
		return err
	}
	si, err := tc.lookup(rv.Type())
	if err != nil {
		return err
	}
	rv.SetZero()
	s := decodeState{skipUnknown: skipUnknown}
	var d Decoder
	d.Reset(data)
	if err := s.decodeStruct(&d, si, rv, 0); err != nil {
		rv.SetZero()
		return err
	}
	return nil
}

func unmarshalBuffer(buf *evbuffer.Buffer, v any, tc typeCache, skipUnknown bool) error {
	p, err := buf.Pullup(-1)
	if err != nil {
		return err
	}
	if err := unmarshal(p, v, tc, skipUnknown); err != nil {
		return err
	}
	return buf.Drain(len(p))
}
