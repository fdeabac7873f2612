package static

import (
	"fmt"
	"testing"
	"time"
)

func TestMatchETag(t *testing.T) {
	const tag = `"abc"`
	tests := []struct {
		list       string
		strong, wk bool
	}{
		{`"abc"`, true, true},
		{` "abc" `, true, true},
		{`*`, true, true},
		{` * `, true, true},
		{`W/"abc"`, false, true},
		{`"x", "abc"`, true, true},
		{`"x",W/"abc"`, false, true},
		{`"x"`, false, false},
		{`"ab"`, false, false},
		{`abc`, false, false},
		{`"abc`, false, false},
		{`"abc" "x"`, false, false},
		{`w/"abc"`, false, false},
		{`W/abc`, false, false},
		{`"a"bc"`, false, false},
		{`"ab c"`, false, false},
		{``, false, false},
		{`,`, false, false},
		{`, ,"abc",`, true, true},
		{`*, "abc"`, false, false},
	}
	for _, tt := range tests {
		if got := MatchETag(tt.list, tag, false); got != tt.strong {
			t.Errorf("MatchETag(%q, strong) = %v, want %v", tt.list, got, tt.strong)
		}
		if got := MatchETag(tt.list, tag, true); got != tt.wk {
			t.Errorf("MatchETag(%q, weak) = %v, want %v", tt.list, got, tt.wk)
		}
	}
}

func FuzzMatchETag(f *testing.F) {
	for _, s := range []string{`"abc"`, `*`, `W/"abc", "x"`, `"a`, `,,`, `W/`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, list string) {
		strong, weak := MatchETag(list, `"abc"`, false), MatchETag(list, `"abc"`, true)
		if strong && !weak {
			t.Fatalf("%q matches strongly but not weakly", list)
		}
		n := 0
		if forEachETag(list, func(tag string, _ bool) {
			n++
			if len(tag) < 2 || tag[0] != '"' || tag[len(tag)-1] != '"' {
				t.Fatalf("%q: tag %q not quoted", list, tag)
			}
		}) && n == 0 {
			t.Fatalf("%q: well-formed but empty", list)
		}
	})
}

func TestParseHTTPDate(t *testing.T) {
	want := time.Date(1994, time.November, 6, 8, 49, 37, 0, time.UTC)
	for _, s := range []string{"Sun, 06 Nov 1994 08:49:37 GMT", "Sunday, 06-Nov-94 08:49:37 GMT", "Sun Nov  6 08:49:37 1994"} {
		if got, ok := ParseHTTPDate(s); !ok || !got.Equal(want) {
			t.Errorf("ParseHTTPDate(%q) = %v, %v", s, got, ok)
		}
	}
	for _, s := range []string{"", "yesterday", "Sun, 06 Nov 1994 08:49:37 PST", "Sun, 32 Nov 1994 08:49:37 GMT", "1994-11-06T08:49:37Z"} {
		if _, ok := ParseHTTPDate(s); ok {
			t.Errorf("ParseHTTPDate(%q) accepted", s)
		}
	}
}

type fields map[string]string

func (f fields) Get(name string) string { return f[name] }

func TestEvaluate(t *testing.T) {
	mod := time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC)
	v := validators{etag: `"t"`, modtime: mod}
	at := func(d time.Duration) string { return mod.Add(d).Format(timeFormat) }
	tests := []struct {
		h    fields
		want precondition
	}{
		{fields{}, proceed},
		{fields{"If-Match": `"t"`}, proceed},
		{fields{"If-Match": `"u"`}, failed},
		{fields{"If-Match": `"u"`, "If-None-Match": `"t"`}, failed},
		{fields{"If-Unmodified-Since": at(0)}, proceed},
		{fields{"If-Unmodified-Since": at(-time.Second)}, failed},
		{fields{"If-Unmodified-Since": "bad"}, proceed},
		{fields{"If-Match": `"t"`, "If-Unmodified-Since": at(-time.Hour)}, proceed},
		{fields{"If-None-Match": `"t"`}, notModified},
		{fields{"If-None-Match": `W/"t"`}, notModified},
		{fields{"If-None-Match": `"u"`}, proceed},
		{fields{"If-None-Match": `"u"`, "If-Modified-Since": at(time.Hour)}, proceed},
		{fields{"If-Modified-Since": at(0)}, notModified},
		{fields{"If-Modified-Since": at(-time.Second)}, proceed},
		{fields{"If-Modified-Since": "bad"}, proceed},
	}
	for _, tt := range tests {
		if got := v.evaluate(tt.h); got != tt.want {
			t.Errorf("evaluate(%v) = %v, want %v", tt.h, got, tt.want)
		}
	}
	ranges := []struct {
		ifRange string
		want    bool
	}{
		{"", true},
		{`"t"`, true},
		{`"u"`, false},
		{`W/"t"`, false},
		{at(0), true},
		{at(time.Second), false},
		{"garbage", false},
	}
	for _, tt := range ranges {
		if got := v.rangeApplies(fields{"If-Range": tt.ifRange}); got != tt.want {
			t.Errorf("rangeApplies(If-Range %q) = %v, want %v", tt.ifRange, got, tt.want)
		}
	}
}

func TestETag(t *testing.T) {
	m := time.Unix(1700000000, 123)
	a := ETag(10, m, 42)
	if want := fmt.Sprintf(`"%x-%x-%x"`, 10, m.UnixNano(), 42); a != want {
		t.Errorf("ETag = %s, want %s", a, want)
	}
	for _, b := range []string{ETag(11, m, 42), ETag(10, m.Add(1), 42), ETag(10, m, 43)} {
		if a == b {
			t.Errorf("ETag %s unchanged by a change of size, mtime or inode", a)
		}
	}
}
