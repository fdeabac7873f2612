package proc

import "testing"

func TestSelf(t *testing.T) {
	// Burn a little CPU so that at least one tick is likely counted; the
	// test asserts only what always holds.
	x := 0
	for i := range 50_000_000 {
		x += i & 3
	}
	ticks, err := CPUTicks()
	if err != nil {
		t.Fatal(err)
	}
	if ticks < 0 {
		t.Errorf("CPUTicks = %d, want >= 0", ticks)
	}
	rss, err := RSS()
	if err != nil {
		t.Fatal(err)
	}
	if rss < 1<<20 {
		t.Errorf("RSS = %d bytes, want at least 1 MiB for a Go test binary (x=%d)", rss, x)
	}
	if err := RaiseNoFile(); err != nil {
		t.Fatal(err)
	}
}
