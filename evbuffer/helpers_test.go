package evbuffer

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/goevent/goevent/sendfile"
)

// checkInvariants verifies the chain's internal consistency.
func checkInvariants(b *Buffer) error {
	if b.head < 0 || b.head > len(b.segs) {
		return fmt.Errorf("head %d outside [0, %d]", b.head, len(b.segs))
	}
	for i := 0; i < cap(b.segs); i++ {
		if i >= b.head && i < len(b.segs) {
			continue
		}
		s := b.segs[:cap(b.segs)][i]
		if s.buf != nil || s.blk != nil || s.release != nil || s.share != nil || s.file != nil {
			return fmt.Errorf("unused slot %d (head %d len %d) not cleared", i, b.head, len(b.segs))
		}
	}
	total := 0
	for i := 0; i < b.nsegs(); i++ {
		s := b.seg(i)
		if s.len() <= 0 || s.off < 0 {
			return fmt.Errorf("segment %d: off %d end %d", i, s.off, s.end)
		}
		kinds := 0
		if s.blk != nil {
			kinds++
			if len(s.buf) != len(s.blk.b) || &s.buf[0] != &s.blk.b[0] {
				return fmt.Errorf("segment %d: buf is not its block", i)
			}
			if s.release != nil || s.share != nil {
				return fmt.Errorf("segment %d: owned block with release", i)
			}
		}
		if s.file != nil {
			kinds++
			if s.buf != nil {
				return fmt.Errorf("segment %d: file with memory", i)
			}
			if s.foff+int64(s.end) > s.file.Size() {
				return fmt.Errorf("segment %d: file range past size", i)
			}
			if s.file.Refs() <= 0 {
				return fmt.Errorf("segment %d: file released", i)
			}
		}
		if kinds > 1 {
			return fmt.Errorf("segment %d: several kinds", i)
		}
		if s.file == nil && s.end > len(s.buf) {
			return fmt.Errorf("segment %d: end %d past buf %d", i, s.end, len(s.buf))
		}
		total += s.len()
	}
	if total != b.n {
		return fmt.Errorf("segments hold %d bytes, n = %d", total, b.n)
	}
	return nil
}

// contents returns a copy of all bytes in b (reading file segments).
func contents(t testing.TB, b *Buffer) []byte {
	t.Helper()
	p := make([]byte, b.Len())
	n, err := b.CopyOut(p)
	if err != nil || n != len(p) {
		t.Fatalf("CopyOut: %d of %d, %v", n, len(p), err)
	}
	return p
}

func mustEqual(t testing.TB, b *Buffer, want []byte) {
	t.Helper()
	if err := checkInvariants(b); err != nil {
		t.Fatal(err)
	}
	if b.Len() != len(want) {
		t.Fatalf("Len = %d, want %d", b.Len(), len(want))
	}
	if got := contents(t, b); !bytes.Equal(got, want) {
		t.Fatalf("contents = %q, want %q", trunc(got), trunc(want))
	}
}

func trunc(p []byte) []byte {
	if len(p) > 200 {
		return p[:200]
	}
	return p
}

// tempFile writes data to a file in a test temp dir and opens it.
func tempFile(t testing.TB, data []byte) *sendfile.File {
	t.Helper()
	path := filepath.Join(t.TempDir(), "seg")
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	f, err := sendfile.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Release() })
	return f
}

// segmented builds a buffer holding the concatenation of parts, one memory
// segment per part (owned blocks, or references when ref is set).
func segmented(t testing.TB, ref bool, parts ...string) *Buffer {
	t.Helper()
	b := New()
	for _, p := range parts {
		if p == "" {
			continue
		}
		if ref {
			if err := b.AddReference([]byte(p), nil); err != nil {
				t.Fatal(err)
			}
			continue
		}
		blk := getBlock(len(p))
		n := copy(blk.b, p)
		b.pushBack(segment{buf: blk.b, end: n, blk: blk})
		b.n += n
	}
	if b.nsegs() != countNonEmpty(parts) {
		t.Fatalf("segmented: %d segments for %d parts", b.nsegs(), countNonEmpty(parts))
	}
	return b
}

func countNonEmpty(parts []string) int {
	n := 0
	for _, p := range parts {
		if p != "" {
			n++
		}
	}
	return n
}
