package evrpc_test

import (
	"testing"

	"github.com/goevent/goevent/evrpc"
	"github.com/goevent/goevent/evrpc/evtag"
)

// FuzzServerBody posts arbitrary bodies to an RPC over loopback: the
// server must answer 200 exactly when the body decodes as the request type
// (what evtag.Unmarshal accepts) and 503 otherwise, and must never stop
// serving.
func FuzzServerBody(f *testing.F) {
	e := newEnv(f)
	if err := evrpc.Register(e.rpc, "Echo", func(r *evrpc.Request[Msg, Msg]) {
		*r.Reply = *r.Req
		r.Done()
	}); err != nil {
		f.Fatal(err)
	}
	f.Add([]byte{0x01, 0x01, 0x78, 0x02, 0x01, 0x79})
	f.Add([]byte("Some Nonsense"))
	f.Add([]byte{0x81, 0x00, 0x11, 0x00, 0x78, 0x02, 0x01, 0x79, 0x03, 0x02, 0x09, 0x00})
	f.Add(marshal(f, Msg{FromName: "a", ToName: "b", Attack: &Kill{Weapon: "w", Action: "a", HowOften: []uint32{1, 2}}, Run: []Run{{How: "h", Notes: []string{"n"}}}}))
	f.Fuzz(func(t *testing.T, body []byte) {
		var m Msg
		decodes := len(body) > 0 && evtag.Unmarshal(body, &m) == nil
		r := rawExchange(t, e.addr(), post("/.rpc.Echo", body))
		switch {
		case decodes && r.code != 200:
			t.Fatalf("body % x decodes but the server answered %d", body, r.code)
		case !decodes && r.code != 503:
			t.Fatalf("body % x does not decode but the server answered %d", body, r.code)
		case decodes:
			var echo Msg
			if err := evtag.Unmarshal(r.body, &echo); err != nil {
				t.Fatalf("echo of % x does not decode: %v", body, err)
			}
		}
	})
}
