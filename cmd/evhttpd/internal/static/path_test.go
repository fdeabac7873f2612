package static

import (
	"errors"
	"strings"
	"testing"
)

func TestCleanPath(t *testing.T) {
	tests := []struct{ raw, want string }{
		{"/", "/"},
		{"/a", "/a"},
		{"/a/", "/a/"},
		{"/a//b", "/a/b"},
		{"//a", "/a"},
		{"/a/./b", "/a/b"},
		{"/a/.", "/a/"},
		{"/a/b/..", "/a/"},
		{"/a/../b", "/b"},
		{"/a/b/../../c", "/c"},
		{"/%61%62", "/ab"},
		{"/a%20b", "/a b"},
		{"/%2e", "/"},
		{"/a/%2E%2E/b", "/b"},
		{"/caf%C3%A9", "/café"},
		{"/a+b", "/a+b"},
		{"/.hidden", "/.hidden"},
		{"/...", "/..."},
		{"/..a", "/..a"},
	}
	for _, tt := range tests {
		got, err := CleanPath(tt.raw)
		if err != nil || got != tt.want {
			t.Errorf("CleanPath(%q) = %q, %v; want %q", tt.raw, got, err, tt.want)
		}
	}
}

func TestCleanPathRejects(t *testing.T) {
	for _, raw := range []string{
		"",
		"a",
		"*",
		"/..",
		"/../",
		"/../etc/passwd",
		"/a/../..",
		"/a/../../b",
		"/%2e%2e",
		"/%2E%2e/x",
		"/a/%2e%2e/%2e%2e/x",
		"/a%2fb",
		"/a%2Fb",
		"/..%2f..%2fetc",
		"/a\\b",
		"/..\\x",
		"/a%5cb",
		"/a%5Cb",
		"/%00",
		"/a%00.html",
		"/a\x00",
		"/a\nb",
		"/%0a",
		"/%7f",
		"/%",
		"/%4",
		"/%zz",
		"/a%g0",
	} {
		if got, err := CleanPath(raw); !errors.Is(err, ErrBadPath) {
			t.Errorf("CleanPath(%q) = %q, %v; want ErrBadPath", raw, got, err)
		}
	}
}

func FuzzCleanPath(f *testing.F) {
	for _, s := range []string{"/", "/a/b", "/a/../b", "/%2e%2e/x", "/a%2fb", "//x/./y/", "/a\\b", "/%00", "/%C3%A9"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		p, err := CleanPath(raw)
		if err != nil {
			if !errors.Is(err, ErrBadPath) {
				t.Fatalf("error %v is not ErrBadPath", err)
			}
			return
		}
		if !strings.HasPrefix(p, "/") {
			t.Fatalf("%q -> %q: not absolute", raw, p)
		}
		if strings.ContainsAny(p, "\\\x00") || strings.Contains(p, "//") {
			t.Fatalf("%q -> %q: forbidden bytes or empty segment", raw, p)
		}
		for _, seg := range strings.Split(strings.Trim(p, "/"), "/") {
			if seg == "." || seg == ".." {
				t.Fatalf("%q -> %q: dot segment left", raw, p)
			}
		}
		if again, err := CleanPath(escapePath(p)); err != nil || again != p {
			t.Fatalf("%q -> %q, re-encoded %q -> %q, %v: not idempotent", raw, p, escapePath(p), again, err)
		}
	})
}
