package stats

import (
	"os"
	"path/filepath"
	"testing"
)

func TestStartLines(t *testing.T) {
	dir := t.TempDir()
	for name, line := range map[string]string{
		"goevent": "gomaxprocs=1 affinity_cpus=1 workers=4\n",
		"nethttp": "gomaxprocs=1 affinity_cpus=1 \n",
	} {
		if err := os.WriteFile(filepath.Join(dir, "process_"+name+".txt"), []byte(line), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	got := StartLines(dir, []string{"goevent", "absent", "nethttp"})
	want := "goevent: `gomaxprocs=1 affinity_cpus=1 workers=4`; nethttp: `gomaxprocs=1 affinity_cpus=1`"
	if got != want {
		t.Errorf("StartLines = %q, want %q", got, want)
	}
	if got := StartLines(t.TempDir(), []string{"goevent"}); got != "" {
		t.Errorf("StartLines of an empty dir = %q", got)
	}
}
