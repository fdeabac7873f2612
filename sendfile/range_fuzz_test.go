package sendfile

import (
	"errors"
	"testing"
)

func FuzzParseRange(f *testing.F) {
	for _, h := range []string{
		"bytes=0-499", "bytes=500-", "bytes=-500", "bytes=0-0,-1", "BYTES=1-2, 3-4",
		"bytes=,,0-1", "bytes=5-4", "bytes=99999999999999999999-", "bytes=-0", "items=0-1", "",
	} {
		f.Add(h, int64(1234))
		f.Add(h, int64(0))
		f.Add(h, int64(1))
	}
	f.Add("bytes=0-,0-", int64(1<<63-1))
	f.Fuzz(func(t *testing.T, header string, size int64) {
		ranges, err := ParseRange(header, size)
		if err != nil {
			if len(ranges) != 0 {
				t.Fatalf("ranges %v with error %v", ranges, err)
			}
			if !errors.Is(err, ErrInvalidRange) && !errors.Is(err, ErrUnsatisfiable) {
				t.Fatalf("unexpected error %v", err)
			}
			return
		}
		if len(ranges) == 0 || len(ranges) > MaxRanges {
			t.Fatalf("%d ranges without error", len(ranges))
		}
		var total uint64
		for _, r := range ranges {
			if r.Start < 0 || r.Start >= size || r.Length <= 0 || r.Length > size-r.Start {
				t.Fatalf("range %+v outside [0,%d)", r, size)
			}
			total += uint64(r.Length)
			_ = r.ContentRange(size)
		}
		if total > MaxRangeFactor*uint64(size) {
			t.Fatalf("ranges add up to %d for a %d byte file", total, size)
		}
	})
}
