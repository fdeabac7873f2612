package evbuffer

import "testing"

// FuzzDifferential runs the differential harness (diff_test.go) with the
// fuzz input as its sequence of decisions.
func FuzzDifferential(f *testing.F) {
	data := diffFileData(256 << 10)
	file := tempFile(f, data)
	f.Add([]byte{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24})
	f.Add([]byte("\x01\x03\x00\x10\x05abc\x00\x07\x01\x0d\x02\x00\x09\x04\x01\x0e"))
	f.Add([]byte{0, 3, 2, 9, 1, 5, 0, 0, 1, 7, 200, 0, 13, 1, 1, 14, 3, 3, 3, 0, 12, 5, 5, 0, 4, 8, 8, 8})
	f.Add([]byte{1, 4, 9, 9, 9, 9, 0, 7, 60, 1, 15, 2, 0, 0, 1, 12, 4, 4, 0, 20, 0, 0, 1, 19, 0})
	f.Fuzz(func(t *testing.T, ops []byte) {
		h := newHarness(t, &fuzzChooser{data: ops}, file, data)
		for i := 0; i < 300 && !h.ch.exhausted(); i++ {
			h.step()
		}
		h.finish()
	})
}
