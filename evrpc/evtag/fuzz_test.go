package evtag

import (
	"bytes"
	"reflect"
	"testing"
)

// FuzzDecode decodes arbitrary bytes into the structs of the tests, with
// and without SkipUnknown. Whatever decodes must encode again, and that
// encoding must decode to the same value and encode to the same bytes.
func FuzzDecode(f *testing.F) {
	f.Add(unhex(f, msgHex))
	f.Add(unhex(f, msgHex+"03 17 10"+killHex))
	f.Add(unhex(f, msgHex+"09 00"))
	f.Add(unhex(f, "80 00 01 00 02 01 79"))
	r := newRandFiller(7)
	var c Codec
	for range 8 {
		b, _ := c.Marshal(fillRandom[outer](r))
		f.Add(b)
		b, _ = c.Marshal(fillRandom[regressMsg](r))
		f.Add(b)
		b, _ = c.Marshal(fillRandom[node](r))
		f.Add(b)
	}
	strict, lenient := &Codec{}, &Codec{SkipUnknown: true}
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, c := range []*Codec{strict, lenient} {
			stable[outer](t, c, data)
			stable[regressMsg](t, c, data)
			stable[node](t, c, data)
		}
	})
}

func stable[T any](t *testing.T, c *Codec, data []byte) {
	var v T
	if err := c.Unmarshal(data, &v); err != nil {
		if !reflect.ValueOf(v).IsZero() {
			t.Fatalf("%T not zeroed after error %v", v, err)
		}
		return
	}
	b, err := c.Marshal(&v)
	if err != nil {
		t.Fatalf("Marshal of decoded %T: %v", v, err)
	}
	var w T
	if err := c.Unmarshal(b, &w); err != nil {
		t.Fatalf("Unmarshal of re-encoded %T % x: %v", v, b, err)
	}
	if !reflect.DeepEqual(v, w) {
		t.Fatalf("%T changed on re-decoding:\n%+v\n%+v", v, v, w)
	}
	b2, err := c.Marshal(&w)
	if err != nil || !bytes.Equal(b, b2) {
		t.Fatalf("%T re-encoding not stable: % x vs % x (%v)", v, b, b2, err)
	}
}

// FuzzDecoder walks arbitrary bytes with every Decoder read. A read either
// fails without moving the Decoder or moves it forward within the input.
func FuzzDecoder(f *testing.F) {
	f.Add(unhex(f, "02022321 05069a9876543210 01026869 03087001f355604021a7"), uint8(0))
	f.Add(unhex(f, "ffffffff0f 7ffffffff0"), uint8(3))
	f.Add(unhex(f, "8000 1000"), uint8(7))
	f.Fuzz(func(t *testing.T, data []byte, op uint8) {
		d := NewDecoder(data)
		var fixed [4]byte
		for range 64 {
			before := d.Len()
			tag, _ := d.Peek()
			var err error
			switch op % 9 {
			case 0:
				_, err = d.Int(tag)
			case 1:
				_, err = d.Int64(tag)
			case 2:
				_, err = d.String(tag)
			case 3:
				_, _, err = d.Timeval(tag)
			case 4:
				err = d.Fixed(tag, fixed[:op%5])
			case 5:
				_, err = d.Nested(tag)
			case 6:
				_, err = d.PeekLength()
				if err == nil {
					err = d.Skip()
				}
			case 7:
				var p []byte
				if _, p, err = d.Next(); err == nil && len(p) > before {
					t.Fatalf("payload of %d bytes from %d", len(p), before)
				}
			default:
				_, _, err = DecodeInt64(d.Remaining())
				if err == nil {
					err = d.Skip()
				}
			}
			switch {
			case err != nil && d.Len() != before:
				t.Fatalf("failed read (%v) moved the decoder from %d to %d", err, before, d.Len())
			case err == nil && d.Len() >= before:
				t.Fatalf("read succeeded without progress (%d -> %d)", before, d.Len())
			case err != nil || d.Len() == 0:
				return
			}
			op = op*31 + 7
		}
	})
}
