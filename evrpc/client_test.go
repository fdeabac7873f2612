package evrpc_test

import (
	"errors"
	"fmt"
	"net"
	"testing"
	"time"

	"github.com/goevent/goevent/evhttp"
	"github.com/goevent/goevent/evrpc"
	"github.com/goevent/goevent/evrpc/evtag"
)

func TestClientCall(t *testing.T) {
	e := newEnv(t)
	e.registerMessage()
	req := Msg{FromName: "niels", ToName: "tester", Attack: &Kill{Weapon: "feather", Action: "tickle", HowOften: []uint32{3}}}
	for i := range 3 { // the same connection, kept alive
		var reply Kill
		if err := call(e, "Message", &req, &reply); err != nil {
			t.Fatalf("call %d: %v", i, err)
		}
		if want := dagger(&req); fmt.Sprint(reply) != fmt.Sprint(want) {
			t.Fatalf("reply %+v, want %+v", reply, want)
		}
	}
}

// TestClientQueued makes several calls at once on a Pool of one
// connection: they go one at a time, in order.
func TestClientQueued(t *testing.T) {
	e := newEnv(t)
	var order []string
	if err := RegisterMessage(e.rpc, func(r *evrpc.Request[Msg, Kill]) {
		order = append(order, r.Req.FromName)
		*r.Reply = dagger(r.Req)
		r.Done()
	}); err != nil {
		t.Fatal(err)
	}
	var chans []<-chan error
	replies := make([]Kill, 5)
	for i := range replies {
		chans = append(chans, start(e, e.pool, "Message", &Msg{FromName: fmt.Sprint("call", i), ToName: "x"}, &replies[i]))
	}
	for i, ch := range chans {
		if err := wait(t, ch); err != nil {
			t.Fatalf("call %d: %v", i, err)
		}
		if replies[i].HowOften[0] != 5 {
			t.Errorf("reply %d: %+v", i, replies[i])
		}
	}
	e.do(func() {
		if fmt.Sprint(order) != "[call0 call1 call2 call3 call4]" {
			t.Errorf("served in order %v", order)
		}
	})
}

// TestClientTimeout is libevent's client_timeout: NeverReply with a pool
// timeout. The call fails with StatusTimeout, the reply is cleared, and the
// connection is usable again for the next call.
func TestClientTimeout(t *testing.T) {
	e := newEnv(t)
	e.registerMessage()
	const timeout = 200 * time.Millisecond
	e.do(func() { e.pool.SetTimeout(timeout) })
	reply := Kill{Weapon: "left over"}
	began := time.Now()
	err := call(e, "NeverReply", &Msg{FromName: "a", ToName: "b"}, &reply)
	if elapsed := time.Since(began); elapsed < timeout {
		t.Errorf("timed out after %v, before the pool timeout %v", elapsed, timeout)
	}
	var re *evrpc.Error
	if !errors.As(err, &re) || re.Status != evrpc.StatusTimeout || !errors.Is(err, evrpc.ErrTimeout) {
		t.Fatalf("NeverReply: %v, want a StatusTimeout *Error", err)
	}
	var ne net.Error
	if !errors.As(err, &ne) || !ne.Timeout() {
		t.Errorf("%v is not a net.Error with Timeout", err)
	}
	if reply.Weapon != "" {
		t.Errorf("reply not cleared: %+v", reply)
	}
	if err := call(e, "Message", &Msg{FromName: "a", ToName: "b"}, &reply); err != nil {
		t.Fatalf("call after a timeout: %v", err)
	}
}

// TestClientErrors covers the other failures: a server error status, a
// reply that does not decode, an unreachable server, cancelling, closing
// the Pool, a request that cannot be encoded.
func TestClientErrors(t *testing.T) {
	e := newEnv(t)
	e.registerMessage()
	type needy struct {
		K *Kill `evtag:"1"`
	}
	if err := evrpc.Register(e.rpc, "Incomplete", func(r *evrpc.Request[Msg, needy]) { r.Done() }); err != nil {
		t.Fatal(err)
	}
	// Garbage is a 200 whose body is not a Kill.
	if err := e.srv.SetCallback(evrpc.URIPrefix+"Garbage", func(r *evhttp.Request) {
		r.OutputBuffer().AddString("Some Nonsense")
		r.SendReply(200, "", nil)
	}); err != nil {
		t.Fatal(err)
	}
	msg := Msg{FromName: "a", ToName: "b"}
	status := func(err error) evrpc.Status {
		var re *evrpc.Error
		if !errors.As(err, &re) {
			t.Fatalf("%v (%T) is not an *evrpc.Error", err, err)
		}
		return re.Status
	}

	t.Run("server error", func(t *testing.T) {
		var reply Kill
		err := call(e, "Incomplete", &msg, &reply)
		var re *evrpc.Error
		if status(err) != evrpc.StatusBadPayload || !errors.Is(err, evrpc.ErrServerError) || !errors.As(err, &re) || re.Code != 503 {
			t.Fatalf("Incomplete: %v, want a 503 with StatusBadPayload", err)
		}
		// The server closed the connection after its 503; the Pool
		// reconnects.
		if err := call(e, "Message", &msg, &reply); err != nil {
			t.Fatalf("call after a 503: %v", err)
		}
	})
	t.Run("bad payload", func(t *testing.T) {
		var reply Kill
		err := call(e, "Garbage", &msg, &reply)
		if status(err) != evrpc.StatusBadPayload || errors.Is(err, evrpc.ErrServerError) || !errors.Is(err, evtag.ErrUnknownTag) {
			t.Fatalf("Garbage: %v, want StatusBadPayload from evtag", err)
		}
	})
	t.Run("unknown RPC", func(t *testing.T) {
		var reply Kill
		if err := call(e, "Nope", &msg, &reply); status(err) != evrpc.StatusBadPayload {
			t.Fatalf("Nope: %v", err)
		}
	})
	t.Run("unreachable", func(t *testing.T) {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		port := ln.Addr().(*net.TCPAddr).Port
		ln.Close()
		var p *evrpc.Pool
		e.do(func() {
			p = evrpc.NewPool(e.base, &evrpc.PoolConfig{Timeout: waitLimit})
			c := evhttp.NewConnection(e.base, nil, "127.0.0.1", port)
			c.SetRetries(0, 0)
			p.AddConnection(c)
		})
		defer e.do(p.Close)
		var reply Kill
		err = wait(t, start(e, p, "Message", &msg, &reply))
		if status(err) != evrpc.StatusTimeout || !errors.Is(err, evhttp.ErrConnect) {
			t.Fatalf("call to a closed port: %v, want StatusTimeout wrapping evhttp.ErrConnect", err)
		}
	})
	t.Run("cancel", func(t *testing.T) {
		var reply1, reply2 Kill
		var c1, c2 *evrpc.Call
		ch1, ch2 := make(chan error, 1), make(chan error, 1)
		e.do(func() {
			var err error
			// c1 goes on the wire and never gets a reply; c2 waits
			// behind it for the Pool's one connection.
			if c1, err = MakeNeverReplyRequest(e.pool, &msg, &reply1, func(err error) { ch1 <- err }); err != nil {
				t.Fatal(err)
			}
			if c2, err = MakeMessageRequest(e.pool, &msg, &reply2, func(err error) { ch2 <- err }); err != nil {
				t.Fatal(err)
			}
		})
		e.do(c2.Cancel)
		if err := wait(t, ch2); status(err) != evrpc.StatusCancelled || !errors.Is(err, evrpc.ErrCancelled) {
			t.Fatalf("cancelled queued call: %v", err)
		}
		e.do(c1.Cancel)
		if err := wait(t, ch1); status(err) != evrpc.StatusCancelled {
			t.Fatalf("cancelled call on the wire: %v", err)
		}
		e.do(c1.Cancel) // no second outcome
		if err := call(e, "Message", &msg, &reply2); err != nil {
			t.Fatalf("call after cancelling: %v", err)
		}
	})
	t.Run("encode", func(t *testing.T) {
		var err error
		e.do(func() {
			_, err = evrpc.MakeRequest(e.pool, "Incomplete", &needy{}, &Kill{}, func(error) { t.Error("done called") })
		})
		if !errors.Is(err, evtag.ErrMissing) {
			t.Fatalf("MakeRequest with an incomplete request: %v", err)
		}
		e.do(func() { _, err = evrpc.MakeRequest(e.pool, "a/b", &msg, &Kill{}, nil) })
		if !errors.Is(err, evrpc.ErrName) {
			t.Fatalf("MakeRequest with a bad name: %v", err)
		}
	})
	t.Run("close", func(t *testing.T) {
		var p *evrpc.Pool
		e.do(func() {
			p = evrpc.NewPool(e.base, nil)
			p.AddConnection(evhttp.NewConnection(e.base, nil, "127.0.0.1", e.port))
		})
		var r1, r2 Kill
		ch1 := start(e, p, "NeverReply", &msg, &r1)
		ch2 := start(e, p, "Message", &msg, &r2)
		e.do(p.Close)
		for _, ch := range []<-chan error{ch1, ch2} {
			if err := wait(t, ch); status(err) != evrpc.StatusCancelled {
				t.Fatalf("call on a closed Pool: %v", err)
			}
		}
		var err error
		e.do(func() { _, err = evrpc.MakeRequest(p, "Message", &msg, &r1, nil) })
		if !errors.Is(err, evrpc.ErrPoolClosed) {
			t.Fatalf("MakeRequest after Close: %v", err)
		}
	})
}

// TestPoolConnections: calls wait for a connection, spread over several,
// and a removed connection takes no new calls.
func TestPoolConnections(t *testing.T) {
	e := newEnv(t)
	e.registerMessage()
	var p *evrpc.Pool
	e.do(func() { p = evrpc.NewPool(e.base, nil) })
	defer e.do(p.Close)
	msg := Msg{FromName: "a", ToName: "b"}
	var r0 Kill
	waiting := start(e, p, "Message", &msg, &r0)
	select {
	case err := <-waiting:
		t.Fatalf("call finished with no connection: %v", err)
	default:
	}
	conns := make([]*evhttp.Connection, 3)
	e.do(func() {
		for i := range conns {
			conns[i] = evhttp.NewConnection(e.base, nil, "127.0.0.1", e.port)
			p.AddConnection(conns[i])
		}
	})
	if err := wait(t, waiting); err != nil {
		t.Fatal(err)
	}
	// Three NeverReply calls hold the three connections; a fourth call
	// waits until a connection frees.
	var rs [4]Kill
	var calls [3]*evrpc.Call
	var never [3]<-chan error
	for i := range calls {
		ch := make(chan error, 1)
		never[i] = ch
		e.do(func() { calls[i], _ = MakeNeverReplyRequest(p, &msg, &rs[i], func(err error) { ch <- err }) })
	}
	fourth := start(e, p, "Message", &msg, &rs[3])
	e.do(func() {
		for _, c := range conns {
			if c.Pending() == 0 {
				t.Errorf("a connection carries no call")
			}
		}
	})
	e.do(calls[1].Cancel)
	if err := wait(t, fourth); err != nil {
		t.Fatalf("fourth call: %v", err)
	}
	e.do(func() {
		if !p.RemoveConnection(conns[0]) || p.RemoveConnection(conns[0]) {
			t.Errorf("RemoveConnection")
		}
	})
	e.do(calls[0].Cancel)
	e.do(calls[2].Cancel)
	for _, ch := range never {
		if err := wait(t, ch); !errors.Is(err, evrpc.ErrCancelled) {
			t.Errorf("NeverReply: %v", err)
		}
	}
	e.do(func() { conns[0].Close() }) // ours again after RemoveConnection
}
