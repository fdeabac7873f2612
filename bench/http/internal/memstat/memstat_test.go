package memstat

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

func TestReportOnSignal(t *testing.T) {
	path := filepath.Join(t.TempDir(), "stats")
	ReportOnSignal(path)
	if err := syscall.Kill(os.Getpid(), syscall.SIGUSR1); err != nil {
		t.Fatal(err)
	}
	var b []byte
	for deadline := time.Now().Add(10 * time.Second); ; {
		var err error
		if b, err = os.ReadFile(path); err == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("no figures after SIGUSR1:", err)
		}
		time.Sleep(10 * time.Millisecond)
	}
	got := map[string]int64{}
	for _, f := range strings.Fields(string(b)) {
		k, v, _ := strings.Cut(f, "=")
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			t.Fatalf("%q: %v", f, err)
		}
		got[k] = n
	}
	for _, k := range []string{"rss", "heap_inuse", "heap_alloc", "stack_inuse", "goroutines"} {
		if got[k] <= 0 {
			t.Errorf("%s = %d, want > 0 (line %q)", k, got[k], b)
		}
	}
}

func TestRaiseNoFile(t *testing.T) {
	if err := RaiseNoFile(); err != nil {
		t.Fatal(err)
	}
	var r syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &r); err != nil {
		t.Fatal(err)
	}
	if r.Cur != r.Max {
		t.Errorf("soft limit %d, want the hard limit %d", r.Cur, r.Max)
	}
}
