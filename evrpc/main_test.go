package evrpc_test

//go:generate go run ../cmd/evrpcgen -pkg evrpc_test -o zregress_rpc_test.go -rpc Message=msg:kill -rpc NeverReply=msg:kill testdata/regress.rpc

import (
	"net"
	"strconv"
	"testing"
	"time"

	"github.com/goevent/goevent/core"
	"github.com/goevent/goevent/evhttp"
	"github.com/goevent/goevent/evrpc"
	"github.com/goevent/goevent/internal/basetest"
)

// TestMain fails the run when goroutines started by the package or its
// tests outlive every test.
func TestMain(m *testing.M) { basetest.Main(m, "evrpc") }

// waitLimit bounds every wait of these tests; it is generous for a loaded
// 2-core machine and only matters when something hangs.
const waitLimit = 20 * time.Second

// env is a Base whose loop runs on its own goroutine, with an HTTP server
// on 127.0.0.1 carrying an evrpc Base, and a Pool with one connection to
// it. Tests hand work to the loop with do.
type env struct {
	t    testing.TB
	base *core.Base
	srv  *evhttp.Server
	rpc  *evrpc.Base
	pool *evrpc.Pool
	port int
}

func newEnv(t testing.TB) *env {
	t.Helper()
	base := basetest.New(t)
	srv := evhttp.New(base, nil)
	bs, err := srv.Bind("127.0.0.1:0")
	if err != nil {
		t.Fatalf("Bind: %v", err)
	}
	e := &env{t: t, base: base, srv: srv, rpc: evrpc.NewBase(srv), port: bs.Addr().(*net.TCPAddr).Port}
	e.pool = evrpc.NewPool(base, nil)
	e.pool.AddConnection(evhttp.NewConnection(base, nil, "127.0.0.1", e.port))
	loopDone := make(chan struct{})
	go func() {
		defer close(loopDone)
		base.Loop(core.LoopNoExitOnEmpty)
	}()
	t.Cleanup(func() {
		e.do(e.pool.Close)
		shut := make(chan (<-chan struct{}), 1)
		e.do(func() { shut <- srv.Shutdown(0) })
		select {
		case <-<-shut:
		case <-time.After(waitLimit):
			t.Errorf("Shutdown did not finish")
		}
		base.LoopBreak()
		<-loopDone
	})
	return e
}

// addr is the server's address.
func (e *env) addr() string { return net.JoinHostPort("127.0.0.1", strconv.Itoa(e.port)) }

// do runs fn on the loop goroutine and waits for it.
func (e *env) do(fn func()) {
	e.t.Helper()
	done := make(chan struct{})
	if err := e.base.Post(func() { defer close(done); fn() }); err != nil {
		e.t.Fatalf("Post: %v", err)
	}
	select {
	case <-done:
	case <-time.After(waitLimit):
		e.t.Fatalf("loop did not run a posted function within %v", waitLimit)
	}
}

// call makes one RPC through the env's Pool and waits for its outcome.
func call[Req, Rep any](e *env, name string, req *Req, reply *Rep) error {
	e.t.Helper()
	return wait(e.t, start(e, e.pool, name, req, reply))
}

// start makes one RPC through p and returns the channel its outcome
// arrives on.
func start[Req, Rep any](e *env, p *evrpc.Pool, name string, req *Req, reply *Rep) <-chan error {
	e.t.Helper()
	ch := make(chan error, 1)
	var err error
	e.do(func() {
		_, err = evrpc.MakeRequest(p, name, req, reply, func(err error) { ch <- err })
	})
	if err != nil {
		e.t.Fatalf("MakeRequest %s: %v", name, err)
	}
	return ch
}

// wait returns the outcome arriving on ch.
func wait(t testing.TB, ch <-chan error) error {
	t.Helper()
	select {
	case err := <-ch:
		return err
	case <-time.After(waitLimit):
		t.Fatalf("no call outcome within %v", waitLimit)
		return nil
	}
}

// dagger is the reply of the Message RPC of libevent's regress tests.
func dagger(m *Msg) Kill {
	return Kill{Weapon: "dagger", Action: "wave around like an idiot", HowOften: []uint32{uint32(len(m.FromName)), 0x123456}}
}

// registerMessage serves Message with dagger and NeverReply with nothing.
func (e *env) registerMessage() {
	e.t.Helper()
	if err := RegisterMessage(e.rpc, func(r *evrpc.Request[Msg, Kill]) {
		*r.Reply = dagger(r.Req)
		if err := r.Done(); err != nil {
			e.t.Errorf("Done: %v", err)
		}
	}); err != nil {
		e.t.Fatal(err)
	}
	if err := RegisterNeverReply(e.rpc, func(r *evrpc.Request[Msg, Kill]) {}); err != nil {
		e.t.Fatal(err)
	}
}
