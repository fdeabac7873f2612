package evbuffer

import (
	"strings"
	"testing"
)

// splits returns every way to cut s into up to three non-empty parts.
func splits(s string) [][]string {
	out := [][]string{{s}}
	for i := 1; i < len(s); i++ {
		out = append(out, []string{s[:i], s[i:]})
		for j := i + 1; j < len(s); j++ {
			out = append(out, []string{s[:i], s[i:j], s[j:]})
		}
	}
	return out
}

func TestReadLineStyles(t *testing.T) {
	cases := []struct {
		style EOLStyle
		in    string
		lines []string // lines read until none is complete
		rest  string
	}{
		{EOLLF, "a\nbc\n\nd", []string{"a", "bc", ""}, "d"},
		{EOLLF, "a\r\nb", []string{"a\r"}, "b"},
		{EOLNUL, "a\x00b\x00\x00c", []string{"a", "b", ""}, "c"},
		{EOLNUL, "a\nb", nil, "a\nb"},
		{EOLCRLFStrict, "a\r\nb\nc\r\n", []string{"a", "b\nc"}, ""},
		{EOLCRLFStrict, "a\rb\r\r\n", []string{"a\rb\r"}, ""},
		{EOLCRLFStrict, "a\r", nil, "a\r"},
		{EOLCRLF, "a\r\nb\nc\r\r\nd", []string{"a", "b", "c\r"}, "d"},
		{EOLCRLF, "a\rb\n", []string{"a\rb"}, ""},
		// A CR at the very end is content until an LF shows up.
		{EOLCRLF, "abc\r", nil, "abc\r"},
		{EOLCRLF, "\n\r\n", []string{"", ""}, ""},
		{EOLAny, "a\r\n\r\nb\n\rc\rd", []string{"a", "b", "c"}, "d"},
		{EOLAny, "\r\n\nx", []string{""}, "x"},
		// ANY consumes the run up to the current end: "a\r" is a line now.
		{EOLAny, "a\r", []string{"a"}, ""},
		{EOLAny, "abc", nil, "abc"},
		{EOLStyle(99), "a\nb\r\n", nil, "a\nb\r\n"},
	}
	for _, c := range cases {
		for _, parts := range splits(c.in) {
			for _, ref := range []bool{false, true} {
				b := segmented(t, ref, parts...)
				var got []string
				for {
					line, ok := b.ReadLine(c.style)
					if !ok {
						break
					}
					got = append(got, string(line))
				}
				if strings.Join(got, "|") != strings.Join(c.lines, "|") || len(got) != len(c.lines) {
					t.Fatalf("%v %q split %q: lines %q, want %q", c.style, c.in, parts, got, c.lines)
				}
				mustEqual(t, b, []byte(c.rest))
			}
		}
	}
}

// TestReadLineANYQuirk shows libevent's EOL_ANY behaviour when CR and LF
// arrive separately: the CR ends the line, the LF then reads as an empty
// line.
func TestReadLineANYQuirk(t *testing.T) {
	var b Buffer
	b.AddString("a\r")
	if line, ok := b.ReadLine(EOLAny); !ok || string(line) != "a" {
		t.Fatalf("ReadLine = %q %v", line, ok)
	}
	b.AddString("\nb\n")
	for _, want := range []string{"", "b"} {
		if line, ok := b.ReadLine(EOLAny); !ok || string(line) != want {
			t.Fatalf("ReadLine = %q %v, want %q", line, ok, want)
		}
	}
}

// TestReadLineCRLFSplit: under EOLCRLF a trailing CR waits for the LF, and
// CR and LF in different segments still make one EOL.
func TestReadLineCRLFSplit(t *testing.T) {
	var b Buffer
	b.AddString("GET / HTTP/1.1\r")
	if _, ok := b.ReadLine(EOLCRLF); ok {
		t.Fatal("line before its LF")
	}
	b.AddReference([]byte("\nHost: x\r\n"), nil)
	for _, want := range []string{"GET / HTTP/1.1", "Host: x"} {
		if line, ok := b.ReadLine(EOLCRLF); !ok || string(line) != want {
			t.Fatalf("ReadLine = %q %v, want %q", line, ok, want)
		}
	}
	if b.Len() != 0 {
		t.Fatalf("left %d bytes", b.Len())
	}
}

// TestReadLineZeroCopy: a line within one segment aliases it; one across
// segments is linearized.
func TestReadLineZeroCopy(t *testing.T) {
	mem := []byte("hello\nworld")
	var b Buffer
	b.AddReference(mem, nil)
	line, ok := b.ReadLine(EOLLF)
	if !ok || &line[0] != &mem[0] || cap(line) != len(line) {
		t.Fatalf("line %q was copied or not clipped", line)
	}
	b.AddString("!\n")
	line, ok = b.ReadLine(EOLLF)
	if !ok || string(line) != "world!" {
		t.Fatalf("line across segments = %q", line)
	}
}

func TestReadLineFileSegment(t *testing.T) {
	f := tempFile(t, []byte("from file\nsecond\r\n"))
	var b Buffer
	b.AddString(">")
	b.AddFile(f, 0, f.Size())
	for _, want := range []string{">from file", "second"} {
		if line, ok := b.ReadLine(EOLCRLF); !ok || string(line) != want {
			t.Fatalf("ReadLine = %q %v, want %q", line, ok, want)
		}
	}
}

func TestSearchEOLStartNeverLooksBack(t *testing.T) {
	b := segmented(t, false, "ab\r", "\ncd")
	var p Ptr
	b.PtrSet(&p, 3, PtrSetAbs) // at the LF
	got, n := b.SearchEOL(&p, EOLCRLF)
	if got.Pos != 3 || n != 1 {
		t.Fatalf("SearchEOL at LF = %d,%d, want 3,1", got.Pos, n)
	}
	got, n = b.SearchEOL(nil, EOLCRLF)
	if got.Pos != 2 || n != 2 {
		t.Fatalf("SearchEOL from front = %d,%d, want 2,2", got.Pos, n)
	}
	got, n = b.SearchEOL(&Ptr{Pos: 99}, EOLCRLF)
	if got.Pos != -1 || n != 0 {
		t.Fatalf("SearchEOL out of range = %d,%d", got.Pos, n)
	}
}
