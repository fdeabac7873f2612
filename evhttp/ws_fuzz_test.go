package evhttp

import (
	"errors"
	"slices"
	"testing"
)

// FuzzWSFrame feeds arbitrary bytes to the frame parser, whole and cut into
// small pieces: it must never panic, must fail only with its own errors,
// and must give the same frames and the same verdict however the input is
// cut (the parser is resumable).
func FuzzWSFrame(f *testing.F) {
	f.Add(wsfFrame(0x81, []byte("hello"), true), true, uint8(3))
	f.Add(append(wsfFrame(0x01, []byte("a\xE2"), true), wsfFrame(0x80, []byte("\x82\xAC"), true)...), true, uint8(1))
	f.Add(wsfFrame(0x88, []byte{0x03, 0xE8, 'o', 'k'}, true), true, uint8(2))
	f.Add(wsfFrame(0x89, []byte("ping"), false), false, uint8(5))
	f.Add([]byte{0x82, 0xFF, 0x80, 0, 0, 0, 0, 0, 0, 0}, false, uint8(1))
	f.Add([]byte{0x82, 0xFE, 0x01, 0x00}, false, uint8(2))
	f.Fuzz(func(t *testing.T, data []byte, mask bool, chunk uint8) {
		whole, errWhole := wsfParse(data, mask, 4096, 8192, len(data)+1)
		cut, errCut := wsfParse(data, mask, 4096, 8192, int(chunk)%16+1)
		if (errWhole == nil) != (errCut == nil) || !slices.Equal(whole, cut) {
			t.Fatalf("whole: %q %v; cut: %q %v", whole, errWhole, cut, errCut)
		}
		if errWhole != nil && !errors.Is(errWhole, ErrWSProtocol) && !errors.Is(errWhole, ErrWSInvalidUTF8) && !errors.Is(errWhole, ErrWSTooLarge) {
			t.Fatalf("unexpected error kind: %v", errWhole)
		}
	})
}
