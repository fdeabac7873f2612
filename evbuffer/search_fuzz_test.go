package evbuffer

import "testing"

func FuzzSearch(f *testing.F) {
	f.Add([]byte("hello, world"), []byte{4, 6, 8}, []byte("o, w"), uint16(0), uint16(100))
	f.Add([]byte("aaaaaaab"), []byte{2, 2, 2, 2}, []byte("aab"), uint16(1), uint16(8))
	f.Add([]byte("abcabcabd"), []byte{5, 3}, []byte("abd"), uint16(0), uint16(9))
	f.Add([]byte("xyz"), []byte{}, []byte(""), uint16(3), uint16(3))
	f.Add([]byte("needle in a haystack"), []byte{1, 1, 1, 1, 1, 1, 1, 1, 1}, []byte("in a hay"), uint16(2), uint16(15))
	f.Fuzz(func(t *testing.T, data, cuts, what []byte, start, end uint16) {
		b := fuzzBuffer(t, data, cuts)
		s := int(start) % (len(data) + 1)
		e := s + int(end)%(len(data)-s+1)
		var sp, ep Ptr
		if err := b.PtrSet(&sp, s, PtrSetAbs); err != nil {
			t.Fatal(err)
		}
		if err := b.PtrSet(&ep, e, PtrSetAbs); err != nil {
			t.Fatal(err)
		}
		if got, want := b.SearchRange(what, &sp, &ep).Pos, refSearch(data, what, s, e); got != want {
			t.Fatalf("SearchRange(%q, %d, %d) = %d, want %d", what, s, e, got, want)
		}
		got := b.Search(what, &sp)
		if want := refSearch(data, what, s, len(data)); got.Pos != want {
			t.Fatalf("Search(%q, %d) = %d, want %d", what, s, got.Pos, want)
		}
		if got.Pos >= 0 {
			p := make([]byte, len(what))
			if n, err := b.CopyOutFrom(got, p); err != nil || string(p[:n]) != string(what) {
				t.Fatalf("bytes at match %d: %q, %v", got.Pos, p[:n], err)
			}
		}
	})
}
