package stats

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// StartLines reads DIR/process_NAME.txt, the line a server printed at
// start (as bench/internal/serve.Describe writes it), for each name, and
// returns them as "NAME: `LINE`" joined by "; ". Names without a file are
// left out; with none at all the result is empty.
func StartLines(dir string, names []string) string {
	var lines []string
	for _, name := range names {
		b, err := os.ReadFile(filepath.Join(dir, "process_"+name+".txt"))
		if err != nil {
			continue
		}
		lines = append(lines, fmt.Sprintf("%s: `%s`", name, strings.TrimSpace(string(b))))
	}
	return strings.Join(lines, "; ")
}
