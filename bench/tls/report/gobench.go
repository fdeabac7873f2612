package main

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
)

// ErrMalformed is wrapped by the errors of parseBench for a result line
// that is not Go's benchmark format.
var ErrMalformed = errors.New("malformed benchmark line")

// A result is one line of `go test -bench` output.
type result struct {
	name    string             // without "Benchmark" and the -GOMAXPROCS suffix
	n       int                // iterations
	metrics map[string]float64 // unit (ns/op, MB/s, B/op, allocs/op, ...) -> value
}

// parseBench reads the result lines of `go test -bench` output:
//
//	BenchmarkName[-P] N VALUE UNIT [VALUE UNIT]...
//
// Other lines (goos:, PASS, ok, logs, a name alone before a benchmark's
// log output) are skipped.
func parseBench(r io.Reader) ([]result, error) {
	var out []result
	sc := bufio.NewScanner(r)
	for line := 1; sc.Scan(); line++ {
		f := strings.Fields(sc.Text())
		if len(f) < 2 || !strings.HasPrefix(f[0], "Benchmark") {
			continue
		}
		res, err := parseLine(f)
		if err != nil {
			return nil, fmt.Errorf("line %d: %w", line, err)
		}
		out = append(out, res)
	}
	return out, sc.Err()
}

func parseLine(f []string) (result, error) {
	name := strings.TrimPrefix(f[0], "Benchmark")
	if i := strings.LastIndexByte(name, '-'); i > 0 {
		if _, err := strconv.Atoi(name[i+1:]); err == nil {
			name = name[:i]
		}
	}
	if name == "" {
		return result{}, fmt.Errorf("%w: no name in %q", ErrMalformed, f[0])
	}
	n, err := strconv.Atoi(f[1])
	if err != nil || n <= 0 {
		return result{}, fmt.Errorf("%w: %q is not an iteration count", ErrMalformed, f[1])
	}
	rest := f[2:]
	if len(rest) == 0 || len(rest)%2 != 0 {
		return result{}, fmt.Errorf("%w: want VALUE UNIT pairs after the count, have %q", ErrMalformed, strings.Join(rest, " "))
	}
	m := make(map[string]float64, len(rest)/2)
	for i := 0; i < len(rest); i += 2 {
		x, err := strconv.ParseFloat(rest[i], 64)
		if err != nil || math.IsNaN(x) || math.IsInf(x, 0) {
			return result{}, fmt.Errorf("%w: %q is not a number", ErrMalformed, rest[i])
		}
		m[rest[i+1]] = x
	}
	return result{name: name, n: n, metrics: m}, nil
}

// split names a result's test and subject: the first element of the name
// and every element after the second make the test, the second is the
// subject ("Handshake/goevent/TLS_1.3": test "handshake-TLS_1.3", subject
// "goevent"). A name of one element is its own test with subject "go".
func split(name string) (test, subject string) {
	parts := strings.Split(name, "/")
	test = strings.ToLower(parts[0])
	if len(parts) == 1 {
		return test, "go"
	}
	for _, p := range parts[2:] {
		test += "-" + p
	}
	return test, parts[1]
}
