package evtag

import (
	"bytes"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/goevent/goevent/evbuffer"
)

// TestMarshalBufferSizes encodes messages smaller and larger than the room
// MarshalBuffer reserves: every size lands in the buffer as Marshal
// encodes it, after what the buffer held.
func TestMarshalBufferSizes(t *testing.T) {
	var c Codec
	for _, n := range []int{0, 1, reserveHint - 8, reserveHint, reserveHint + 1, 3 * reserveHint, 70000} {
		t.Run(fmt.Sprint(n), func(t *testing.T) {
			m := regressKill{Weapon: strings.Repeat("w", n), Action: "a", HowOften: []uint32{1, 2}}
			want, err := c.Marshal(&m)
			if err != nil {
				t.Fatal(err)
			}
			var buf evbuffer.Buffer
			buf.AddString("head")
			if err := c.MarshalBuffer(&buf, &m); err != nil {
				t.Fatal(err)
			}
			got, _ := buf.Pullup(-1)
			if !bytes.Equal(got, append([]byte("head"), want...)) {
				t.Errorf("buffer holds %d bytes, want %d", len(got), len(want)+4)
			}
		})
	}
}

// TestMarshalBufferFrozen: a buffer whose end is frozen takes nothing.
func TestMarshalBufferFrozen(t *testing.T) {
	var c Codec
	var buf evbuffer.Buffer
	buf.Freeze(false)
	err := c.MarshalBuffer(&buf, &regressKill{Weapon: "w", Action: "a"})
	if !errors.Is(err, evbuffer.ErrFrozen) || buf.Len() != 0 {
		t.Errorf("MarshalBuffer to a frozen buffer: %v, %d bytes", err, buf.Len())
	}
}

// TestArrayPresize decodes arrays whose entries are interleaved with
// other fields, longer than the decoder sizes ahead for, and cut short
// by a bad element: the entries come out in order either way.
func TestArrayPresize(t *testing.T) {
	var c Codec
	for _, n := range []int{1, 2, 3, maxCount, maxCount + 1, 3*maxCount + 7} {
		t.Run(fmt.Sprint(n), func(t *testing.T) {
			in := regressKill{Weapon: "w", Action: "a"}
			for i := range n {
				in.HowOften = append(in.HowOften, uint32(i*7919))
			}
			data, err := c.Marshal(&in)
			if err != nil {
				t.Fatal(err)
			}
			var out regressKill
			if err := c.Unmarshal(data, &out); err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(out, in) {
				t.Errorf("decoded %d entries, want %d", len(out.HowOften), n)
			}
		})
	}
	// Array entries around another field, then a truncated element.
	var p []byte
	p = EncodeInt(p, 3, 1)
	p, _ = EncodeString(p, 0x10121, "w")
	p = EncodeInt(p, 3, 2)
	p, _ = EncodeString(p, 2, "a")
	p = EncodeInt(p, 3, 3)
	var out regressKill
	if err := c.Unmarshal(p, &out); err != nil || !reflect.DeepEqual(out.HowOften, []uint32{1, 2, 3}) {
		t.Errorf("interleaved array: %v, %v", out.HowOften, err)
	}
	if err := c.Unmarshal(append(p, 0x03, 0x05), &out); !errors.Is(err, ErrTruncated) {
		t.Errorf("array followed by a truncated element: %v", err)
	}
}

// TestCount checks the decoder's look-ahead over malformed input: it
// stops at the first element that does not decode, and never reports
// fewer than one entry.
func TestCount(t *testing.T) {
	for _, tc := range []struct {
		name string
		in   string
		want int
	}{
		{"empty", "", 1},
		{"one", "03 01 01", 1},
		{"two with another tag between", "03 01 01 02 00 03 01 02", 2},
		{"truncated tag", "03 01 01 83", 1},
		{"length past the end", "03 01 01 03 05 00", 1},
		{"bad length", "03 01 01 03 f0", 1},
		{"none of the tag", "02 00 04 00", 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d := NewDecoder(unhex(t, tc.in))
			if got := d.count(3); got != tc.want {
				t.Errorf("count = %d, want %d", got, tc.want)
			}
		})
	}
}
