// Package basetest holds the test helpers that packages built on core
// share: a Base per test or per backend, a loop run with a watchdog, and a
// goroutine-leak check for TestMain. core's own tests cannot import it
// (it imports core); they use internal/looptest directly.
package basetest

import (
	"fmt"
	"os"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/goevent/goevent/core"
	"github.com/goevent/goevent/internal/looptest"
)

// New returns a Base made with opts, closed when the test ends.
func New(t testing.TB, opts ...core.Option) *core.Base {
	t.Helper()
	b, err := core.NewBase(opts...)
	if err != nil {
		t.Fatalf("NewBase: %v", err)
	}
	t.Cleanup(func() { b.Close() })
	return b
}

// ForEachBackend runs fn once per core backend on this system, each in a
// subtest with a fresh Base closed when the subtest ends.
func ForEachBackend(t *testing.T, fn func(t *testing.T, base *core.Base)) {
	t.Helper()
	for _, name := range core.Backends() {
		t.Run(name, func(t *testing.T) {
			fn(t, New(t, core.WithBackend(name)))
		})
	}
}

// Run runs base's loop until a callback calls LoopBreak or LoopExit,
// failing the test if it is still running after limit.
func Run(t testing.TB, base *core.Base, limit time.Duration) {
	t.Helper()
	var hung atomic.Bool
	w := time.AfterFunc(limit, func() {
		hung.Store(true)
		base.LoopBreak()
	})
	err := base.Loop(core.LoopNoExitOnEmpty)
	w.Stop()
	if hung.Load() {
		t.Fatalf("loop still running after %v", limit)
	}
	if err != nil {
		t.Fatalf("Loop: %v", err)
	}
}

// Main runs the tests of package pkg and fails the run when goroutines
// started by goevent or its tests outlive them all. Call it from TestMain.
func Main(m *testing.M, pkg string) {
	code := m.Run()
	if code == 0 {
		if left := looptest.WaitGoroutines(5*time.Second, "github.com/goevent/goevent/"); len(left) > 0 {
			fmt.Fprintf(os.Stderr, "%s: %d goroutines leaked:\n%s\n", pkg, len(left), strings.Join(left, "\n\n"))
			code = 1
		}
	}
	os.Exit(code)
}
