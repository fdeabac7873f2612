package stats

import (
	"errors"
	"math"
	"os"
	"path/filepath"
	"testing"
)

func TestParseKV(t *testing.T) {
	tests := []struct {
		in   string
		want map[string]float64
	}{
		{"cpu_ticks=12 hz=100", map[string]float64{"cpu_ticks": 12, "hz": 100}},
		{"words only", map[string]float64{}},
		{"", map[string]float64{}},
		{"x=1e3\n\ty=-2", map[string]float64{"x": 1000, "y": -2}},
	}
	for _, tt := range tests {
		got, err := ParseKV(tt.in)
		if err != nil {
			t.Errorf("ParseKV(%q): %v", tt.in, err)
			continue
		}
		if len(got) != len(tt.want) {
			t.Errorf("ParseKV(%q) = %v, want %v", tt.in, got, tt.want)
		}
		for k, v := range tt.want {
			if got[k] != v {
				t.Errorf("ParseKV(%q)[%s] = %v, want %v", tt.in, k, got[k], v)
			}
		}
	}
}

func TestParseKVMalformed(t *testing.T) {
	for _, in := range []string{"=5", "x=", "x=one", "hz=NaN", "a=+Inf", "a=1e999", "x==4"} {
		if kv, err := ParseKV(in); !errors.Is(err, ErrKV) {
			t.Errorf("ParseKV(%q) = %v, %v; want ErrKV", in, kv, err)
		}
	}
}

func TestReadKV(t *testing.T) {
	dir := t.TempDir()
	good, bad := filepath.Join(dir, "good.txt"), filepath.Join(dir, "bad.txt")
	if err := os.WriteFile(good, []byte("cpu_ticks=3 hz=100\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(bad, []byte("cpu_ticks=x\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if kv, err := ReadKV(good); err != nil || kv["cpu_ticks"] != 3 || kv["hz"] != 100 {
		t.Errorf("ReadKV(good) = %v, %v", kv, err)
	}
	if _, err := ReadKV(bad); !errors.Is(err, ErrKV) {
		t.Errorf("ReadKV(bad) = %v, want ErrKV", err)
	}
	if _, err := ReadKV(filepath.Join(dir, "none.txt")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("ReadKV(missing) = %v, want ErrNotExist", err)
	}
}

func FuzzParseKV(f *testing.F) {
	f.Add("cpu_ticks=12 hz=100 size=1024")
	f.Add("a=1e999 b=")
	f.Add("=3 x==4 cpu_ticks=-1")
	f.Fuzz(func(t *testing.T, in string) {
		kv, err := ParseKV(in)
		if err != nil {
			if !errors.Is(err, ErrKV) {
				t.Fatalf("ParseKV(%q) = %v, want ErrKV", in, err)
			}
			return
		}
		for k, v := range kv {
			if k == "" || math.IsNaN(v) || math.IsInf(v, 0) {
				t.Fatalf("ParseKV(%q)[%q] = %v", in, k, v)
			}
		}
	})
}
