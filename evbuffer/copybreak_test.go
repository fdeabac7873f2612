package evbuffer

import "testing"

// TestMoveCopiesSmallTailOfBigBlock checks the copy break: a few bytes
// left in a 16 KiB block are copied when moved (so the block returns to
// its pool, not to a destination that may never be drained), while data
// above copyBreak, or filling its block, moves without copying.
func TestMoveCopiesSmallTailOfBigBlock(t *testing.T) {
	bigBlock := func(n int) (*Buffer, *block) {
		src := New()
		if err := src.Expand(16 << 10); err != nil {
			t.Fatal(err)
		}
		p := make([]byte, n)
		for i := range p {
			p[i] = byte('a' + i%26)
		}
		src.Add(p)
		return src, src.firstSeg().blk
	}
	moves := map[string]func(dst, src *Buffer){
		"AddBuffer to empty": func(dst, src *Buffer) { dst.AddBuffer(src) },
		"AddBuffer to non-empty": func(dst, src *Buffer) {
			dst.AddString("x")
			dst.AddBuffer(src)
			dst.Drain(1)
		},
		"RemoveBuffer whole segment": func(dst, src *Buffer) {
			n := src.Len()
			src.AddReference([]byte("a second segment"), nil)
			src.RemoveBuffer(dst, n)
		},
	}
	for name, move := range moves {
		for _, c := range []struct {
			n      int
			copied bool
		}{{13, true}, {copyBreak, true}, {copyBreak + 1, false}, {8 << 10, false}} {
			src, blk := bigBlock(c.n)
			want := string(contents(t, src))
			dst := New()
			move(dst, src)
			if got := string(contents(t, dst)); got != want[:c.n] {
				t.Fatalf("%s, %d bytes: moved %q, want %q", name, c.n, got, want)
			}
			linked := false
			for i := dst.head; i < len(dst.segs); i++ {
				linked = linked || dst.segs[i].blk == blk
			}
			if linked == c.copied {
				t.Errorf("%s, %d bytes: block linked = %v, want %v", name, c.n, linked, !c.copied)
			}
		}
	}
}
