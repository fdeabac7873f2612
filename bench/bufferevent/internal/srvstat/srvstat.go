// Package srvstat is the part every benchmark server shares: it raises
// RLIMIT_NOFILE to the hard limit and, on SIGUSR1, runs runtime.GC and
// debug.FreeOSMemory and writes the process's memory figures to a file,
// which the client reads to compute memory per idle connection.
package srvstat

import (
	"fmt"
	"os"
	"os/signal"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"syscall"
)

// RaiseNoFile sets the soft RLIMIT_NOFILE to the hard limit (Go does this
// at startup too on Linux; doing it here makes it explicit) and returns it.
func RaiseNoFile() uint64 {
	var r syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &r); err != nil {
		return 0
	}
	r.Cur = r.Max
	_ = syscall.Setrlimit(syscall.RLIMIT_NOFILE, &r)
	return r.Cur
}

// Serve starts a goroutine that, on each SIGUSR1, collects garbage, returns
// free memory to the OS and writes one line
//
//	rss=BYTES heap_alloc=BYTES heap_inuse=BYTES stack_inuse=BYTES goroutines=N
//
// to path (through path.tmp and a rename, so a reader never sees half a
// line). An empty path turns it off.
func Serve(path string) {
	if path == "" {
		return
	}
	ch := make(chan os.Signal, 1)
	signal.Notify(ch, syscall.SIGUSR1)
	go func() {
		for range ch {
			runtime.GC()
			debug.FreeOSMemory()
			var ms runtime.MemStats
			runtime.ReadMemStats(&ms)
			line := fmt.Sprintf("rss=%d heap_alloc=%d heap_inuse=%d stack_inuse=%d goroutines=%d\n",
				vmRSS(), ms.HeapAlloc, ms.HeapInuse, ms.StackInuse, runtime.NumGoroutine())
			tmp := path + ".tmp"
			if err := os.WriteFile(tmp, []byte(line), 0o644); err != nil {
				fmt.Fprintln(os.Stderr, "srvstat:", err)
				continue
			}
			if err := os.Rename(tmp, path); err != nil {
				fmt.Fprintln(os.Stderr, "srvstat:", err)
			}
		}
	}()
}

// vmRSS is VmRSS from /proc/self/status, in bytes (0 if unreadable).
func vmRSS() int64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, l := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(l, "VmRSS:"); ok {
			f := strings.Fields(rest)
			if len(f) > 0 {
				kb, _ := strconv.ParseInt(f[0], 10, 64)
				return kb << 10
			}
		}
	}
	return 0
}
