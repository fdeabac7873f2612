package sendfile

import (
	"errors"
	"reflect"
	"strings"
	"testing"
)

func TestParseRange(t *testing.T) {
	r := func(start, length int64) Range { return Range{start, length} }
	cases := []struct {
		header string
		size   int64
		want   []Range
		err    error
	}{
		{"bytes=0-499", 1234, []Range{r(0, 500)}, nil},
		{"bytes=500-999", 1234, []Range{r(500, 500)}, nil},
		{"bytes=500-", 1234, []Range{r(500, 734)}, nil},
		{"bytes=-500", 1234, []Range{r(734, 500)}, nil},
		{"bytes=-5000", 1234, []Range{r(0, 1234)}, nil},     // suffix longer than the file: all of it
		{"bytes=0-99999", 1234, []Range{r(0, 1234)}, nil},   // end clamped
		{"bytes=1233-1233", 1234, []Range{r(1233, 1)}, nil}, // last byte
		{"bytes=0-0,-1", 1234, []Range{r(0, 1), r(1233, 1)}, nil},
		{"BYTES=0-0", 10, []Range{r(0, 1)}, nil},
		{"Bytes=0-0", 10, []Range{r(0, 1)}, nil},
		{"  bytes=0-1 \t", 10, []Range{r(0, 2)}, nil},
		{"bytes=0-1 , 3-4", 10, []Range{r(0, 2), r(3, 2)}, nil},
		{"bytes=0-1,\t3-4", 10, []Range{r(0, 2), r(3, 2)}, nil},
		{"bytes=,0-1,,", 10, []Range{r(0, 2)}, nil},             // empty list elements ignored
		{"bytes=5-9,0-4", 10, []Range{r(5, 5), r(0, 5)}, nil},   // order kept
		{"bytes=0-9,0-9", 10, []Range{r(0, 10), r(0, 10)}, nil}, // 2x: at the limit
		{"bytes=20-30,0-1", 10, []Range{r(0, 2)}, nil},          // unsatisfiable one dropped
		{"bytes=0-99999999999999999999999", 10, []Range{r(0, 10)}, nil},
		{"bytes=-99999999999999999999999", 10, []Range{r(0, 10)}, nil},

		// Unsatisfiable: 416.
		{"bytes=1234-", 1234, nil, ErrUnsatisfiable},
		{"bytes=2000-3000", 1234, nil, ErrUnsatisfiable},
		{"bytes=-0", 1234, nil, ErrUnsatisfiable},
		{"bytes=0-0", 0, nil, ErrUnsatisfiable},
		{"bytes=-10", 0, nil, ErrUnsatisfiable},
		{"bytes=99999999999999999999999-", 10, nil, ErrUnsatisfiable},
		{"bytes=20-30,40-", 10, nil, ErrUnsatisfiable},

		// Malformed or refused: ignore Range, 200.
		{"", 10, nil, ErrInvalidRange},
		{"bytes=", 10, nil, ErrInvalidRange},
		{"bytes=,", 10, nil, ErrInvalidRange},
		{"bytes", 10, nil, ErrInvalidRange},
		{"bytes 0-1", 10, nil, ErrInvalidRange},
		{"bytes =0-1", 10, nil, ErrInvalidRange},
		{"items=0-1", 10, nil, ErrInvalidRange},
		{"bytes=1", 10, nil, ErrInvalidRange},
		{"bytes=-", 10, nil, ErrInvalidRange},
		{"bytes=--1", 10, nil, ErrInvalidRange},
		{"bytes=1--2", 10, nil, ErrInvalidRange},
		{"bytes=5-4", 10, nil, ErrInvalidRange},
		{"bytes=a-b", 10, nil, ErrInvalidRange},
		{"bytes=0x1-2", 10, nil, ErrInvalidRange},
		{"bytes=+1-2", 10, nil, ErrInvalidRange},
		{"bytes=1-+2", 10, nil, ErrInvalidRange},
		{"bytes=1 -2", 10, nil, ErrInvalidRange},
		{"bytes=0-1;2-3", 10, nil, ErrInvalidRange},
		{"bytes=0-1,junk", 10, nil, ErrInvalidRange},
		{"bytes=0-1\n", 10, nil, ErrInvalidRange},
		{"bytes=0-9,0-9,0-0", 10, nil, ErrInvalidRange}, // more than 2x the file
		{"bytes=-10,-10,-10", 10, nil, ErrInvalidRange},
		{"bytes=0-1", -1, nil, ErrInvalidRange},
	}
	for _, tc := range cases {
		got, err := ParseRange(tc.header, tc.size)
		if !errors.Is(err, tc.err) || (err == nil) != (tc.err == nil) {
			t.Errorf("ParseRange(%q, %d) err = %v, want %v", tc.header, tc.size, err, tc.err)
			continue
		}
		if !reflect.DeepEqual(got, tc.want) {
			t.Errorf("ParseRange(%q, %d) = %v, want %v", tc.header, tc.size, got, tc.want)
		}
	}
}

func TestParseRangeLimits(t *testing.T) {
	const size = 1 << 20
	many := func(n int) string {
		var b strings.Builder
		b.WriteString("bytes=")
		for i := range n {
			if i > 0 {
				b.WriteByte(',')
			}
			b.WriteString("0-0")
		}
		return b.String()
	}
	if got, err := ParseRange(many(MaxRanges), size); err != nil || len(got) != MaxRanges {
		t.Fatalf("%d ranges: %d, %v", MaxRanges, len(got), err)
	}
	if _, err := ParseRange(many(MaxRanges+1), size); !errors.Is(err, ErrInvalidRange) {
		t.Fatalf("%d ranges: %v", MaxRanges+1, err)
	}
	// Unsatisfiable specs count towards the limit too.
	h := many(MaxRanges) + ",5000000-"
	if _, err := ParseRange(h, size); !errors.Is(err, ErrInvalidRange) {
		t.Fatalf("limit with an unsatisfiable spec: %v", err)
	}
	// Huge sizes do not overflow the amplification budget.
	const huge = 1<<63 - 1
	if got, err := ParseRange("bytes=0-,0-,-1", huge); !errors.Is(err, ErrInvalidRange) {
		t.Fatalf("huge: %v, %v", got, err)
	}
	if got, err := ParseRange("bytes=0-,1-", huge); err != nil || len(got) != 2 {
		t.Fatalf("huge pair: %v, %v", got, err)
	}
}

func TestContentRange(t *testing.T) {
	if got := (Range{0, 500}).ContentRange(1234); got != "bytes 0-499/1234" {
		t.Fatal(got)
	}
	if got := (Range{1233, 1}).ContentRange(1234); got != "bytes 1233-1233/1234" {
		t.Fatal(got)
	}
	if got := UnsatisfiedContentRange(1234); got != "bytes */1234" {
		t.Fatal(got)
	}
	if got := (Range{10, 5}).End(); got != 15 {
		t.Fatal(got)
	}
}
