package evtag_test

import (
	"errors"
	"fmt"

	"github.com/goevent/goevent/evbuffer"
	"github.com/goevent/goevent/evrpc/evtag"
)

// Kill and Msg are libevent's test/regress.rpc structs:
//
//	struct kill { string weapon = 0x10121; string action = 2; array int how_often = 3; }
//	struct msg { string from_name = 1; string to_name = 2; optional struct[kill] attack = 3; }
type Kill struct {
	Weapon   string   `evtag:"0x10121"`
	Action   string   `evtag:"2"`
	HowOften []uint32 `evtag:"3,array"`
}

type Msg struct {
	FromName string `evtag:"1"`
	ToName   string `evtag:"2"`
	Attack   *Kill  `evtag:"3,optional"`
}

func ExampleMarshal() {
	b, err := evtag.Marshal(&Msg{FromName: "x", ToName: "y"})
	if err != nil {
		panic(err)
	}
	fmt.Printf("% x\n", b)
	// Output: 01 01 78 02 01 79
}

func ExampleUnmarshal() {
	var m Msg
	err := evtag.Unmarshal([]byte{0x01, 0x01, 'x', 0x02, 0x01, 'y', 0x03, 0x02, 0x02, 0x00}, &m)
	fmt.Println(err)
	fmt.Println(errors.Is(err, evtag.ErrMissing))
	// Output:
	// evtag_test.Msg.Attack (tag 3): evtag_test.Kill.Weapon (tag 65825): evtag: missing required field
	// true
}

// A Codec caches what it learns about each type; an evrpc service keeps
// one for all its messages.
func ExampleCodec() {
	var codec evtag.Codec
	var body evbuffer.Buffer
	err := codec.MarshalBuffer(&body, &Msg{
		FromName: "niels",
		ToName:   "tester",
		Attack:   &Kill{Weapon: "dagger", Action: "stab", HowOften: []uint32{3, 0x123}},
	})
	if err != nil {
		panic(err)
	}
	fmt.Println(body.Len(), "bytes")

	var m Msg
	if err := codec.UnmarshalBuffer(&body, &m); err != nil {
		panic(err)
	}
	fmt.Println(m.FromName, m.ToName, m.Attack.Weapon, m.Attack.HowOften, body.Len())
	// Output:
	// 41 bytes
	// niels tester dagger [3 291] 0
}

func ExampleCodec_skipUnknown() {
	// A newer peer sent field 9, which Msg does not know.
	b := []byte{0x01, 0x01, 'x', 0x02, 0x01, 'y', 0x09, 0x01, 0x00}
	var m Msg
	fmt.Println(evtag.Unmarshal(b, &m))
	lenient := evtag.Codec{SkipUnknown: true}
	fmt.Println(lenient.Unmarshal(b, &m), m.FromName, m.ToName)
	// Output:
	// evtag_test.Msg: tag 9: evtag: unknown tag
	// <nil> x y
}

// The low-level functions write and read elements one at a time, as
// libevent's evtag_marshal_* and evtag_unmarshal_* do.
func ExampleDecoder() {
	b := evtag.EncodeInt(nil, 2, 0x123)
	b, _ = evtag.EncodeString(b, 1, "hi")
	b = evtag.EncodeTimeval(b, 3, 1700000000, 500000)
	fmt.Printf("% x\n", b)

	d := evtag.NewDecoder(b)
	n, _ := d.Int(2)
	s, _ := d.String(1)
	sec, usec, _ := d.Timeval(3)
	fmt.Println(n, s, sec, usec, d.Len())
	// Output:
	// 02 02 23 21 01 02 68 69 03 08 70 01 f3 55 60 40 21 a7
	// 291 hi 1700000000 500000 0
}

func ExampleStartNested() {
	b, outer := evtag.StartNested(nil, 3)
	b, _ = evtag.EncodeString(b, 2, "stab")
	b, err := evtag.EndNested(b, outer)
	fmt.Printf("% x %v\n", b, err)
	// Output: 03 06 02 04 73 74 61 62 <nil>
}

func ExampleAppendInt() {
	for _, v := range []uint32{0, 0x12, 0x12345, 0xffffffff} {
		fmt.Printf("%#x: % x\n", v, evtag.AppendInt(nil, v))
	}
	// Output:
	// 0x0: 00
	// 0x12: 12 10
	// 0x12345: 45 43 21
	// 0xffffffff: 7f ff ff ff f0
}
