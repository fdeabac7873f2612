package bufferevent

import (
	"testing"
	"time"
)

func TestWhatString(t *testing.T) {
	for _, c := range []struct {
		w    What
		want string
	}{
		{0, "0"},
		{EOF | Reading, "Reading|EOF"},
		{Timeout | Writing, "Writing|Timeout"},
		{Connected, "Connected"},
		{Error | 0x04, "Error|0x4"},
	} {
		if got := c.w.String(); got != c.want {
			t.Errorf("%#x.String() = %q, want %q", uint8(c.w), got, c.want)
		}
	}
	if Reading != 0x01 || Writing != 0x02 || EOF != 0x10 || Error != 0x20 || Timeout != 0x40 || Connected != 0x80 {
		t.Error("What values differ from libevent's BEV_EVENT_*")
	}
	if (Read | Write).String() != "Read|Write" {
		t.Error("Direction.String")
	}
}

// TestTimeoutsKeptInMilliseconds: SetTimeouts keeps whole milliseconds,
// rounded up, clamps huge values, and allocates no extra state.
func TestTimeoutsKeptInMilliseconds(t *testing.T) {
	base := newBase(t)
	a, b, err := NewPair(base, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer a.Free()
	defer b.Free()
	a.SetTimeouts(1500*time.Microsecond, 3*time.Second)
	if r, w := a.Timeouts(); r != 2*time.Millisecond || w != 3*time.Second {
		t.Fatalf("Timeouts() = %v, %v", r, w)
	}
	a.SetTimeouts(1000*24*time.Hour, 0)
	if r, w := a.Timeouts(); r != maxTimeout || w != 0 {
		t.Fatalf("Timeouts() = %v, %v after a huge one", r, w)
	}
	if a.x != nil {
		t.Fatal("SetTimeouts allocated the extra state")
	}
}
