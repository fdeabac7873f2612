// Package stats holds what every bench report needs: medians with their
// min–max, ratios of medians, number formatting, and reading one number per
// line from a run's output, the key=value numbers run scripts write, and
// the names of a run directory's files.
package stats

import (
	"bufio"
	"fmt"
	"math"
	"os"
	"slices"
	"strconv"
	"strings"
)

// Median of v (mean of the middle two for an even count); NaN when empty.
func Median(v []float64) float64 {
	if len(v) == 0 {
		return math.NaN()
	}
	s := slices.Clone(v)
	slices.Sort(s)
	m := len(s) / 2
	if len(s)%2 == 1 {
		return s[m]
	}
	return (s[m-1] + s[m]) / 2
}

// Cell is "median (min–max)" with each number formatted by f, or "–" when
// v is empty.
func Cell(v []float64, f func(float64) string) string {
	if len(v) == 0 {
		return "–"
	}
	return fmt.Sprintf("%s (%s–%s)", f(Median(v)), f(slices.Min(v)), f(slices.Max(v)))
}

// Ratio is x/base as "1.23x" (three decimals below 0.1), or "–" when either
// is missing.
func Ratio(x, base float64) string {
	if math.IsNaN(x) || math.IsNaN(base) || base == 0 {
		return "–"
	}
	if r := x / base; r < 0.1 {
		return fmt.Sprintf("%.3fx", r)
	}
	return fmt.Sprintf("%.2fx", x/base)
}

// Group rounds x to a whole number with thousands separators.
func Group(x float64) string {
	neg := x < 0
	s := strconv.FormatInt(int64(math.Abs(x)+0.5), 10)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	if neg {
		s = "-" + s
	}
	return s
}

// ReadNumbers reads one number per non-empty line of the file at path.
func ReadNumbers(path string) ([]float64, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var v []float64
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" {
			continue
		}
		x, err := strconv.ParseFloat(line, 64)
		if err != nil {
			return nil, fmt.Errorf("%s: %q is not a number", path, line)
		}
		v = append(v, x)
	}
	return v, sc.Err()
}
