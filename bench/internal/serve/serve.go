// Package serve holds what every server program of the adapter and
// websocket benchmarks does around its server: the -addr and -cpuprofile
// flags, an optional CPU profile, a line saying how the process runs
// (GOMAXPROCS and the CPUs it may use), and a clean stop on SIGTERM or
// SIGINT so the profile is complete.
package serve

import (
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime"
	"runtime/pprof"
	"syscall"

	"golang.org/x/sys/unix"
)

// StartProfile starts a CPU profile into path; the returned function stops
// it and closes the file. An empty path profiles nothing.
func StartProfile(path string) (stop func() error, err error) {
	if path == "" {
		return func() error { return nil }, nil
	}
	f, err := os.Create(path)
	if err != nil {
		return nil, fmt.Errorf("cpu profile: %w", err)
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return nil, fmt.Errorf("cpu profile: %w", err)
	}
	return func() error {
		pprof.StopCPUProfile()
		return f.Close()
	}, nil
}

// Describe writes one line of key=value facts about the process: its
// GOMAXPROCS, the number of CPUs in its affinity mask, and extra (already
// formatted key=value pairs).
func Describe(w io.Writer, extra string) error {
	var set unix.CPUSet
	cpus := -1
	if err := unix.SchedGetaffinity(0, &set); err == nil {
		cpus = set.Count()
	}
	_, err := fmt.Fprintf(w, "gomaxprocs=%d affinity_cpus=%d %s\n", runtime.GOMAXPROCS(0), cpus, extra)
	return err
}

// OnStop runs fn once, on its own goroutine, when the process gets SIGTERM
// or SIGINT.
func OnStop(fn func()) {
	ch := make(chan os.Signal, 1)
	signal.Notify(ch, syscall.SIGTERM, syscall.SIGINT)
	go func() {
		<-ch
		signal.Stop(ch)
		fn()
	}()
}
