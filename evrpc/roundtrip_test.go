package evrpc_test

import (
	"math/rand/v2"
	"reflect"
	"testing"

	"github.com/goevent/goevent/evrpc"
)

// randomMsg returns a random Msg using every field kind of regress.rpc.
// Empty arrays and absent optional fields are nil, as decoding leaves
// them.
func randomMsg(rng *rand.Rand) Msg {
	str := func() string {
		b := make([]byte, rng.IntN(40))
		for i := range b {
			b[i] = byte(rng.IntN(256))
		}
		return string(b)
	}
	m := Msg{FromName: str(), ToName: str()}
	if rng.IntN(2) == 0 {
		k := &Kill{Weapon: str(), Action: str()}
		for range rng.IntN(4) {
			k.HowOften = append(k.HowOften, rng.Uint32()>>rng.IntN(32))
		}
		m.Attack = k
	}
	for range rng.IntN(4) {
		r := Run{How: str()}
		if rng.IntN(2) == 0 {
			r.SomeBytes = []byte(str() + "x")
		}
		for i := range r.FixedBytes {
			r.FixedBytes[i] = byte(rng.IntN(256))
		}
		for range rng.IntN(3) {
			r.Notes = append(r.Notes, str())
		}
		if rng.IntN(2) == 0 {
			n := rng.Uint64() >> rng.IntN(64)
			r.LargeNumber = &n
		}
		for range rng.IntN(3) {
			r.OtherNumbers = append(r.OtherNumbers, rng.Uint32())
		}
		m.Run = append(m.Run, r)
	}
	return m
}

// TestRandomRoundTrip sends random structures to an echo RPC: the reply
// must equal the request, through both encoders and decoders.
func TestRandomRoundTrip(t *testing.T) {
	e := newEnv(t)
	if err := evrpc.Register(e.rpc, "Echo", func(r *evrpc.Request[Msg, Msg]) {
		*r.Reply = *r.Req
		r.Done()
	}); err != nil {
		t.Fatal(err)
	}
	n := 200
	if testing.Short() {
		n = 30
	}
	rng := rand.New(rand.NewPCG(1, 2))
	for i := range n {
		req := randomMsg(rng)
		var reply Msg
		if err := call(e, "Echo", &req, &reply); err != nil {
			t.Fatalf("call %d: %v", i, err)
		}
		if !reflect.DeepEqual(req, reply) {
			t.Fatalf("call %d: reply\n%+v\nwant\n%+v", i, reply, req)
		}
	}
}
