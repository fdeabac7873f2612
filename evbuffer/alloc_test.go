//go:build !race

package evbuffer

import (
	"runtime"
	"testing"

	"golang.org/x/sys/unix"
)

// The race detector allocates on its own, so these tests run without it.
// Each checks the same inner step that bench_test.go measures.

func wantNoAllocs(t *testing.T, name string, f func()) {
	t.Helper()
	f() // warm the pools and slices
	if a := testing.AllocsPerRun(1000, f); a != 0 {
		t.Errorf("%s: %v allocs per run, want 0", name, a)
	}
}

func TestAllocsSteadyState(t *testing.T) {
	small := make([]byte, 64)
	large := make([]byte, 200<<10)
	var b, o Buffer
	cbCalls := 0
	wantNoAllocs(t, "Add/Drain small", func() { stepAddDrain(&b, small) })
	wantNoAllocs(t, "Add/Drain large", func() { stepAddDrain(&b, large) })
	wantNoAllocs(t, "AddString/Remove", func() {
		b.AddString("some bytes")
		b.Remove(small)
	})
	wantNoAllocs(t, "Prepend/Drain", func() {
		b.Prepend(small)
		b.Drain(b.Len())
	})
	wantNoAllocs(t, "AddBuffer move", func() { stepAddBuffer(&b, &o, large) })
	wantNoAllocs(t, "RemoveBuffer", func() {
		b.Add(large)
		b.RemoveBuffer(&o, 100000)
		o.Drain(o.Len())
		b.Drain(b.Len())
	})
	release := func() {}
	ref := make([]byte, 4096)
	wantNoAllocs(t, "AddReference/AddBuffer/Drain", func() {
		b.AddReference(ref, release)
		o.AddBuffer(&b)
		o.Drain(o.Len())
	})
	wantNoAllocs(t, "ReadLine in one segment", func() { stepReadLine(&b) })
	wantNoAllocs(t, "Reserve/Commit", func() {
		r := b.Reserve(100)
		copy(r, small)
		b.Commit(64)
		b.Drain(64)
	})
	cb := b.AddCallback(func(*Buffer, CallbackInfo) { cbCalls++ })
	wantNoAllocs(t, "Add/Drain with a callback", func() { stepAddDrain(&b, small) })
	b.RemoveCallback(cb)
	needle := []byte("needle")
	b.Add(large)
	b.Add(needle)
	wantNoAllocs(t, "Search", func() {
		if b.Search(needle, nil).Pos < 0 {
			t.Fatal("not found")
		}
	})
	b.Reset()
}

func TestAllocsFD(t *testing.T) {
	fds := socketpair(t)
	var b Buffer
	seg := make([]byte, 1000)
	sink := make([]byte, 64<<10)
	wantNoAllocs(t, "WriteToFD memory segments", func() { stepWriteToFD(&b, fds, seg, sink) })
	wantNoAllocs(t, "ReadFromFD", func() {
		unix.Write(fds[1], seg)
		if n, err := b.ReadFromFD(fds[0], -1); n != len(seg) || err != nil {
			t.Fatal(n, err)
		}
		b.Drain(b.Len())
	})
}

// TestMoveReferencesCopiesNothing moves 1 GiB of references between
// buffers (AddReference, AddBuffer, RemoveBuffer splitting one reference
// each round, Drain) and checks with runtime.MemStats that the process
// allocated less than 1 MiB meanwhile: nothing was copied.
func TestMoveReferencesCopiesNothing(t *testing.T) {
	total := 1 << 30
	if testing.Short() {
		total = 64 << 20
	}
	p := make([]byte, 64<<10)
	for i := range p {
		p[i] = byte(i)
	}
	adds, released := 0, 0
	release := func() { released++ }
	var a, b, c Buffer
	round := func() {
		for range 16 {
			a.AddReference(p, release)
			adds++
		}
		b.AddBuffer(&a)
		b.RemoveBuffer(&c, b.Len()/2+1000) // cuts a reference in two
		c.AddBuffer(&b)
		var one [1]byte
		if c.CopyOut(one[:]); one[0] != 0 {
			t.Fatal("wrong first byte")
		}
		c.Drain(c.Len() / 3)
		c.Drain(c.Len())
	}
	round() // warm up the segment slices
	var m0, m1 runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&m0)
	moved := 0
	for moved < total {
		round()
		moved += 16 * len(p)
	}
	runtime.ReadMemStats(&m1)
	if grew := m1.TotalAlloc - m0.TotalAlloc; grew >= 1<<20 {
		t.Fatalf("moving %d MiB of references allocated %d bytes", moved>>20, grew)
	} else {
		t.Logf("moved %d MiB of references, allocated %d bytes", moved>>20, grew)
	}
	if released != adds {
		t.Fatalf("%d of %d references released", released, adds)
	}
}
