package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/goevent/goevent/bench/internal/markers"
	"github.com/goevent/goevent/bench/internal/summary"
)

func TestChartAndSplice(t *testing.T) {
	dir := t.TempDir()
	tsv := filepath.Join(dir, "summary.tsv")
	doc := filepath.Join(dir, "RESULTS.md")
	block := filepath.Join(dir, "block.md")
	svg := filepath.Join(dir, "charts.svg")
	write := func(path, s string) {
		t.Helper()
		if err := os.WriteFile(path, []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write(tsv, summary.Header+"\ncore\tn100_a100\tgoevent\tround_time\tus\t615\t601\t790\tlower\n")
	write(doc, "# R\n\nprose\n\n"+markers.Begin("core")+"\nold\n"+markers.End("core")+"\n\nanalysis\n")
	write(block, "new table\n\n![core](charts/core.svg)\n")

	if err := drawChart([]string{"-suite", "core", "-o", svg, tsv}); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(svg)
	if err != nil || !strings.HasPrefix(string(b), "<svg ") || !strings.Contains(string(b), ">615<") {
		t.Errorf("chart = %.80q, %v", b, err)
	}

	if err := splice([]string{"-suite", "core", "-block", block, "-o", doc, doc}); err != nil {
		t.Fatal(err)
	}
	b, err = os.ReadFile(doc)
	want := "# R\n\nprose\n\n" + markers.Begin("core") + "\nnew table\n\n![core](charts/core.svg)\n" + markers.End("core") + "\n\nanalysis\n"
	if err != nil || string(b) != want {
		t.Errorf("RESULTS.md =\n%s\nwant\n%s", b, want)
	}
	if leftovers, _ := filepath.Glob(filepath.Join(dir, ".runtool-*")); len(leftovers) > 0 {
		t.Errorf("temporary files left: %v", leftovers)
	}

	write(tsv, "not a summary\n")
	if err := drawChart([]string{"-suite", "core", "-o", svg, tsv}); err == nil {
		t.Error("chart of a malformed summary succeeded")
	}
}
