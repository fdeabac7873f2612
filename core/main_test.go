package core

import (
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/goevent/goevent/internal/looptest"
)

// leakMatch picks the goroutines that belong to goevent or to its tests:
// core's signal forwarders and loops, and anything a test started.
var leakMatch = []string{"github.com/goevent/goevent/"}

// TestMain fails the package run when goroutines started by core or by its
// tests outlive every test (net/http's afterTest, miekg/dns leak_test.go).
func TestMain(m *testing.M) {
	code := m.Run()
	if code == 0 {
		if left := looptest.WaitGoroutines(5*time.Second, leakMatch...); len(left) > 0 {
			fmt.Fprintf(os.Stderr, "core: %d goroutines leaked:\n%s\n", len(left), strings.Join(left, "\n\n"))
			code = 1
		}
	}
	os.Exit(code)
}
