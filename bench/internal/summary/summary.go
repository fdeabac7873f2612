// Package summary reads and writes summary.tsv, the one machine-readable
// result file every bench suite leaves beside its markdown tables: one line
// per (test, subject) with the median and min–max of one metric. bench/run
// draws its charts from it.
package summary

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"slices"
	"strconv"
	"strings"

	"github.com/goevent/goevent/bench/internal/stats"
)

// Header is the first line of every summary.tsv.
const Header = "suite\ttest\tsubject\tmetric\tunit\tmedian\tlow\thigh\tbetter"

// FileName is the name of the summary file in a suite's output directory.
const FileName = "summary.tsv"

// Lower and Higher are the values of Row.Better.
const (
	Lower  = "lower"
	Higher = "higher"
)

// ErrMalformed is wrapped by every error Read returns for a file that is not
// a well-formed summary.
var ErrMalformed = errors.New("malformed summary")

// A Row is one line of summary.tsv: a metric of one subject in one test.
type Row struct {
	Suite   string  // the suite directory, e.g. "http"
	Test    string  // the test within the suite, e.g. "plain"
	Subject string  // the program measured; "goevent" or "goevent-…" is ours
	Metric  string  // what is measured, e.g. "cpu_per_req"
	Unit    string  // the unit of Median, Low and High, e.g. "us"
	Median  float64 // the median of the runs
	Low     float64 // the smallest run
	High    float64 // the largest run
	Better  string  // Lower or Higher
}

// Ours reports whether the row measures goevent rather than a peer.
func (r Row) Ours() bool {
	return r.Subject == "goevent" || strings.HasPrefix(r.Subject, "goevent-")
}

// FromRuns is the row for the runs v, and false when v is empty.
func FromRuns(suite, test, subject, metric, unit, better string, v []float64) (Row, bool) {
	if len(v) == 0 {
		return Row{}, false
	}
	return Row{
		Suite: suite, Test: test, Subject: subject, Metric: metric, Unit: unit,
		Median: stats.Median(v), Low: slices.Min(v), High: slices.Max(v), Better: better,
	}, true
}

// Write writes the header and rows to w, each figure with at most six
// significant digits.
func Write(w io.Writer, rows []Row) error {
	return write(w, rows, number)
}

// WriteRounded is Write with each figure rounded to three decimals instead,
// the precision the static and dnsd suites write.
func WriteRounded(w io.Writer, rows []Row) error {
	return write(w, rows, rounded)
}

func write(w io.Writer, rows []Row, format func(float64) string) error {
	bw := bufio.NewWriter(w)
	fmt.Fprintln(bw, Header)
	for _, r := range rows {
		if err := r.check(); err != nil {
			return err
		}
		fmt.Fprintf(bw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", r.Suite, r.Test, r.Subject,
			r.Metric, r.Unit, format(r.Median), format(r.Low), format(r.High), r.Better)
	}
	return bw.Flush()
}

// WriteFile writes the rows to DIR/summary.tsv.
func WriteFile(dir string, rows []Row) error {
	return Save(dir+"/"+FileName, rows, Write)
}

// Save writes the rows with write (Write or WriteRounded) to a file it
// creates at path.
func Save(path string, rows []Row, write func(io.Writer, []Row) error) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := write(f, rows); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// Read parses a summary: the header line, then one row per line. Empty
// lines are skipped.
func Read(r io.Reader) ([]Row, error) {
	sc := bufio.NewScanner(r)
	if !sc.Scan() {
		if err := sc.Err(); err != nil {
			return nil, err
		}
		return nil, fmt.Errorf("%w: empty, want the header line", ErrMalformed)
	}
	if strings.TrimRight(sc.Text(), "\r") != Header {
		return nil, fmt.Errorf("%w: first line %q is not the header", ErrMalformed, sc.Text())
	}
	var rows []Row
	for line := 2; sc.Scan(); line++ {
		text := strings.TrimRight(sc.Text(), "\r")
		if text == "" {
			continue
		}
		row, err := parseRow(text)
		if err != nil {
			return nil, fmt.Errorf("line %d: %w", line, err)
		}
		rows = append(rows, row)
	}
	return rows, sc.Err()
}

// ReadFile reads the summary at path.
func ReadFile(path string) ([]Row, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	rows, err := Read(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return rows, nil
}

func parseRow(text string) (Row, error) {
	f := strings.Split(text, "\t")
	if len(f) != 9 {
		return Row{}, fmt.Errorf("%w: %d fields, want 9", ErrMalformed, len(f))
	}
	var num [3]float64
	for i, s := range f[5:8] {
		x, err := strconv.ParseFloat(s, 64)
		if err != nil || math.IsNaN(x) || math.IsInf(x, 0) {
			return Row{}, fmt.Errorf("%w: %q is not a finite number", ErrMalformed, s)
		}
		num[i] = x
	}
	r := Row{
		Suite: f[0], Test: f[1], Subject: f[2], Metric: f[3], Unit: f[4],
		Median: num[0], Low: num[1], High: num[2], Better: f[8],
	}
	return r, r.check()
}

// check reports whether r can be written and read back as it is.
func (r Row) check() error {
	for _, s := range []string{r.Suite, r.Test, r.Subject, r.Metric, r.Unit} {
		if s == "" || strings.ContainsAny(s, "\t\r\n") {
			return fmt.Errorf("%w: field %q is empty or holds a tab or newline", ErrMalformed, s)
		}
	}
	if r.Better != Lower && r.Better != Higher {
		return fmt.Errorf("%w: better is %q, want %q or %q", ErrMalformed, r.Better, Lower, Higher)
	}
	for _, x := range []float64{r.Median, r.Low, r.High} {
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return fmt.Errorf("%w: %v is not a finite number", ErrMalformed, x)
		}
	}
	if r.Low > r.Median || r.Median > r.High {
		return fmt.Errorf("%w: want low ≤ median ≤ high, have %v, %v, %v", ErrMalformed, r.Low, r.Median, r.High)
	}
	return nil
}

// number formats x with at most six significant digits and no exponent.
func number(x float64) string {
	r, _ := strconv.ParseFloat(strconv.FormatFloat(x, 'g', 6, 64), 64)
	return strconv.FormatFloat(r, 'f', -1, 64)
}

// rounded formats x rounded to three decimals, without trailing zeros.
func rounded(x float64) string {
	return strconv.FormatFloat(math.Round(x*1000)/1000, 'f', -1, 64)
}
