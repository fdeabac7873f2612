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

func TestPeakRSS(t *testing.T) {
	rss, err := RSS()
	if err != nil {
		t.Fatal(err)
	}
	peak, err := PeakRSS()
	if err != nil {
		t.Fatal(err)
	}
	if peak < rss {
		t.Errorf("PeakRSS = %d, below RSS = %d", peak, rss)
	}
}

func TestParseStatus(t *testing.T) {
	status := []byte("Name:\tx\nVmHWM:\t  2048 kB\nVmRSS:\t1024 kB\nVmBad:\tlots kB\nVmEmpty:\n")
	tests := []struct {
		key  string
		want int64
		ok   bool
	}{
		{"VmRSS:", 1 << 20, true},
		{"VmHWM:", 2 << 20, true},
		{"VmBad:", 0, false},
		{"VmEmpty:", 0, false},
		{"VmSwap:", 0, false},
	}
	for _, tt := range tests {
		got, err := parseStatus(status, tt.key)
		if got != tt.want || (err == nil) != tt.ok {
			t.Errorf("parseStatus(%q) = %d, %v; want %d, ok %v", tt.key, got, err, tt.want, tt.ok)
		}
	}
}
