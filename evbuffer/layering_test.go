package evbuffer

import (
	"os/exec"
	"strings"
	"testing"
)

// TestNoCoreImport: evbuffer is the currency of every layer and never
// depends on the event loop (internal/layering checks the whole module).
func TestNoCoreImport(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", ".").Output()
	if err != nil {
		t.Skipf("go list: %v", err)
	}
	for _, dep := range strings.Fields(string(out)) {
		if dep == "github.com/goevent/goevent/core" || strings.HasPrefix(dep, "github.com/goevent/goevent/core/") {
			t.Fatalf("evbuffer depends on %s", dep)
		}
	}
}
