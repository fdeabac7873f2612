package evtag

import (
	"bytes"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"sync"
	"testing"

	"github.com/goevent/goevent/evbuffer"
)

const (
	killHex = "a1 82 04 06 64 61 67 67 65 72 02 04 73 74 61 62 03 01 03 03 02 23 21"
	msgHex  = "01 01 78 02 01 79"
)

var regressMsgValue = regressMsg{
	FromName: "x",
	ToName:   "y",
	Attack:   &regressKill{Weapon: "dagger", Action: "stab", HowOften: []uint32{3, 0x123}},
}

func TestMarshalRegressVectors(t *testing.T) {
	var c Codec
	for _, tc := range []struct {
		name string
		v    any
		want string
	}{
		{"msg", regressMsg{FromName: "x", ToName: "y"}, msgHex},
		{"kill", &regressKill{Weapon: "dagger", Action: "stab", HowOften: []uint32{3, 0x123}}, killHex},
		{"msg with attack", &regressMsgValue, msgHex + "03 17 10" + killHex},
	} {
		want := unhex(t, tc.want)
		for _, marshal := range []func(any) ([]byte, error){Marshal, c.Marshal} {
			got, err := marshal(tc.v)
			if err != nil {
				t.Fatalf("%s: %v", tc.name, err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("%s = % x\nwant % x", tc.name, got, want)
			}
		}
	}
}

func TestUnmarshalRegressVectors(t *testing.T) {
	var got regressMsg
	if err := Unmarshal(unhex(t, msgHex+"03 17 10"+killHex), &got); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, regressMsgValue) {
		t.Errorf("got %+v, want %+v", got, regressMsgValue)
	}
	// Any order is accepted.
	var k regressKill
	if err := Unmarshal(unhex(t, "03 01 03 02 04 73 74 61 62 03 02 23 21 a1 82 04 06 64 61 67 67 65 72"), &k); err != nil {
		t.Fatal(err)
	}
	if k.Weapon != "dagger" || k.Action != "stab" || !reflect.DeepEqual(k.HowOften, []uint32{3, 0x123}) {
		t.Errorf("out of order kill = %+v", k)
	}
}

func TestRunFields(t *testing.T) {
	r := regressRun{
		How:          "fast",
		SomeBytes:    []byte{},
		Notes:        []string{"a", "", "c"},
		LargeNumber:  ptr(uint64(1) << 63),
		OtherNumbers: []uint32{0, 0xffffffff},
	}
	copy(r.FixedBytes[:], "0123456789abcdefghijklmn")
	b, err := Marshal(&r)
	if err != nil {
		t.Fatal(err)
	}
	want := "01 04 66 61 73 74" + "02 00" + "03 18 10 30313233343536373839616263646566676869" + "6a6b6c6d6e" +
		"04 01 61 04 00 04 01 63" + "05 09 f0 00 00 00 00 00 00 00 80" + "06 01 00 06 05 7f ff ff ff f0"
	if !bytes.Equal(b, unhex(t, want)) {
		t.Errorf("run = % x\nwant  % x", b, unhex(t, want))
	}
	// A struct value (not addressable) encodes the same.
	if bv, err := Marshal(r); err != nil || !bytes.Equal(bv, b) {
		t.Errorf("Marshal of a value = % x, %v", bv, err)
	}
	var got regressRun
	if err := Unmarshal(b, &got); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, r) {
		t.Errorf("round trip = %+v, want %+v", got, r)
	}
	// An absent optional []byte stays nil; a present empty one is not nil.
	r.SomeBytes = nil
	b, _ = Marshal(&r)
	if err := Unmarshal(b, &got); err != nil || got.SomeBytes != nil {
		t.Errorf("absent bytes = %v, %v", got.SomeBytes, err)
	}
}

func TestUnmarshalErrors(t *testing.T) {
	for _, tc := range []struct {
		name  string
		in    string
		want  error
		field string
	}{
		{"unknown tag", msgHex + "09 00", ErrUnknownTag, ""},
		{"repeated field", msgHex + "01 01 78", ErrDuplicate, "FromName"},
		{"repeated optional", msgHex + "03 17 10" + killHex + "03 17 10" + killHex, ErrDuplicate, "Attack"},
		{"missing required", "01 01 78", ErrMissing, "ToName"},
		{"missing in nested", msgHex + "03 06 02 04 73 74 61 62", ErrMissing, "Weapon"},
		{"unknown in nested", msgHex + "03 02 07 00", ErrUnknownTag, "Attack"},
		{"nested payload short", msgHex + "03 17 10 a1 82 04", ErrTruncated, ""},
		{"nested element overruns", msgHex + "03 02 02 05 61 61 61", ErrTruncated, "Attack"},
		{"wrong kind in array", msgHex + "03 03 03 01 10", ErrMalformed, "HowOften"},
		{"string where struct", msgHex + "04 01 00", ErrUnknownTag, "Run"},
		{"bad tag", msgHex + "ff ff ff ff ff", ErrOverflow, ""},
		{"truncated tag", msgHex + "80", ErrTruncated, ""},
		{"truncated length", msgHex + "03", ErrTruncated, ""},
	} {
		var m regressMsg
		m.FromName = "stale"
		err := Unmarshal(unhex(t, tc.in), &m)
		if !errors.Is(err, tc.want) {
			t.Errorf("%s: err = %v, want %v", tc.name, err, tc.want)
			continue
		}
		if tc.field != "" && !strings.Contains(err.Error(), "."+tc.field+" ") {
			t.Errorf("%s: error %q does not name field %s", tc.name, err, tc.field)
		}
		if !reflect.DeepEqual(m, regressMsg{}) {
			t.Errorf("%s: target not zeroed after error: %+v", tc.name, m)
		}
	}
	var fe *FieldError
	if err := Unmarshal(unhex(t, msgHex+"e6 02 00"), new(regressMsg)); !errors.As(err, &fe) || fe.Tag != 0x166 || fe.Field != "" {
		t.Errorf("unknown tag: err = %v, want a FieldError for tag 0x166", err)
	}
	err := Unmarshal(unhex(t, "01 01 78"), new(regressMsg))
	if !errors.As(err, &fe) || fe.Field != "ToName" || fe.Tag != 2 || fe.Struct != reflect.TypeFor[regressMsg]() {
		t.Errorf("FieldError = %#v", fe)
	}
}

func TestSkipUnknown(t *testing.T) {
	c := Codec{SkipUnknown: true}
	in := unhex(t, "e6 02 02 23 21"+msgHex+"09 00"+"03 1b 10 7f 02 ff ff"+killHex)
	var m regressMsg
	if err := c.Unmarshal(in, &m); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(m, regressMsgValue) {
		t.Errorf("got %+v, want %+v", m, regressMsgValue)
	}
	// A skipped element must still be well formed.
	if err := c.Unmarshal(unhex(t, msgHex+"09 05 00"), &m); !errors.Is(err, ErrTruncated) {
		t.Errorf("skipping a truncated element: err = %v, want ErrTruncated", err)
	}
	var strict Codec
	if err := strict.Unmarshal(in, &m); !errors.Is(err, ErrUnknownTag) {
		t.Errorf("default Codec: err = %v, want ErrUnknownTag", err)
	}
}

func TestUnmarshalResets(t *testing.T) {
	k := regressKill{Weapon: "old", HowOften: []uint32{9, 9, 9}}
	if err := Unmarshal(unhex(t, killHex), &k); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(k.HowOften, []uint32{3, 0x123}) {
		t.Errorf("array kept old entries: %v", k.HowOften)
	}
	m := regressMsg{Attack: &regressKill{Weapon: "old"}}
	if err := Unmarshal(unhex(t, msgHex), &m); err != nil || m.Attack != nil {
		t.Errorf("optional kept its old value: %+v, %v", m.Attack, err)
	}
}

func TestMarshalErrors(t *testing.T) {
	type required struct {
		K *regressKill `evtag:"1"`
	}
	_, err := Marshal(&required{})
	var fe *FieldError
	if !errors.Is(err, ErrMissing) || !errors.As(err, &fe) || fe.Field != "K" {
		t.Errorf("nil required pointer: err = %v", err)
	}
	m := regressMsg{Run: []*regressRun{nil}}
	if _, err := Marshal(&m); !errors.Is(err, ErrMissing) {
		t.Errorf("nil array entry: err = %v, want ErrMissing", err)
	}
	// A required *T that is set is written like a T.
	b, err := Marshal(&required{K: &regressKill{Weapon: "dagger", Action: "stab", HowOften: []uint32{3, 0x123}}})
	if err != nil || !bytes.Equal(b, unhex(t, "01 17 10"+killHex)) {
		t.Errorf("required pointer = % x, %v", b, err)
	}
	var back required
	if err := Unmarshal(b, &back); err != nil || back.K == nil || back.K.Weapon != "dagger" {
		t.Errorf("required pointer back = %+v, %v", back.K, err)
	}
	// Append keeps dst on error.
	var c Codec
	dst := []byte{1, 2, 3}
	if out, err := c.Append(dst, &required{}); err == nil || !bytes.Equal(out, dst) {
		t.Errorf("Append on error = %x, %v", out, err)
	}
}

func TestBadTypes(t *testing.T) {
	type (
		noTag struct {
			A uint32
		}
		intField struct {
			A int `evtag:"1"`
		}
		badNumber struct {
			A uint32 `evtag:"x"`
		}
		bigNumber struct {
			A uint32 `evtag:"0x100000000"`
		}
		dupTag struct {
			A uint32 `evtag:"1"`
			B uint32 `evtag:"0x1"`
		}
		badOption struct {
			A uint32 `evtag:"1,required"`
		}
		optionalValue struct {
			A uint32 `evtag:"1,optional"`
		}
		optionalArray struct {
			A []uint32 `evtag:"1,optional,array"`
		}
		sliceNoArray struct {
			A []uint32 `evtag:"1"`
		}
		bytesArray struct {
			A [][]byte `evtag:"1,array"`
		}
		fixedArray struct {
			A [][4]byte `evtag:"1,array"`
		}
		requiredIntPointer struct {
			A *uint32 `evtag:"1"`
		}
		arrayOfIntPointers struct {
			A []*uint32 `evtag:"1,array"`
		}
		floatField struct {
			A float64 `evtag:"1"`
		}
		mapField struct {
			A map[string]string `evtag:"1"`
		}
		unexported struct {
			a uint32 `evtag:"1"`
		}
		nestedBad struct {
			N intField `evtag:"1"`
		}
	)
	_ = unexported{a: 0}
	for _, v := range []any{
		3, "x", nil, (*regressMsg)(nil), &intField{}, &badNumber{}, &bigNumber{}, &dupTag{},
		&badOption{}, &optionalValue{}, &optionalArray{}, &sliceNoArray{}, &bytesArray{},
		&fixedArray{}, &requiredIntPointer{}, &arrayOfIntPointers{}, &floatField{}, &mapField{},
		&unexported{}, &nestedBad{},
	} {
		if _, err := Marshal(v); !errors.Is(err, ErrBadType) {
			t.Errorf("Marshal(%T) err = %v, want ErrBadType", v, err)
		}
		if err := Unmarshal(nil, v); !errors.Is(err, ErrBadType) {
			t.Errorf("Unmarshal(%T) err = %v, want ErrBadType", v, err)
		}
	}
	if err := Unmarshal(nil, regressMsg{}); !errors.Is(err, ErrBadType) {
		t.Errorf("Unmarshal into a struct value: err = %v, want ErrBadType", err)
	}
	// A struct without tagged fields is an empty message.
	if b, err := Marshal(noTag{A: 1}); err != nil || len(b) != 0 {
		t.Errorf("Marshal(noTag) = %x, %v", b, err)
	}
}

// node is a recursive type: only such types can nest without bound.
type node struct {
	Val  uint32 `evtag:"1"`
	Next *node  `evtag:"2,optional"`
}

func TestRecursiveDepth(t *testing.T) {
	var c Codec
	var head *node
	for i := range MaxDepth + 1 {
		head = &node{Val: uint32(i), Next: head}
	}
	b, err := c.Marshal(head)
	if err != nil {
		t.Fatalf("Marshal at MaxDepth: %v", err)
	}
	var back node
	if err := c.Unmarshal(b, &back); err != nil {
		t.Fatalf("Unmarshal at MaxDepth: %v", err)
	}
	if back.Val != MaxDepth || back.Next.Val != MaxDepth-1 {
		t.Errorf("round trip lost values: %d, %d", back.Val, back.Next.Val)
	}
	head = &node{Next: head}
	if _, err := c.Marshal(head); !errors.Is(err, ErrTooDeep) {
		t.Errorf("Marshal past MaxDepth: err = %v, want ErrTooDeep", err)
	}
	b, _ = EncodeBytes(EncodeInt(nil, 1, 0), 2, b)
	if err := c.Unmarshal(b, &back); !errors.Is(err, ErrTooDeep) {
		t.Errorf("Unmarshal past MaxDepth: err = %v, want ErrTooDeep", err)
	}
}

// TestHostileLength checks that a Length far beyond the input is refused
// before anything is allocated for it.
func TestHostileLength(t *testing.T) {
	in := unhex(t, msgHex+"04 7f ff ff ff f0 00")
	var m regressMsg
	allocs := testing.AllocsPerRun(10, func() {
		if err := Unmarshal(in, &m); !errors.Is(err, ErrTruncated) {
			t.Fatalf("err = %v, want ErrTruncated", err)
		}
	})
	if allocs > 100 {
		t.Errorf("%v allocations for a 4 GiB Length", allocs)
	}
}

func TestBufferCodec(t *testing.T) {
	var c Codec
	var buf evbuffer.Buffer
	buf.AddString("\x00") // not ours: MarshalBuffer appends after it
	if err := c.MarshalBuffer(&buf, &regressMsgValue); err != nil {
		t.Fatal(err)
	}
	if err := buf.Drain(1); err != nil {
		t.Fatal(err)
	}
	want := unhex(t, msgHex+"03 17 10"+killHex)
	if buf.Len() != len(want) {
		t.Fatalf("buffer holds %d bytes, want %d", buf.Len(), len(want))
	}
	// Split the message over two segments.
	var split evbuffer.Buffer
	split.Add(want[:7])
	split.AddReference(want[7:], nil)
	var m regressMsg
	if err := c.UnmarshalBuffer(&split, &m); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(m, regressMsgValue) || split.Len() != 0 {
		t.Errorf("UnmarshalBuffer = %+v, %d bytes left", m, split.Len())
	}
	// On error the buffer is left as it was.
	split.Add(want[:len(want)-1])
	if err := c.UnmarshalBuffer(&split, &m); !errors.Is(err, ErrTruncated) || split.Len() != len(want)-1 {
		t.Errorf("UnmarshalBuffer of a truncated message: %v, %d bytes left", err, split.Len())
	}
	if err := c.MarshalBuffer(&split, &struct {
		A int `evtag:"1"`
	}{}); !errors.Is(err, ErrBadType) || split.Len() != len(want)-1 {
		t.Errorf("MarshalBuffer of a bad type: %v, %d bytes", err, split.Len())
	}
}

func TestCodecCaches(t *testing.T) {
	var c Codec
	if _, err := c.Marshal(&regressMsgValue); err != nil {
		t.Fatal(err)
	}
	for _, typ := range []reflect.Type{reflect.TypeFor[regressMsg](), reflect.TypeFor[regressKill](), reflect.TypeFor[regressRun]()} {
		if _, ok := c.types.Load(typ); !ok {
			t.Errorf("%s not cached", typ)
		}
	}
}

// TestCodecConcurrent uses one Codec from several goroutines, as an evrpc
// server with several loops does; run it with -race.
func TestCodecConcurrent(t *testing.T) {
	var c Codec
	want, err := Marshal(&regressMsgValue)
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	errs := make(chan error, 4)
	for range 4 {
		wg.Go(func() {
			for range 50 {
				b, err := c.Marshal(&regressMsgValue)
				if err == nil && !bytes.Equal(b, want) {
					err = fmt.Errorf("got % x", b)
				}
				var m regressMsg
				if err == nil {
					err = c.Unmarshal(b, &m)
				}
				if err != nil {
					errs <- err
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}
