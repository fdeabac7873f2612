// Command runtool is bench/run's helper: it draws a suite's chart from its
// summary.tsv and splices a suite's generated block into RESULTS.md.
//
// Usage:
//
//	runtool chart -suite SUITE -o OUT.svg SUMMARY.tsv
//	runtool splice -suite SUITE -heading TITLE -block FILE -o OUT.md RESULTS.md
//
// splice keeps everything outside the suite's markers; a document without
// them gets a new section "## TITLE" at its end. OUT may be RESULTS.md.
package main

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"path/filepath"

	"github.com/goevent/goevent/bench/internal/chart"
	"github.com/goevent/goevent/bench/internal/markers"
	"github.com/goevent/goevent/bench/internal/summary"
)

func main() {
	if len(os.Args) < 2 {
		usage()
	}
	var err error
	switch os.Args[1] {
	case "chart":
		err = drawChart(os.Args[2:])
	case "splice":
		err = splice(os.Args[2:])
	default:
		usage()
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "runtool:", err)
		os.Exit(1)
	}
}

func usage() {
	fmt.Fprintln(os.Stderr, "usage: runtool chart -suite SUITE -o OUT.svg SUMMARY.tsv\n"+
		"       runtool splice -suite SUITE -heading TITLE -block FILE -o OUT.md RESULTS.md")
	os.Exit(2)
}

func drawChart(args []string) error {
	fs := flag.NewFlagSet("chart", flag.ExitOnError)
	suite := fs.String("suite", "", "the suite's name, for the title")
	out := fs.String("o", "", "the SVG file to write")
	fs.Parse(args)
	if *suite == "" || *out == "" || fs.NArg() != 1 {
		usage()
	}
	rows, err := summary.ReadFile(fs.Arg(0))
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	if err := chart.SVG(&buf, *suite, rows); err != nil {
		return fmt.Errorf("%s: %w", fs.Arg(0), err)
	}
	return writeFile(*out, buf.Bytes())
}

func splice(args []string) error {
	fs := flag.NewFlagSet("splice", flag.ExitOnError)
	suite := fs.String("suite", "", "the suite whose block to replace")
	heading := fs.String("heading", "", "the section title for a suite with no block yet")
	blockFile := fs.String("block", "", "the file holding the new block")
	out := fs.String("o", "", "the document to write")
	fs.Parse(args)
	if *suite == "" || *blockFile == "" || *out == "" || fs.NArg() != 1 {
		usage()
	}
	if *heading == "" {
		*heading = *suite
	}
	doc, err := os.ReadFile(fs.Arg(0))
	if err != nil {
		return err
	}
	block, err := os.ReadFile(*blockFile)
	if err != nil {
		return err
	}
	s, err := markers.Splice(string(doc), *suite, *heading, string(block))
	if err != nil {
		return fmt.Errorf("%s: %w", fs.Arg(0), err)
	}
	return writeFile(*out, []byte(s))
}

// writeFile replaces path's content in one rename, so a failure never
// leaves half a RESULTS.md.
func writeFile(path string, b []byte) error {
	f, err := os.CreateTemp(filepath.Dir(path), ".runtool-*")
	if err != nil {
		return err
	}
	if _, err := f.Write(b); err != nil {
		f.Close()
		os.Remove(f.Name())
		return err
	}
	if err := f.Close(); err != nil {
		os.Remove(f.Name())
		return err
	}
	if err := os.Chmod(f.Name(), 0o644); err != nil {
		os.Remove(f.Name())
		return err
	}
	return os.Rename(f.Name(), path)
}
