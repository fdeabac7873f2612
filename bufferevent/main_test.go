package bufferevent

import (
	"testing"
	"time"

	"github.com/goevent/goevent/core"
	"github.com/goevent/goevent/internal/basetest"
	"github.com/goevent/goevent/internal/looptest"
)

// TestMain fails the run when goroutines started by the package or its
// tests outlive every test.
func TestMain(m *testing.M) { basetest.Main(m, "bufferevent") }

// forEachBackend runs fn once per core backend, with a fresh Base closed
// when the subtest ends.
func forEachBackend(t *testing.T, fn func(t *testing.T, base *core.Base)) {
	t.Helper()
	basetest.ForEachBackend(t, fn)
}

func newBase(t testing.TB, opts ...core.Option) *core.Base {
	t.Helper()
	return basetest.New(t, opts...)
}

// loopLimit bounds every loop a test runs.
const loopLimit = 20 * time.Second

// run runs base's loop until a callback calls base.LoopBreak (or
// LoopExit), failing the test after loopLimit.
func run(t testing.TB, base *core.Base) {
	t.Helper()
	basetest.Run(t, base, loopLimit)
}

// socketpair returns a connected non-blocking AF_UNIX pair closed at the
// end of the test.
func socketpair(t testing.TB) []int { return looptest.Socketpair(t) }

func mustSocket(t testing.TB, base *core.Base, fd int, opts Options) *BufferEvent {
	t.Helper()
	bev, err := NewSocket(base, fd, opts)
	if err != nil {
		t.Fatalf("NewSocket: %v", err)
	}
	return bev
}

// takeAll drains b and returns its bytes.
func takeAll(b interface {
	Len() int
	Remove([]byte) (int, error)
}) string {
	p := make([]byte, b.Len())
	n, _ := b.Remove(p)
	return string(p[:n])
}

func unixWrite(t testing.TB, fd int, s string) { t.Helper(); looptest.WriteString(t, fd, s) }
