package main

import (
	"go/format"
	"os"
	"path/filepath"
	"testing"
)

// FuzzParse checks that no input makes the parser panic, and that whatever
// it accepts generates Go source that gofmt accepts.
func FuzzParse(f *testing.F) {
	if src, err := os.ReadFile(filepath.Join("testdata", "all.rpc")); err == nil {
		f.Add(src)
	}
	f.Add([]byte("struct a { optional struct[a] next = 0x10121; array int x = 2; bytes f[3] = 3; }"))
	f.Add([]byte("/* c */ struct b {\n#x\n string s = 1; } // end"))
	f.Fuzz(func(t *testing.T, src []byte) {
		file, err := Parse(src)
		if err != nil {
			return
		}
		var rpcs []RPC
		if len(file.Structs) > 0 {
			n := file.Structs[0].Name
			rpcs = append(rpcs, RPC{Name: "Call", Req: n, Reply: n})
		}
		out, err := Generate(file, rpcs, "fuzz", "fuzz.rpc")
		if err != nil {
			return // a name clash with the stubs
		}
		if _, err := format.Source(out); err != nil {
			t.Fatalf("generated code does not format: %v\n%s", err, out)
		}
	})
}
