package evbuffer

import (
	"bytes"
	"fmt"
	"os"
	"runtime"
	"testing"
	"time"
)

// TestMain fails the run when a goroutine started by a test outlives every
// test (evbuffer itself starts none).
func TestMain(m *testing.M) {
	code := m.Run()
	if code == 0 {
		deadline := time.Now().Add(5 * time.Second)
		for {
			left := testGoroutines()
			if len(left) == 0 {
				break
			}
			if time.Now().After(deadline) {
				fmt.Fprintf(os.Stderr, "evbuffer: %d goroutines leaked:\n%s\n", len(left), bytes.Join(left, []byte("\n\n")))
				code = 1
				break
			}
			time.Sleep(10 * time.Millisecond)
		}
	}
	os.Exit(code)
}

// testGoroutines returns the stacks of other goroutines running goevent
// code.
func testGoroutines() [][]byte {
	buf := make([]byte, 1<<20)
	buf = buf[:runtime.Stack(buf, true)]
	var out [][]byte
	for i, g := range bytes.Split(buf, []byte("\n\n")) {
		if i > 0 && bytes.Contains(g, []byte("github.com/goevent/goevent/")) {
			out = append(out, g)
		}
	}
	return out
}
