//go:build !race

package core

import "testing"

// TestHotPathAllocs: adding and deleting events and timers, expiring a
// timer, and one loop pass with a callback, a posted function or a
// deferred allocate nothing once warmed up, on every backend.
func TestHotPathAllocs(t *testing.T) {
	forEachBackend(t, func(t *testing.T, newBase func(...Option) *Base) {
		for _, h := range hotPaths {
			t.Run(h.name, func(t *testing.T) {
				b := newBase()
				op := h.setup(t, b)
				op()
				if n := testing.AllocsPerRun(200, op); n != 0 {
					t.Errorf("%s: %v allocs per run, want 0", h.name, n)
				}
			})
		}
	})
}
