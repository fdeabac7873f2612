package evbuffer

import (
	"bytes"
	"errors"
	"os"
	"testing"
)

// counter is a release function that counts its calls.
type counter struct{ n int }

func (c *counter) release() { c.n++ }

func TestReferenceReleasedWhenDrained(t *testing.T) {
	var c counter
	var b Buffer
	mem := []byte("0123456789")
	b.AddString("<")
	b.AddReference(mem, c.release)
	b.AddString(">")
	for i, step := range []int{1, 5, 5} { // "<", then half, then the rest of the reference
		if c.n != 0 {
			t.Fatalf("released early, before step %d", i)
		}
		b.Drain(step)
	}
	if c.n != 1 {
		t.Fatalf("released %d times after the last byte", c.n)
	}
	b.Drain(1)
	if c.n != 1 {
		t.Fatal("released again")
	}
}

func TestReferenceReleasedOnReset(t *testing.T) {
	var c counter
	var b Buffer
	b.AddReference([]byte("abc"), c.release)
	b.AddReference([]byte("def"), c.release)
	b.Drain(1)
	b.Reset()
	if c.n != 2 {
		t.Fatalf("released %d times, want 2", c.n)
	}
	b.Reset()
	if c.n != 2 {
		t.Fatal("released again")
	}
}

func TestReferenceNoRelease(t *testing.T) {
	var b Buffer
	var c counter
	b.AddReference(nil, c.release) // empty: released at once
	if c.n != 1 {
		t.Fatalf("empty reference released %d times", c.n)
	}
	b.Freeze(false)
	if err := b.AddReference([]byte("x"), c.release); !errors.Is(err, ErrFrozen) || c.n != 1 {
		t.Fatalf("failed AddReference: %v, released %d", err, c.n)
	}
	b.Unfreeze(false)
	b.AddReference([]byte("no release"), nil)
	b.Reset()
}

// TestReferenceSplitReleasedOnce: RemoveBuffer splits a reference between
// two buffers; release runs once, after both halves are drained, in either
// order, however often the halves are split again.
func TestReferenceSplitReleasedOnce(t *testing.T) {
	for _, srcFirst := range []bool{true, false} {
		var c counter
		var src, dst, third Buffer
		mem := []byte("abcdefghij")
		src.AddReference(mem, c.release)
		if n, err := src.RemoveBuffer(&dst, 4); n != 4 || err != nil {
			t.Fatal(n, err)
		}
		if _, err := dst.RemoveBuffer(&third, 2); err != nil { // split the front half again
			t.Fatal(err)
		}
		if &dst.firstSeg().buf[dst.firstSeg().off] != &mem[2] || &src.firstSeg().buf[src.firstSeg().off] != &mem[4] {
			t.Fatal("split copied the reference")
		}
		mustEqual(t, &src, []byte("efghij"))
		mustEqual(t, &dst, []byte("cd"))
		mustEqual(t, &third, []byte("ab"))
		if srcFirst {
			src.Drain(6)
		} else {
			dst.Drain(2)
			third.Reset()
		}
		if c.n != 0 {
			t.Fatal("released with a half still buffered")
		}
		if srcFirst {
			dst.Drain(2)
			third.Reset()
		} else {
			src.Drain(6)
		}
		if c.n != 1 {
			t.Fatalf("released %d times", c.n)
		}
	}
}

// TestReferenceReleaseDeferredByReadLine: the line ReadLine returns may
// alias a reference whose last byte it was; release waits for the next
// change.
func TestReferenceReleaseDeferredByReadLine(t *testing.T) {
	var c counter
	var b Buffer
	mem := []byte("line\n")
	b.AddReference(mem, c.release)
	line, ok := b.ReadLine(EOLLF)
	if !ok || string(line) != "line" || c.n != 0 {
		t.Fatalf("ReadLine = %q %v, released %d", line, ok, c.n)
	}
	b.AddString("next")
	if c.n != 1 {
		t.Fatalf("released %d times after the next change", c.n)
	}
}

func TestReferencePullupReleases(t *testing.T) {
	var c1, c2 counter
	var b Buffer
	b.AddReference([]byte("ab"), c1.release)
	b.AddReference([]byte("cdef"), c2.release)
	if p, err := b.Pullup(4); err != nil || string(p) != "abcd" {
		t.Fatal(p, err)
	}
	if c1.n != 1 || c2.n != 0 {
		t.Fatalf("after Pullup: released %d, %d", c1.n, c2.n)
	}
	b.Reset()
	if c2.n != 1 {
		t.Fatalf("second reference released %d times", c2.n)
	}
}

func TestFileReferences(t *testing.T) {
	data := []byte("0123456789abcdef")
	f := tempFile(t, data)
	var a, b Buffer
	if err := a.AddFile(f, 2, 10); err != nil {
		t.Fatal(err)
	}
	if f.Refs() != 2 {
		t.Fatalf("Refs = %d after AddFile", f.Refs())
	}
	a.RemoveBuffer(&b, 4) // split: each half holds a reference
	if f.Refs() != 3 {
		t.Fatalf("Refs = %d after split", f.Refs())
	}
	mustEqual(t, &a, data[6:12])
	mustEqual(t, &b, data[2:6])
	b.Drain(3)
	if f.Refs() != 3 {
		t.Fatal("released before the last byte")
	}
	b.Drain(1)
	if f.Refs() != 2 {
		t.Fatalf("Refs = %d after draining one half", f.Refs())
	}
	a.Reset()
	if f.Refs() != 1 {
		t.Fatalf("Refs = %d after Reset", f.Refs())
	}
	a.AddFile(f, 0, 16)
	a.Pullup(-1) // read into memory: the file reference goes
	if f.Refs() != 1 {
		t.Fatalf("Refs = %d after Pullup", f.Refs())
	}
	mustEqual(t, &a, data)
}

func TestAddFileErrors(t *testing.T) {
	f := tempFile(t, []byte("0123456789"))
	var b Buffer
	for _, c := range []struct {
		off, n int64
		err    error
	}{
		{-1, 1, ErrRange}, {0, -1, ErrRange}, {0, 11, ErrRange}, {11, 0, ErrRange}, {5, 6, ErrRange},
		{10, 0, nil}, {0, 10, nil},
	} {
		if err := b.AddFile(f, c.off, c.n); !errors.Is(err, c.err) || (err == nil) != (c.err == nil) {
			t.Errorf("AddFile(%d, %d) = %v, want %v", c.off, c.n, err, c.err)
		}
	}
	if err := b.AddFile(nil, 0, 1); !errors.Is(err, ErrInvalid) {
		t.Errorf("AddFile(nil) = %v", err)
	}
	mustEqual(t, &b, []byte("0123456789"))
	b.Reset()
	if f.Refs() != 1 {
		t.Fatalf("Refs = %d", f.Refs())
	}
}

// TestFileReadError: a file that shrank after AddFile fails the reads that
// need its bytes, wrapping ErrFileRead, and leaves the buffer as it was.
func TestFileReadError(t *testing.T) {
	f := tempFile(t, bytes.Repeat([]byte("z"), 100))
	var b Buffer
	b.AddString("ab")
	b.AddFile(f, 0, 100)
	if err := os.Truncate(f.Name(), 10); err != nil {
		t.Fatal(err)
	}
	if _, err := b.Pullup(-1); !errors.Is(err, ErrFileRead) {
		t.Fatalf("Pullup: %v", err)
	}
	if got := b.Search([]byte("ab"), nil); got.Pos != 0 {
		t.Fatalf("Search before the file = %d", got.Pos)
	}
	if got := b.Search([]byte("zz"), nil); got.Pos != -1 { // documented: a failing read is "not found"
		t.Fatalf("Search into the unreadable file = %d", got.Pos)
	}
	p := make([]byte, 50)
	n, err := b.Remove(p)
	if !errors.Is(err, ErrFileRead) || n != 2 {
		t.Fatalf("Remove = %d, %v", n, err)
	}
	if b.Len() != 100 { // the two bytes before the file were removed
		t.Fatalf("Len = %d after a failed Remove", b.Len())
	}
	if _, ok := b.ReadLine(EOLLF); ok {
		t.Fatal("ReadLine found a line in unreadable bytes")
	}
	b.Reset()
}
