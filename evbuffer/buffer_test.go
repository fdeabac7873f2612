package evbuffer

import (
	"bytes"
	"errors"
	"strings"
	"testing"
)

func TestZeroBufferReady(t *testing.T) {
	var b Buffer
	if b.Len() != 0 || b.ContiguousSpace() != 0 || len(b.Peek(-1, nil)) != 0 {
		t.Fatal("zero Buffer not empty")
	}
	if err := b.Drain(10); err != nil {
		t.Fatal(err)
	}
	if n, err := b.Remove(make([]byte, 4)); n != 0 || err != nil {
		t.Fatalf("Remove on empty: %d %v", n, err)
	}
	if p, err := b.Pullup(-1); p != nil || err != nil {
		t.Fatalf("Pullup on empty: %q %v", p, err)
	}
	b.AddString("hi")
	mustEqual(t, &b, []byte("hi"))
}

// TestEmptyHoldsNoBlocks checks that a buffer emptied by any means gives
// its blocks back.
func TestEmptyHoldsNoBlocks(t *testing.T) {
	big := strings.Repeat("x", 200000)
	empties := map[string]func(b, o *Buffer){
		"Drain":        func(b, _ *Buffer) { b.Drain(b.Len()) },
		"DrainMore":    func(b, _ *Buffer) { b.Drain(b.Len() + 10) },
		"Remove":       func(b, _ *Buffer) { b.Remove(make([]byte, b.Len())) },
		"Reset":        func(b, _ *Buffer) { b.Reset() },
		"AddBuffer":    func(b, o *Buffer) { o.AddBuffer(b); o.Reset() },
		"RemoveBuffer": func(b, o *Buffer) { b.RemoveBuffer(o, b.Len()); o.Reset() },
		"ReadLine": func(b, _ *Buffer) {
			b.AddString("\n")
			for {
				if _, ok := b.ReadLine(EOLLF); !ok {
					break
				}
			}
			b.AddString("x") // the next change lets go of the line's block
			b.Drain(1)
		},
	}
	for name, empty := range empties {
		t.Run(name, func(t *testing.T) {
			var b, o Buffer
			b.AddString(big)
			b.Prepend([]byte("front"))
			b.AddReference([]byte("ref"), nil)
			b.AddString("tail")
			empty(&b, &o)
			if b.Len() != 0 || b.nsegs() != 0 || b.spare != nil || len(b.held) > 0 {
				t.Fatalf("len %d segs %d spare %v held %v", b.Len(), b.nsegs(), b.spare != nil, len(b.held) > 0)
			}
		})
	}
}

func TestAddDrainAcrossSegments(t *testing.T) {
	parts := []string{"abc", "defgh", "i", "jklmnop"}
	all := strings.Join(parts, "")
	for _, ref := range []bool{false, true} {
		for n := 0; n <= len(all)+2; n++ {
			b := segmented(t, ref, parts...)
			if err := b.Drain(n); err != nil {
				t.Fatal(err)
			}
			mustEqual(t, b, []byte(all[min(n, len(all)):]))
			b.AddString("Z")
			mustEqual(t, b, []byte(all[min(n, len(all)):]+"Z"))
		}
	}
	var b Buffer
	if err := b.Drain(-1); !errors.Is(err, ErrInvalid) {
		t.Fatalf("Drain(-1) = %v", err)
	}
}

func TestAddLarge(t *testing.T) {
	var b Buffer
	p := bytes.Repeat([]byte("0123456789"), 30000) // 300 kB: several 64 KiB blocks
	b.Add(p)
	b.Add(p[:7])
	mustEqual(t, &b, append(append([]byte(nil), p...), p[:7]...))
	for i := 0; i < b.nsegs(); i++ {
		if s := b.seg(i); s.blk.class < 0 {
			t.Fatalf("segment %d is not pooled", i)
		}
	}
}

func TestPrepend(t *testing.T) {
	var b Buffer
	b.Prepend([]byte("world"))
	b.Prepend([]byte("hello, "))
	if b.nsegs() != 1 {
		t.Fatalf("second prepend did not use the front room: %d segments", b.nsegs())
	}
	mustEqual(t, &b, []byte("hello, world"))
	b.AddReference([]byte("!"), nil)
	big := bytes.Repeat([]byte("p"), 100000)
	b.Prepend(big)
	mustEqual(t, &b, append(append([]byte(nil), big...), "hello, world!"...))

	// Before a reference: a new block; an empty prepend changes nothing.
	var c Buffer
	c.AddReference([]byte("ref"), nil)
	c.Prepend(nil)
	c.Prepend([]byte(">"))
	mustEqual(t, &c, []byte(">ref"))
}

func TestAddBufferPrependBuffer(t *testing.T) {
	var a, b Buffer
	if err := a.AddBuffer(&b); err != nil { // empty into empty
		t.Fatal(err)
	}
	if err := a.AddBuffer(&a); !errors.Is(err, ErrInvalid) {
		t.Fatalf("AddBuffer(self) = %v", err)
	}
	if err := a.AddBuffer(nil); !errors.Is(err, ErrInvalid) {
		t.Fatalf("AddBuffer(nil) = %v", err)
	}
	b.AddString("one")
	a.AddBuffer(&b) // into empty: the chains swap
	mustEqual(t, &a, []byte("one"))
	mustEqual(t, &b, nil)
	b.AddReference([]byte("two"), nil)
	b.AddString("three")
	a.AddBuffer(&b)
	mustEqual(t, &a, []byte("onetwothree"))
	b.AddString("zero")
	b.AddReference([]byte("-"), nil)
	a.PrependBuffer(&b)
	mustEqual(t, &a, []byte("zero-onetwothree"))
	mustEqual(t, &b, nil)
	b.PrependBuffer(&a) // into empty
	mustEqual(t, &b, []byte("zero-onetwothree"))
	if err := a.PrependBuffer(&a); !errors.Is(err, ErrInvalid) {
		t.Fatalf("PrependBuffer(self) = %v", err)
	}
}

// TestAddBufferMovesSegments checks that AddBuffer links segments instead
// of copying them (bar one tiny first segment).
func TestAddBufferMovesSegments(t *testing.T) {
	var a, b Buffer
	a.AddString("a")
	big := bytes.Repeat([]byte("b"), 1000)
	b.Add(big)
	first := &b.firstSeg().buf[0]
	b.AddReference([]byte("c"), nil)
	a.AddBuffer(&b)
	if a.nsegs() != 3 || &a.seg(1).buf[0] != first {
		t.Fatalf("segments were copied: %d segments", a.nsegs())
	}
	// A tiny owned first segment is merged into free room.
	var c, d Buffer
	c.AddString("head")
	d.AddString("tiny")
	c.AddBuffer(&d)
	if c.nsegs() != 1 {
		t.Fatalf("tiny segment not merged: %d segments", c.nsegs())
	}
	mustEqual(t, &c, []byte("headtiny"))
}

func TestRemoveBuffer(t *testing.T) {
	parts := []string{"abc", "defgh", "ij"}
	all := strings.Join(parts, "")
	for _, ref := range []bool{false, true} {
		for n := 0; n <= len(all)+1; n++ {
			src := segmented(t, ref, parts...)
			var dst Buffer
			dst.AddString("<")
			moved, err := src.RemoveBuffer(&dst, n)
			if err != nil || moved != min(n, len(all)) {
				t.Fatalf("RemoveBuffer(%d) = %d, %v", n, moved, err)
			}
			mustEqual(t, src, []byte(all[moved:]))
			mustEqual(t, &dst, []byte("<"+all[:moved]))
		}
	}
	var a Buffer
	if _, err := a.RemoveBuffer(&a, 1); !errors.Is(err, ErrInvalid) {
		t.Fatalf("RemoveBuffer(self) = %v", err)
	}
	if _, err := a.RemoveBuffer(New(), -1); !errors.Is(err, ErrInvalid) {
		t.Fatalf("RemoveBuffer(-1) = %v", err)
	}
}

// TestRemoveBufferCopiesAtMostBoundary checks that RemoveBuffer moves whole
// blocks and copies only the cut one.
func TestRemoveBufferCopiesAtMostBoundary(t *testing.T) {
	src := segmented(t, false, strings.Repeat("a", 500), strings.Repeat("b", 500), strings.Repeat("c", 500))
	b0, b1 := &src.seg(0).buf[0], &src.seg(1).buf[0]
	var dst Buffer
	src.RemoveBuffer(&dst, 1200)
	if &dst.seg(0).buf[0] != b0 || &dst.seg(1).buf[0] != b1 {
		t.Fatal("whole segments were not moved")
	}
	if dst.Len() != 1200 || src.Len() != 300 || src.nsegs() != 1 {
		t.Fatalf("boundary: dst %d, src %d", dst.Len(), src.Len())
	}
}

func TestCopyOutAndFrom(t *testing.T) {
	b := segmented(t, true, "abc", "de", "fghij")
	p := make([]byte, 4)
	if n, _ := b.CopyOut(p); n != 4 || string(p) != "abcd" {
		t.Fatalf("CopyOut = %q", p[:n])
	}
	for pos := 0; pos <= 10; pos++ {
		var ptr Ptr
		if err := b.PtrSet(&ptr, pos, PtrSetAbs); err != nil {
			t.Fatal(err)
		}
		q := make([]byte, 20)
		n, err := b.CopyOutFrom(ptr, q)
		if err != nil || string(q[:n]) != "abcdefghij"[pos:] {
			t.Fatalf("CopyOutFrom(%d) = %q, %v", pos, q[:n], err)
		}
	}
	if _, err := b.CopyOutFrom(Ptr{Pos: 11}, p); !errors.Is(err, ErrRange) {
		t.Fatalf("CopyOutFrom past end: %v", err)
	}
	mustEqual(t, b, []byte("abcdefghij"))
}

func TestPeek(t *testing.T) {
	b := segmented(t, false, "abc", "de", "fgh")
	cases := []struct {
		n    int
		want []string
	}{
		{-1, []string{"abc", "de", "fgh"}},
		{0, nil},
		{2, []string{"ab"}},
		{3, []string{"abc"}},
		{4, []string{"abc", "d"}},
		{100, []string{"abc", "de", "fgh"}},
	}
	for _, c := range cases {
		vecs := b.Peek(c.n, nil)
		if len(vecs) != len(c.want) {
			t.Fatalf("Peek(%d) = %q", c.n, vecs)
		}
		for i := range vecs {
			if string(vecs[i]) != c.want[i] {
				t.Fatalf("Peek(%d) = %q", c.n, vecs)
			}
		}
	}
	// Appending to a peeked slice never writes into the buffer.
	v := b.Peek(1, nil)[0]
	_ = append(v, 'X')
	mustEqual(t, b, []byte("abcdefgh"))
	// Peek stops at a file segment.
	f := tempFile(t, []byte("FILE"))
	b.AddFile(f, 0, 4)
	b.AddString("after")
	if vecs := b.Peek(-1, nil); len(vecs) != 3 {
		t.Fatalf("Peek past a file segment: %q", vecs)
	}
}

func TestPullup(t *testing.T) {
	b := segmented(t, true, "abc", "de", "fgh")
	if p, err := b.Pullup(2); err != nil || string(p) != "ab" || b.nsegs() != 3 {
		t.Fatalf("Pullup within first segment: %q %v, %d segs", p, err, b.nsegs())
	}
	if _, err := b.Pullup(9); !errors.Is(err, ErrShort) {
		t.Fatalf("Pullup(9) of 8: %v", err)
	}
	p, err := b.Pullup(4)
	if err != nil || string(p) != "abcd" || b.ContiguousSpace() != 4 {
		t.Fatalf("Pullup(4) = %q %v, contiguous %d", p, err, b.ContiguousSpace())
	}
	mustEqual(t, b, []byte("abcdefgh"))
	if cap(p) != len(p) {
		t.Fatal("Pullup capacity not clipped")
	}
	p, err = b.Pullup(-1)
	if err != nil || string(p) != "abcdefgh" || b.nsegs() != 1 {
		t.Fatalf("Pullup(-1) = %q %v", p, err)
	}
	// Over a file segment and beyond the largest class.
	data := bytes.Repeat([]byte("0123456789abcdef"), 10000)
	f := tempFile(t, data)
	var c Buffer
	c.AddString("x")
	c.AddFile(f, 0, int64(len(data)))
	c.AddString("y")
	p, err = c.Pullup(len(data))
	if err != nil || !bytes.Equal(p, append([]byte("x"), data[:len(data)-1]...)) {
		t.Fatalf("Pullup over a file: %v", err)
	}
	mustEqual(t, &c, append(append([]byte("x"), data...), 'y'))
}

func TestContiguousSpace(t *testing.T) {
	b := segmented(t, false, "abcd", "ef")
	if b.ContiguousSpace() != 4 {
		t.Fatalf("ContiguousSpace = %d", b.ContiguousSpace())
	}
	f := tempFile(t, []byte("file"))
	var c Buffer
	c.AddFile(f, 0, 4)
	if c.ContiguousSpace() != 0 {
		t.Fatalf("ContiguousSpace of a file segment = %d", c.ContiguousSpace())
	}
}

func TestReserveCommit(t *testing.T) {
	var b Buffer
	r := b.Reserve(100)
	if len(r) < 100 {
		t.Fatalf("Reserve(100) = %d bytes", len(r))
	}
	copy(r, "hello")
	if err := b.Commit(len(r) + 1); !errors.Is(err, ErrCommit) {
		t.Fatalf("Commit past reservation: %v", err)
	}
	if err := b.Commit(5); err != nil {
		t.Fatal(err)
	}
	if err := b.Commit(1); !errors.Is(err, ErrCommit) {
		t.Fatalf("second Commit: %v", err)
	}
	r = b.Reserve(3) // the tail block's room
	copy(r, ", w")
	b.Commit(3)
	mustEqual(t, &b, []byte("hello, w"))
	if b.nsegs() != 1 {
		t.Fatalf("reserve in tail room made %d segments", b.nsegs())
	}
	// A change between Reserve and Commit invalidates the reservation.
	r = b.Reserve(10)
	b.AddString("!")
	if err := b.Commit(1); !errors.Is(err, ErrCommit) {
		t.Fatalf("Commit after a change: %v", err)
	}
	if err := b.Commit(-1); !errors.Is(err, ErrCommit) {
		t.Fatalf("Commit(-1): %v", err)
	}
	// Commit(0) abandons; a big reservation beyond the largest class.
	b.Reserve(1)
	if err := b.Commit(0); err != nil {
		t.Fatal(err)
	}
	r = b.Reserve(200000)
	if len(r) < 200000 {
		t.Fatalf("Reserve(200000) = %d", len(r))
	}
	for i := range r[:200000] {
		r[i] = 'z'
	}
	b.Commit(200000)
	if b.Len() != 9+200000 {
		t.Fatalf("Len = %d", b.Len())
	}
	if b.Reserve(-1) != nil || b.Reserve(MaxReserve+1) != nil {
		t.Fatal("Reserve accepted a bad length")
	}
	b.Freeze(false)
	if b.Reserve(1) != nil {
		t.Fatal("Reserve on a frozen end")
	}
}

func TestExpand(t *testing.T) {
	var b Buffer
	b.AddString("abc")
	if err := b.Expand(10); err != nil || b.spare != nil {
		t.Fatalf("Expand within room: %v spare %v", err, b.spare != nil)
	}
	if err := b.Expand(5000); err != nil || b.spare == nil || len(b.spare.b) < 5000 {
		t.Fatalf("Expand(5000): %v", err)
	}
	spare := b.spare
	r := b.Reserve(5000)
	if &r[0] != &spare.b[0] {
		t.Fatal("Reserve did not use the expanded block")
	}
	if err := b.Expand(-1); !errors.Is(err, ErrInvalid) {
		t.Fatalf("Expand(-1) = %v", err)
	}
	if err := b.Expand(MaxReserve + 1); !errors.Is(err, ErrTooLarge) {
		t.Fatalf("Expand(huge) = %v", err)
	}
	b.Reset()
	if b.spare != nil {
		t.Fatal("Reset kept the spare block")
	}
}

func TestAddPrintf(t *testing.T) {
	var b Buffer
	n, err := b.AddPrintf("%s=%d;", "x", 42)
	if n != 5 || err != nil {
		t.Fatalf("AddPrintf = %d, %v", n, err)
	}
	mustEqual(t, &b, []byte("x=42;"))
}

func TestFreeze(t *testing.T) {
	f := tempFile(t, []byte("file"))
	endOps := map[string]func(b *Buffer) error{
		"Add":          func(b *Buffer) error { return b.Add([]byte("x")) },
		"AddString":    func(b *Buffer) error { return b.AddString("x") },
		"AddPrintf":    func(b *Buffer) error { _, err := b.AddPrintf("x"); return err },
		"AddReference": func(b *Buffer) error { return b.AddReference([]byte("x"), nil) },
		"AddFile":      func(b *Buffer) error { return b.AddFile(f, 0, 1) },
		"AddBuffer":    func(b *Buffer) error { o := New(); o.AddString("x"); return b.AddBuffer(o) },
		"RemoveBufferInto": func(b *Buffer) error {
			o := New()
			o.AddString("x")
			_, err := o.RemoveBuffer(b, 1)
			return err
		},
		"Commit": func(b *Buffer) error {
			frozen := b.frozenEnd
			b.frozenEnd = false
			b.Reserve(1)
			b.frozenEnd = frozen
			return b.Commit(1)
		},
		"Write":      func(b *Buffer) error { _, err := b.Write([]byte("x")); return err },
		"ReadFrom":   func(b *Buffer) error { _, err := b.ReadFrom(strings.NewReader("x")); return err },
		"WriteStr":   func(b *Buffer) error { _, err := b.WriteString("x"); return err },
		"ReadFromFD": func(b *Buffer) error { _, err := b.ReadFromFD(-1, 1); return err },
	}
	frontOps := map[string]func(b *Buffer) error{
		"Prepend":       func(b *Buffer) error { return b.Prepend([]byte("x")) },
		"PrependBuffer": func(b *Buffer) error { o := New(); o.AddString("x"); return b.PrependBuffer(o) },
		"Drain":         func(b *Buffer) error { return b.Drain(1) },
		"Remove":        func(b *Buffer) error { _, err := b.Remove(make([]byte, 1)); return err },
		"RemoveBuffer":  func(b *Buffer) error { _, err := b.RemoveBuffer(New(), 1); return err },
		"AddBufferFrom": func(b *Buffer) error { return New().AddBuffer(b) },
		"Read":          func(b *Buffer) error { _, err := b.Read(make([]byte, 1)); return err },
		"ReadByte":      func(b *Buffer) error { _, err := b.ReadByte(); return err },
		"WriteTo":       func(b *Buffer) error { _, err := b.WriteTo(new(bytes.Buffer)); return err },
		"WriteToFD":     func(b *Buffer) error { _, err := b.WriteToFD(-1, -1); return err },
	}
	for atFront, ops := range map[bool]map[string]func(*Buffer) error{false: endOps, true: frontOps} {
		for name, op := range ops {
			var b Buffer
			b.AddString("content")
			b.Freeze(atFront)
			if !b.Frozen(atFront) || b.Frozen(!atFront) {
				t.Fatal("Frozen reports wrong")
			}
			if err := op(&b); !errors.Is(err, ErrFrozen) {
				t.Errorf("%s with frozen front=%v: %v", name, atFront, err)
			}
			mustEqual(t, &b, []byte("content"))
			b.Unfreeze(atFront)
			if err := op(&b); errors.Is(err, ErrFrozen) {
				t.Errorf("%s after Unfreeze: %v", name, err)
			}
		}
	}
	// ReadLine does nothing on a frozen front.
	var b Buffer
	b.AddString("line\n")
	b.Freeze(true)
	if _, ok := b.ReadLine(EOLLF); ok {
		t.Fatal("ReadLine on a frozen front")
	}
	// The other end stays usable.
	if err := b.AddString("more"); err != nil {
		t.Fatal(err)
	}
}

func TestTrimReleasesHeldMemory(t *testing.T) {
	var b Buffer
	b.AddString("line one\r\nline two\r\n")
	line, ok := b.ReadLine(EOLCRLF)
	if !ok || string(line) != "line one" {
		t.Fatalf("%q %v", line, ok)
	}
	b.Reserve(100)
	b.Trim()
	if b.Len() != 10 {
		t.Fatalf("Trim changed the bytes: %d", b.Len())
	}
	if line, ok := b.ReadLine(EOLCRLF); !ok || string(line) != "line two" {
		t.Fatalf("%q %v", line, ok)
	}
	b.Trim()
	if b.held != nil || b.spare != nil || b.segs != nil || b.Len() != 0 {
		t.Fatalf("after Trim of an empty buffer: held %d, spare %v, segs %d", len(b.held), b.spare != nil, cap(b.segs))
	}
	if err := b.Commit(1); err == nil {
		t.Fatal("a reservation survived Trim")
	}
	b.AddString("again")
	if b.Len() != 5 {
		t.Fatal("buffer unusable after Trim")
	}
}

func TestFront(t *testing.T) {
	var b Buffer
	if b.Front() != nil {
		t.Fatal("Front of an empty buffer")
	}
	b.AddString("abc")
	b.AddReference([]byte("def"), nil)
	if f := b.Front(); string(f) != "abc" || cap(f) != 3 {
		t.Fatalf("Front %q cap %d", f, cap(f))
	}
	b.Drain(2)
	if f := b.Front(); string(f) != "c" {
		t.Fatalf("Front after Drain %q", f)
	}
	b.Drain(1)
	if f := b.Front(); string(f) != "def" {
		t.Fatalf("Front of the reference %q", f)
	}
}
