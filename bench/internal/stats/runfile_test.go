package stats

import (
	"os"
	"path/filepath"
	"slices"
	"testing"
)

func TestRunFiles(t *testing.T) {
	dir := t.TempDir()
	for _, name := range []string{"json_goevent_1.txt", "json_nethttp_2.txt", "json_goevent_1.wrk",
		"idle_x.txt", "a_b_c_d.txt", "summary.tsv"} {
		if err := os.WriteFile(filepath.Join(dir, name), nil, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	got, err := RunFiles(dir, ".txt")
	if err != nil {
		t.Fatal(err)
	}
	want := []RunFile{
		{filepath.Join(dir, "json_goevent_1.txt"), "json", "goevent", "1"},
		{filepath.Join(dir, "json_nethttp_2.txt"), "json", "nethttp", "2"},
	}
	if !slices.Equal(got, want) {
		t.Errorf("RunFiles = %v, want %v", got, want)
	}
	if got, err := RunFiles(t.TempDir(), ".txt"); err != nil || len(got) != 0 {
		t.Errorf("RunFiles(empty) = %v, %v", got, err)
	}
}
