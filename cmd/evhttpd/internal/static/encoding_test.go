package static

import "testing"

func TestAcceptsGzip(t *testing.T) {
	tests := []struct {
		v    string
		want bool
	}{
		{"", false},
		{"gzip", true},
		{"GZIP", true},
		{"x-gzip", true},
		{"deflate, gzip", true},
		{"gzip;q=0", false},
		{"gzip; q=0.000", false},
		{"gzip;q=0.001", true},
		{"gzip;q=1", true},
		{"gzip;q=1.0", true},
		{"gzip;q=2", false},
		{"gzip;q=-1", false},
		{"gzip;q=abc", false},
		{"gzip;q=", false},
		{"*", true},
		{"*;q=0", false},
		{"*, gzip;q=0", false},
		{"gzip;q=0, *", false},
		{"br", false},
		{"identity", false},
		{"gzipper", false},
		{" gzip ; q=0.5 ", true},
		{",,,", false},
		{"gzip;level=1", true},
	}
	for _, tt := range tests {
		if got := AcceptsGzip(tt.v); got != tt.want {
			t.Errorf("AcceptsGzip(%q) = %v, want %v", tt.v, got, tt.want)
		}
	}
}

func FuzzAcceptsGzip(f *testing.F) {
	for _, s := range []string{"gzip", "gzip;q=0", "*, br;q=0.5", "x-gzip;q=1.000", ";;=,"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, v string) {
		if AcceptsGzip(v) != AcceptsGzip(v+", br") {
			t.Fatalf("%q: adding another coding changed the answer", v)
		}
		if AcceptsGzip(v+", gzip;q=0") && AcceptsGzip(v) != AcceptsGzip(v+", gzip;q=0") {
			t.Fatalf("%q: a refused gzip made it acceptable", v)
		}
	})
}
