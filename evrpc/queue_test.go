package evrpc

import "testing"

// TestCallQueue pushes and pops in the patterns a Pool makes (one at a
// time, bursts, removals from the middle) and checks the order, and
// that a steady one-in one-out stream reuses the array.
func TestCallQueue(t *testing.T) {
	calls := make([]*Call, 100)
	for i := range calls {
		calls[i] = &Call{name: string(rune('A' + i%26))}
	}
	var q callQueue
	var want []*Call
	check := func(step string) {
		t.Helper()
		if q.len() != len(want) {
			t.Fatalf("%s: len %d, want %d", step, q.len(), len(want))
		}
		for i, c := range q.calls[q.head:] {
			if c != want[i] {
				t.Fatalf("%s: entry %d is not the call expected", step, i)
			}
		}
	}
	for i := range 40 {
		q.push(calls[i])
		want = append(want, calls[i])
	}
	check("burst")
	for range 30 {
		if q.pop() != want[0] {
			t.Fatal("pop out of order")
		}
		want = want[1:]
	}
	check("pops")
	for i := 40; i < 100; i++ {
		q.push(calls[i])
		want = append(want, calls[i])
	}
	check("second burst")
	if !q.remove(calls[50]) || q.remove(calls[50]) || q.remove(calls[0]) {
		t.Fatal("remove: wrong reports")
	}
	want = append(want[:50-30:50-30], want[50-30+1:]...)
	check("remove")
	got := q.drain()
	if len(got) != len(want) || q.len() != 0 {
		t.Fatalf("drain returned %d calls, left %d", len(got), q.len())
	}
	allocs := testing.AllocsPerRun(100, func() {
		q.push(calls[0])
		q.pop()
	})
	if allocs != 0 {
		t.Errorf("one-in one-out allocates %v times, want 0", allocs)
	}
}
