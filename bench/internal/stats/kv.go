package stats

import (
	"errors"
	"fmt"
	"math"
	"os"
	"strconv"
	"strings"
)

// ErrKV reports a word of the form key=value whose key is empty or whose
// value is not a finite number.
var ErrKV = errors.New("stats: not key=number")

// ParseKV reads the whitespace-separated key=value numbers run scripts
// write (cpu_ticks=12 hz=100); words without "=" are skipped. Every value
// must be a finite number; every error wraps ErrKV.
func ParseKV(s string) (map[string]float64, error) {
	kv := map[string]float64{}
	for _, f := range strings.Fields(s) {
		k, v, ok := strings.Cut(f, "=")
		if !ok {
			continue
		}
		x, err := strconv.ParseFloat(v, 64)
		if err != nil || k == "" || math.IsNaN(x) || math.IsInf(x, 0) {
			return nil, fmt.Errorf("%w: %q", ErrKV, f)
		}
		kv[k] = x
	}
	return kv, nil
}

// ReadKV is ParseKV of the file at path.
func ReadKV(path string) (map[string]float64, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	kv, err := ParseKV(string(b))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return kv, nil
}
