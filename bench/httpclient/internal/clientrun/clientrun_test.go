package clientrun

import (
	"errors"
	"sync/atomic"
	"testing"
	"time"
)

func TestCheck(t *testing.T) {
	for _, tc := range []struct {
		status int
		body   string
		ok     bool
	}{
		{200, Body, true},
		{200, Body + "\n", false},
		{200, "", false},
		{404, Body, false},
		{204, "", false},
	} {
		err := Check(tc.status, []byte(tc.body))
		if (err == nil) != tc.ok || (err != nil && !errors.Is(err, ErrReply)) {
			t.Errorf("Check(%d, %q) = %v, want ok=%v", tc.status, tc.body, err, tc.ok)
		}
	}
}

func TestRunWorkers(t *testing.T) {
	var calls atomic.Int64
	boom := errors.New("boom")
	r := RunWorkers(Flags{Conns: 3, Dur: 50 * time.Millisecond}, func(w int) error {
		n := calls.Add(1)
		time.Sleep(time.Millisecond)
		if n%10 == 0 {
			return boom
		}
		return nil
	})
	if r.Requests == 0 || r.Failed == 0 || !errors.Is(r.FirstErr, boom) {
		t.Errorf("got %+v, want some requests, some failures and the first error", r)
	}
	// Warm-up calls (one per worker) are not counted as requests.
	if got := r.Requests + r.Failed; got > calls.Load() || got < calls.Load()-3 {
		t.Errorf("requests+failed = %d, calls = %d", got, calls.Load())
	}
	if r.Elapsed < 50*time.Millisecond || r.Ticks < 0 {
		t.Errorf("elapsed %v, ticks %d", r.Elapsed, r.Ticks)
	}
}
