package stats

import (
	"path/filepath"
	"strings"
)

// RunFile is one run's raw file, named TEST_SUBJECT_ROUND.EXT by the run
// scripts.
type RunFile struct {
	Path                 string
	Test, Subject, Round string
}

// RunFiles lists the files in dir named TEST_SUBJECT_ROUND.ext (ext with
// its dot, as ".txt"), in the order of their names. Names with more or
// fewer than three parts are left out.
func RunFiles(dir, ext string) ([]RunFile, error) {
	paths, err := filepath.Glob(filepath.Join(dir, "*_*_*"+ext))
	if err != nil {
		return nil, err
	}
	var runs []RunFile
	for _, p := range paths {
		parts := strings.Split(strings.TrimSuffix(filepath.Base(p), ext), "_")
		if len(parts) != 3 {
			continue
		}
		runs = append(runs, RunFile{Path: p, Test: parts[0], Subject: parts[1], Round: parts[2]})
	}
	return runs, nil
}
