// Package markers replaces the generated blocks of bench/RESULTS.md. A
// suite's block lives between two HTML comments,
//
//	<!-- bench/run SUITE begin -->
//	...
//	<!-- bench/run SUITE end -->
//
// and everything outside the markers (the hand-written analysis) is kept.
package markers

import (
	"errors"
	"fmt"
	"strings"
)

// ErrMarkers is wrapped by the errors of Splice for a document whose
// markers of the suite are not one begin followed by one end.
var ErrMarkers = errors.New("markers out of order")

// Begin is the line that opens suite's block.
func Begin(suite string) string { return "<!-- bench/run " + suite + " begin -->" }

// End is the line that closes suite's block.
func End(suite string) string { return "<!-- bench/run " + suite + " end -->" }

// Splice returns doc with suite's block replaced by block. A document with
// no markers for suite gets a new section at its end, titled heading. The
// markers must stand on lines of their own.
func Splice(doc, suite, heading, block string) (string, error) {
	if strings.ContainsAny(suite, " \n") || suite == "" {
		return "", fmt.Errorf("%w: bad suite name %q", ErrMarkers, suite)
	}
	begin, end := Begin(suite), End(suite)
	block = strings.TrimRight(block, "\n") + "\n"
	nb, ne := countLines(doc, begin), countLines(doc, end)
	switch {
	case nb == 0 && ne == 0:
		out := strings.TrimRight(doc, "\n")
		if out != "" {
			out += "\n\n"
		}
		return out + "## " + heading + "\n\n" + begin + "\n" + block + end + "\n", nil
	case nb != 1 || ne != 1:
		return "", fmt.Errorf("%w: %s: %d begin and %d end markers, want one of each", ErrMarkers, suite, nb, ne)
	}
	i := lineIndex(doc, begin)
	j := lineIndex(doc, end)
	if j < i {
		return "", fmt.Errorf("%w: %s: the end marker comes before the begin marker", ErrMarkers, suite)
	}
	head := doc[:i+len(begin)]
	return head + "\n" + block + doc[j:], nil
}

// Block returns suite's block in doc, without the markers, and whether it
// has one.
func Block(doc, suite string) (string, bool) {
	begin, end := Begin(suite), End(suite)
	if countLines(doc, begin) != 1 || countLines(doc, end) != 1 {
		return "", false
	}
	i, j := lineIndex(doc, begin)+len(begin)+1, lineIndex(doc, end)
	if j < i {
		return "", false
	}
	return doc[i:j], true
}

// countLines counts the lines of doc that are exactly line.
func countLines(doc, line string) int {
	n := 0
	for l := range strings.Lines(doc) {
		if strings.TrimRight(l, "\r\n") == line {
			n++
		}
	}
	return n
}

// lineIndex is the byte offset of the first line of doc that is exactly
// line, or -1.
func lineIndex(doc, line string) int {
	off := 0
	for l := range strings.Lines(doc) {
		if strings.TrimRight(l, "\r\n") == line {
			return off
		}
		off += len(l)
	}
	return -1
}
