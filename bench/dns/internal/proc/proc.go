// Package proc reads what the DNS benchmark's programs measure about
// themselves from /proc/self, and raises their file-descriptor limit.
package proc

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"strconv"
	"syscall"
)

// CPUTicks returns utime+stime of this process (all its threads) from
// /proc/self/stat, in clock ticks.
func CPUTicks() (int64, error) {
	b, err := os.ReadFile("/proc/self/stat")
	if err != nil {
		return 0, fmt.Errorf("proc: %w", err)
	}
	// After "pid (comm) " the state is field 1, utime 12 and stime 13;
	// comm may hold spaces and parentheses, so cut at the last ')'.
	i := bytes.LastIndexByte(b, ')')
	if i < 0 {
		return 0, errors.New("proc: malformed /proc/self/stat")
	}
	f := bytes.Fields(b[i+1:])
	if len(f) < 13 {
		return 0, errors.New("proc: short /proc/self/stat")
	}
	u, err1 := strconv.ParseInt(string(f[11]), 10, 64)
	s, err2 := strconv.ParseInt(string(f[12]), 10, 64)
	if err := errors.Join(err1, err2); err != nil {
		return 0, fmt.Errorf("proc: /proc/self/stat: %w", err)
	}
	return u + s, nil
}

// RSS returns VmRSS from /proc/self/status in bytes.
func RSS() (int64, error) { return statusBytes("VmRSS:") }

// PeakRSS returns VmHWM from /proc/self/status in bytes: the most
// resident memory the process has had.
func PeakRSS() (int64, error) { return statusBytes("VmHWM:") }

// statusBytes reads the kB field key of /proc/self/status in bytes.
func statusBytes(key string) (int64, error) {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0, fmt.Errorf("proc: %w", err)
	}
	return parseStatus(b, key)
}

// parseStatus finds the line starting with key in the text of a
// /proc/PID/status file and returns its value, given in kB, in bytes.
func parseStatus(b []byte, key string) (int64, error) {
	for line := range bytes.Lines(b) {
		rest, ok := bytes.CutPrefix(line, []byte(key))
		if !ok {
			continue
		}
		f := bytes.Fields(rest)
		if len(f) == 0 {
			break
		}
		kb, err := strconv.ParseInt(string(f[0]), 10, 64)
		if err != nil {
			return 0, fmt.Errorf("proc: %s %w", key, err)
		}
		return kb << 10, nil
	}
	return 0, fmt.Errorf("proc: no %s in /proc/self/status", key)
}

// RaiseNoFile sets the soft RLIMIT_NOFILE to the hard limit, so that
// 10,000 lookups in flight, each on its own socket, fit.
func RaiseNoFile() error {
	var r syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &r); err != nil {
		return fmt.Errorf("proc: getrlimit: %w", err)
	}
	r.Cur = r.Max
	if err := syscall.Setrlimit(syscall.RLIMIT_NOFILE, &r); err != nil {
		return fmt.Errorf("proc: setrlimit: %w", err)
	}
	return nil
}
