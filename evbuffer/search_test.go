package evbuffer

import (
	"errors"
	"testing"
)

func TestSearchAcrossSegments(t *testing.T) {
	parts := []string{"abcab", "ca", "b", "cabd", "xyz"}
	flat := "abcabcabcabdxyz"
	cases := []struct {
		what       string
		start, end int // end -1: no end
		want       int
	}{
		{"abcabd", 0, -1, 6},  // straddles three segments after a near miss
		{"cabcabd", 0, -1, 5}, // the near miss straddles too
		{"bc", 0, -1, 1},
		{"bc", 2, -1, 4},
		{"bcabd", 0, -1, 7},
		{"dxyz", 0, -1, 11},
		{"xyzz", 0, -1, -1},
		{"", 3, -1, 3},
		{"", 15, -1, 15},
		{"a", 15, -1, -1},
		{"abd", 0, 12, 9},
		{"abd", 0, 11, -1}, // the first match ends past end
		{"abc", 4, 9, 6},
		{"z", 0, -1, 14},
		{flat, 0, -1, 0},
		{flat + "!", 0, -1, -1},
	}
	for _, ref := range []bool{false, true} {
		b := segmented(t, ref, parts...)
		for _, c := range cases {
			var s Ptr
			if err := b.PtrSet(&s, c.start, PtrSetAbs); err != nil {
				t.Fatal(err)
			}
			var got Ptr
			if c.end < 0 {
				got = b.Search([]byte(c.what), &s)
			} else {
				e := Ptr{Pos: c.end}
				got = b.SearchRange([]byte(c.what), &s, &e)
			}
			if got.Pos != c.want {
				t.Errorf("Search(%q, %d, %d) = %d, want %d", c.what, c.start, c.end, got.Pos, c.want)
			}
			if want := refSearch([]byte(flat), []byte(c.what), c.start, map[bool]int{true: 15, false: c.end}[c.end < 0]); want != c.want {
				t.Fatalf("table row %q disagrees with the reference: %d", c.what, want)
			}
		}
	}
}

// TestSearchThenPtrAdd walks all occurrences with Search and PtrAdd, as
// libevent's test does.
func TestSearchThenPtrAdd(t *testing.T) {
	b := segmented(t, false, "x--x-", "-x", "--x")
	var pos []int
	p := b.Search([]byte("x"), nil)
	for p.Pos >= 0 {
		pos = append(pos, p.Pos)
		if err := b.PtrSet(&p, 1, PtrAdd); err != nil {
			t.Fatal(err)
		}
		p = b.Search([]byte("x"), &p)
	}
	if len(pos) != 4 || pos[0] != 0 || pos[1] != 3 || pos[2] != 6 || pos[3] != 9 {
		t.Fatalf("occurrences at %v", pos)
	}
}

func TestSearchFileSegment(t *testing.T) {
	f := tempFile(t, []byte("0123456789"))
	var b Buffer
	b.AddString("ab")
	b.AddFile(f, 2, 6) // "234567"
	b.AddString("cd")
	for what, want := range map[string]int{"b23": 1, "567c": 5, "4": 4, "89": -1, "7cd": 7} {
		if got := b.Search([]byte(what), nil); got.Pos != want {
			t.Errorf("Search(%q) = %d, want %d", what, got.Pos, want)
		}
	}
}

func TestPtrSet(t *testing.T) {
	b := segmented(t, false, "abc", "def")
	var p Ptr
	for _, c := range []struct {
		pos  int
		how  PtrHow
		want int
		err  error
	}{
		{2, PtrSetAbs, 2, nil},
		{2, PtrAdd, 4, nil},
		{2, PtrAdd, 6, nil}, // the end is a valid position
		{1, PtrAdd, -1, ErrRange},
		{1, PtrAdd, -1, ErrRange}, // adding to "not found" stays not found
		{7, PtrSetAbs, -1, ErrRange},
		{-1, PtrSetAbs, -1, ErrRange},
		{5, PtrSetAbs, 5, nil},
		{-3, PtrAdd, 2, nil},
	} {
		err := b.PtrSet(&p, c.pos, c.how)
		if p.Pos != c.want || !errors.Is(err, c.err) || (err == nil) != (c.err == nil) {
			t.Fatalf("PtrSet(%d, %v) = %d, %v; want %d, %v", c.pos, c.how, p.Pos, err, c.want, c.err)
		}
	}
	if err := b.PtrSet(&p, 0, PtrHow(9)); !errors.Is(err, ErrInvalid) {
		t.Fatalf("unknown how: %v", err)
	}
	// A Ptr taken before a change re-resolves by Pos.
	b.PtrSet(&p, 4, PtrSetAbs)
	b.Drain(1)
	one := make([]byte, 1)
	if n, _ := b.CopyOutFrom(p, one); n != 1 || one[0] != 'f' {
		t.Fatalf("stale Ptr read %q", one[:n])
	}
	// A Ptr of another buffer is not trusted.
	c := segmented(t, false, "zz", "zz")
	var q Ptr
	c.PtrSet(&q, 3, PtrSetAbs)
	if n, _ := b.CopyOutFrom(q, one); n != 1 || one[0] != 'e' {
		t.Fatalf("foreign Ptr read %q", one[:n])
	}
}
