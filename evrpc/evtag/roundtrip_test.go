package evtag

import (
	"bytes"
	"math/rand/v2"
	"reflect"
	"testing"
)

// randFiller fills structs with random values that respect the field
// rules: nil only where a field is optional, arrays nil when empty, and
// (for the C peer) strings without NUL bytes.
type randFiller struct {
	rng *rand.Rand
}

func newRandFiller(seed uint64) *randFiller {
	return &randFiller{rng: rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))}
}

// fill returns a random value of struct type T.
func fillRandom[T any](r *randFiller) *T {
	v := new(T)
	si, err := typeCache{}.lookup(reflect.TypeFor[T]())
	if err != nil {
		panic(err) // test types are valid
	}
	r.fillStruct(si, reflect.ValueOf(v).Elem(), 0)
	return v
}

func (r *randFiller) fillStruct(si *structInfo, v reflect.Value, depth int) {
	for i := range si.fields {
		fi := &si.fields[i]
		f := v.Field(fi.index)
		switch {
		case fi.array:
			n := r.rng.IntN(4)
			if depth > 3 {
				n = 0
			}
			for range n {
				e := reflect.New(f.Type().Elem()).Elem()
				r.fillValue(fi, e, depth)
				f.Set(reflect.Append(f, e))
			}
		case fi.optional && (r.rng.IntN(2) == 0 || depth > 3):
			// absent
		default:
			r.fillValue(fi, f, depth)
		}
	}
}

func (r *randFiller) fillValue(fi *fieldInfo, v reflect.Value, depth int) {
	if v.Kind() == reflect.Pointer {
		p := reflect.New(v.Type().Elem())
		r.fillValue(fi, p.Elem(), depth)
		v.Set(p)
		return
	}
	switch fi.kind {
	case kindInt:
		x := r.number() & 0xffffffff
		if fi.signed {
			v.SetInt(int64(int32(x)))
		} else {
			v.SetUint(x)
		}
	case kindInt64:
		x := r.number()
		if fi.signed {
			v.SetInt(int64(x))
		} else {
			v.SetUint(x)
		}
	case kindString:
		v.SetString(string(r.bytes(1)))
	case kindBytes:
		v.SetBytes(r.bytes(0))
	case kindFixed:
		for i := range v.Len() {
			v.Index(i).SetUint(uint64(r.rng.IntN(256)))
		}
	case kindStruct:
		r.fillStruct(fi.elem, v, depth+1)
	}
}

// number returns a random 64-bit number with a random count of
// significant bits, so that every encoded size appears.
func (r *randFiller) number() uint64 {
	return r.rng.Uint64() >> r.rng.IntN(65)
}

// bytes returns a non-nil random slice of bytes no smaller than min.
func (r *randFiller) bytes(min byte) []byte {
	n := r.rng.IntN(20)
	if r.rng.IntN(10) == 0 {
		n = 100 + r.rng.IntN(200) // a Length of several bytes
	}
	b := make([]byte, n)
	for i := range b {
		b[i] = min + byte(r.rng.IntN(256-int(min)))
	}
	return b
}

func TestRandomRoundTrips(t *testing.T) {
	n := 500
	if testing.Short() {
		n = 50
	}
	r := newRandFiller(1)
	var c Codec
	for i := range n {
		roundTrip(t, &c, i, fillRandom[outer](r))
		roundTrip(t, &c, i, fillRandom[regressMsg](r))
		roundTrip(t, &c, i, fillRandom[node](r))
	}
}

// roundTrip marshals v with and without a cache, unmarshals the result
// and checks that the value and its encoding survive.
func roundTrip[T any](t *testing.T, c *Codec, i int, v *T) {
	t.Helper()
	b, err := Marshal(v)
	if err != nil {
		t.Fatalf("%d: Marshal(%T): %v", i, v, err)
	}
	cb, err := c.Marshal(v)
	if err != nil || !bytes.Equal(b, cb) {
		t.Fatalf("%d: Codec.Marshal(%T) = % x, %v; Marshal gave % x", i, v, cb, err, b)
	}
	back := new(T)
	if err := c.Unmarshal(b, back); err != nil {
		t.Fatalf("%d: Unmarshal(%T) of % x: %v", i, v, b, err)
	}
	if !reflect.DeepEqual(back, v) {
		t.Fatalf("%d: round trip of %T:\n got %+v\nwant %+v", i, v, back, v)
	}
	again, err := c.Marshal(back)
	if err != nil || !bytes.Equal(again, b) {
		t.Fatalf("%d: re-encoding of %T differs:\n% x\n% x", i, v, again, b)
	}
}

// TestRandomElements round-trips random tags and numbers through the
// low-level encoders and decoders.
func TestRandomElements(t *testing.T) {
	r := newRandFiller(2)
	var b []byte
	d := new(Decoder)
	for i := range 10000 {
		tag := uint32(r.number())
		v := r.number()
		b = b[:0]
		b = EncodeInt(b, tag, uint32(v))
		b = EncodeInt64(b, tag^1, v)
		b = EncodeTimeval(b, tag, uint32(v), uint32(v>>32))
		d.Reset(b)
		if got, err := d.Int(tag); err != nil || got != uint32(v) {
			t.Fatalf("%d: Int(%d) = %d, %v; want %d", i, tag, got, err, uint32(v))
		}
		if got, err := d.Int64(tag ^ 1); err != nil || got != v {
			t.Fatalf("%d: Int64(%d) = %d, %v; want %d", i, tag^1, got, err, v)
		}
		if s, us, err := d.Timeval(tag); err != nil || s != uint32(v) || us != uint32(v>>32) {
			t.Fatalf("%d: Timeval = %d, %d, %v", i, s, us, err)
		}
		if d.Len() != 0 {
			t.Fatalf("%d: %d bytes left", i, d.Len())
		}
	}
}

// upTo returns up to n random bytes.
func (r *randFiller) upTo(n int) []byte {
	b := make([]byte, r.rng.IntN(n+1))
	for i := range b {
		b[i] = byte(r.rng.IntN(256))
	}
	return b
}
