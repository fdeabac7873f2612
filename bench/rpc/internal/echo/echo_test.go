package echo

import (
	"testing"

	"github.com/goevent/goevent/evrpc/evtag"
)

// TestEncoding pins the wire form of the messages, which
// libevent/evrpc_bench.c writes and reads by hand: text is tag 1, num is
// tag 2, in that order.
func TestEncoding(t *testing.T) {
	var c evtag.Codec
	got, err := c.Marshal(&EchoReq{Text: "hi", Num: 0x123})
	if err != nil {
		t.Fatal(err)
	}
	want := []byte{0x01, 0x02, 'h', 'i', 0x02, 0x02, 0x23, 0x21}
	if string(got) != string(want) {
		t.Errorf("encoding = % x, want % x", got, want)
	}
	var rep EchoRep
	if err := c.Unmarshal(want, &rep); err != nil || rep != (EchoRep{Text: "hi", Num: 0x123}) {
		t.Errorf("decoding = %+v, %v", rep, err)
	}
}

func TestAnswerCheck(t *testing.T) {
	for i := range uint32(2 * len(Texts)) {
		req := Request(i)
		var rep EchoRep
		Answer(&req, &rep)
		if err := Check(&req, &rep); err != nil {
			t.Error(err)
		}
		rep.Num++
		if Check(&req, &rep) == nil {
			t.Errorf("Check accepts a wrong number for request %d", i)
		}
	}
}
