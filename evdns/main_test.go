package evdns

import (
	"testing"
	"time"

	"github.com/goevent/goevent/core"
	"github.com/goevent/goevent/internal/basetest"
)

// TestMain fails the run when goroutines started by the package or its
// tests outlive every test.
func TestMain(m *testing.M) { basetest.Main(m, "evdns") }

// loopLimit bounds every loop a test runs.
const loopLimit = 20 * time.Second

func newBase(t testing.TB, opts ...core.Option) *core.Base {
	t.Helper()
	return basetest.New(t, opts...)
}

// run runs base's loop until a callback calls LoopBreak, failing the test
// after loopLimit.
func run(t testing.TB, base *core.Base) {
	t.Helper()
	basetest.Run(t, base, loopLimit)
}

// requirePeer is basetest.RequirePeer.
func requirePeer(t testing.TB, bin string) string {
	t.Helper()
	return basetest.RequirePeer(t, bin)
}
