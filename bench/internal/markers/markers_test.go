package markers

import (
	"errors"
	"strings"
	"testing"
)

const doc = `# Results

## HTTP server

Hand-written intro.

<!-- bench/run http begin -->
old table
<!-- bench/run http end -->

Notes: the analysis, kept.
`

func TestSpliceReplaces(t *testing.T) {
	got, err := Splice(doc, "http", "HTTP server", "new table\nsecond line\n\n")
	if err != nil {
		t.Fatal(err)
	}
	want := strings.Replace(doc, "old table\n", "new table\nsecond line\n", 1)
	if got != want {
		t.Errorf("Splice =\n%s\nwant\n%s", got, want)
	}
	if b, ok := Block(got, "http"); !ok || b != "new table\nsecond line\n" {
		t.Errorf("Block = %q, %v", b, ok)
	}
	// Splicing the same block again changes nothing.
	again, err := Splice(got, "http", "HTTP server", "new table\nsecond line\n")
	if err != nil || again != got {
		t.Errorf("second Splice changed the document: %v\n%s", err, again)
	}
}

func TestSpliceAppends(t *testing.T) {
	got, err := Splice(doc, "rpc", "RPC", "rpc table")
	if err != nil {
		t.Fatal(err)
	}
	want := doc + "\n## RPC\n\n<!-- bench/run rpc begin -->\nrpc table\n<!-- bench/run rpc end -->\n"
	if got != want {
		t.Errorf("Splice =\n%s\nwant\n%s", got, want)
	}
	if b, ok := Block(doc, "rpc"); ok {
		t.Errorf("Block of a suite with no markers = %q, true", b)
	}
}

func TestSpliceMalformed(t *testing.T) {
	for _, tc := range []struct{ name, doc, suite string }{
		{"only begin", "a\n" + Begin("x") + "\nb\n", "x"},
		{"only end", "a\n" + End("x") + "\n", "x"},
		{"two blocks", Begin("x") + "\n" + End("x") + "\n" + Begin("x") + "\n" + End("x") + "\n", "x"},
		{"end first", End("x") + "\nb\n" + Begin("x") + "\n", "x"},
		{"bad suite", doc, "a b"},
		{"empty suite", doc, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := Splice(tc.doc, tc.suite, "X", "block"); !errors.Is(err, ErrMarkers) {
				t.Errorf("Splice = %v, want ErrMarkers", err)
			}
		})
	}
}

func TestMarkerMustBeWholeLine(t *testing.T) {
	// A marker quoted inside prose is not a marker.
	d := "see `" + Begin("x") + "` for how\n"
	got, err := Splice(d, "x", "X", "b")
	if err != nil || !strings.HasPrefix(got, d) || !strings.Contains(got, "\n## X\n") {
		t.Errorf("Splice = %q, %v; want the block appended", got, err)
	}
}

func FuzzSplice(f *testing.F) {
	f.Add(doc, "http", "block")
	f.Add(Begin("a")+"\n"+End("a"), "a", "")
	f.Fuzz(func(t *testing.T, d, suite, block string) {
		out, err := Splice(d, suite, "H", block)
		if err != nil {
			return
		}
		if strings.Contains(block, Begin(suite)) || strings.Contains(block, End(suite)) {
			return
		}
		got, ok := Block(out, suite)
		if !ok {
			t.Fatalf("no block after Splice of %q", d)
		}
		if want := strings.TrimRight(block, "\n") + "\n"; got != want {
			t.Fatalf("Block = %q, want %q", got, want)
		}
	})
}
