package zone

import "testing"

func TestTable(t *testing.T) {
	tab, err := New(MaxNames)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[[4]byte]bool{}
	for i := range MaxNames {
		a := Addr(i).As4()
		if seen[a] {
			t.Fatalf("address %v given twice (name %d)", Addr(i), i)
		}
		seen[a] = true
	}
	for _, tc := range []struct {
		name string
		want string
		ok   bool
	}{
		{"h0.bench.test.", "198.18.0.0", true},
		{"H257.Bench.TEST.", "198.18.1.1", true},
		{"h65536.bench.test.", "198.19.0.0", true},
		{"h131072.bench.test.", "", false},
		{"h1.bench.test", "", false},
		{"", "", false},
	} {
		a, ok := tab.Lookup(tc.name)
		if ok != tc.ok || (ok && a.String() != tc.want) {
			t.Errorf("Lookup(%q) = %v, %v; want %s, %v", tc.name, a, ok, tc.want, tc.ok)
		}
	}
	for _, n := range []int{0, -1, MaxNames + 1} {
		if _, err := New(n); err == nil {
			t.Errorf("New(%d) succeeded", n)
		}
	}
}
