package ssl

import (
	"crypto/tls"
	"fmt"
	"testing"
	"time"

	"github.com/goevent/goevent/bufferevent"
	"github.com/goevent/goevent/core"
	"github.com/goevent/goevent/internal/basetest"
	"github.com/goevent/goevent/internal/looptest"
)

// TestMain fails the run when goroutines started by the package or its
// tests outlive every test.
func TestMain(m *testing.M) { basetest.Main(m, "ssl") }

func newBase(t testing.TB) *core.Base {
	t.Helper()
	return basetest.New(t)
}

// loopLimit bounds every loop a test runs.
const loopLimit = 60 * time.Second

// run runs base's loop until a callback calls base.LoopBreak, failing the
// test after loopLimit.
func run(t testing.TB, base *core.Base) {
	t.Helper()
	basetest.Run(t, base, loopLimit)
}

// testPKI is basetest's PKI, made once per test binary (key generation
// is not free and many tests use it).
type testPKI = basetest.PKI

var pkiOnce = func() func(testing.TB) *testPKI {
	var p *testPKI
	var err error
	var done bool
	return func(t testing.TB) *testPKI {
		t.Helper()
		if !done {
			p, err = basetest.NewPKI()
			done = true
		}
		if err != nil {
			t.Fatalf("test PKI: %v", err)
		}
		return p
	}
}()

// requirePeer is basetest.RequirePeer.
func requirePeer(t testing.TB, bin string) string {
	t.Helper()
	return basetest.RequirePeer(t, bin)
}

// events records a BufferEvent's events.
type events struct {
	what []bufferevent.What
	errs []error
}

func (e *events) add(what bufferevent.What, err error) {
	e.what = append(e.what, what)
	e.errs = append(e.errs, err)
}

func (e *events) has(w bufferevent.What) (bool, error) {
	for i, x := range e.what {
		if x&w == w {
			return true, e.errs[i]
		}
	}
	return false, nil
}

func (e *events) String() string { return fmt.Sprint(e.what, e.errs) }

// tlsPair returns a server and a client TLS BufferEvent over a
// socketpair, both with reading enabled.
func tlsPair(t testing.TB, base *core.Base, scfg, ccfg *tls.Config) (srv, cli *bufferevent.BufferEvent) {
	t.Helper()
	fds := looptest.Socketpair(t)
	var err error
	srv, err = NewServer(base, fds[0], scfg, 0)
	if err != nil {
		t.Fatalf("NewServer: %v", err)
	}
	cli, err = NewClient(base, fds[1], ccfg, 0)
	if err != nil {
		t.Fatalf("NewClient: %v", err)
	}
	t.Cleanup(func() { srv.Free(); cli.Free() })
	srv.Enable(bufferevent.Read)
	cli.Enable(bufferevent.Read)
	return srv, cli
}
