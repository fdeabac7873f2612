// Package memstat is what the Go servers of the HTTP benchmark share: a
// raised file-descriptor limit and, on SIGUSR1, a report of the process's
// memory after runtime.GC and debug.FreeOSMemory, which run.sh reads before
// and after opening the idle connections.
package memstat

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"os/signal"
	"runtime"
	"runtime/debug"
	"strconv"
	"syscall"
)

// RaiseNoFile sets the soft RLIMIT_NOFILE to the hard limit, so one server
// can hold the idle test's 10,000 connections.
func RaiseNoFile() error {
	var r syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &r); err != nil {
		return fmt.Errorf("memstat: getrlimit: %w", err)
	}
	r.Cur = r.Max
	if err := syscall.Setrlimit(syscall.RLIMIT_NOFILE, &r); err != nil {
		return fmt.Errorf("memstat: setrlimit: %w", err)
	}
	return nil
}

// ReportOnSignal starts a goroutine that, on every SIGUSR1, collects
// garbage, returns free memory to the OS and writes one line
//
//	rss=B heap_inuse=B heap_alloc=B stack_inuse=B goroutines=N
//
// to path, through path.tmp and a rename so that a reader never sees half a
// line. An empty path does nothing.
func ReportOnSignal(path string) {
	if path == "" {
		return
	}
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGUSR1)
	go func() {
		for range sig {
			if err := write(path); err != nil {
				fmt.Fprintln(os.Stderr, err)
			}
		}
	}()
}

func write(path string) error {
	runtime.GC()
	debug.FreeOSMemory()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	rss, err := vmRSS()
	if err != nil {
		return err
	}
	line := fmt.Sprintf("rss=%d heap_inuse=%d heap_alloc=%d stack_inuse=%d goroutines=%d\n",
		rss, ms.HeapInuse, ms.HeapAlloc, ms.StackInuse, runtime.NumGoroutine())
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, []byte(line), 0o644); err != nil {
		return fmt.Errorf("memstat: %w", err)
	}
	if err := os.Rename(tmp, path); err != nil {
		return fmt.Errorf("memstat: %w", err)
	}
	return nil
}

// vmRSS returns VmRSS from /proc/self/status in bytes.
func vmRSS() (int64, error) {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0, fmt.Errorf("memstat: %w", err)
	}
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		rest, ok := bytes.CutPrefix(sc.Bytes(), []byte("VmRSS:"))
		if !ok {
			continue
		}
		f := bytes.Fields(rest)
		if len(f) == 0 {
			break
		}
		kb, err := strconv.ParseInt(string(f[0]), 10, 64)
		if err != nil {
			return 0, fmt.Errorf("memstat: VmRSS: %w", err)
		}
		return kb << 10, nil
	}
	return 0, fmt.Errorf("memstat: no VmRSS in /proc/self/status")
}
