package main

import (
	"bytes"
	"flag"
	"fmt"
	"go/ast"
	"go/importer"
	goparser "go/parser"
	"go/token"
	"go/types"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files")

// goldenRPCs are the RPCs testdata/all.golden has stubs for.
var goldenRPCs = []RPC{
	{Name: "Echo", Req: "required_all", Reply: "optional_all"},
	{Name: "Walk", Req: "array_all", Reply: "Empty"},
}

// TestGolden checks the output for a .rpc file that uses every type and
// modifier against testdata/all.golden, and that the output type-checks.
func TestGolden(t *testing.T) {
	src, err := os.ReadFile(filepath.Join("testdata", "all.rpc"))
	if err != nil {
		t.Fatal(err)
	}
	f, err := Parse(src)
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	got, err := Generate(f, goldenRPCs, "golden", "all.rpc")
	if err != nil {
		t.Fatalf("Generate: %v", err)
	}
	golden := filepath.Join("testdata", "all.golden")
	if *update {
		if err := os.WriteFile(golden, got, 0o666); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("output differs from %s (run go test -update to accept):\n%s", golden, got)
	}
	typeCheck(t, got)
}

// typeCheck type-checks generated source against package evrpc's source.
func typeCheck(t *testing.T, src []byte) {
	t.Helper()
	fset := token.NewFileSet()
	file, err := goparser.ParseFile(fset, "gen.go", src, goparser.ParseComments)
	if err != nil {
		t.Fatalf("generated code does not parse: %v", err)
	}
	conf := types.Config{Importer: importer.ForCompiler(fset, "gc", exportData(t))}
	if _, err := conf.Check("golden", fset, []*ast.File{file}, nil); err != nil {
		t.Fatalf("generated code does not type-check: %v", err)
	}
}

// exportData returns an importer lookup that reads the compiled export
// data of the generated code's one import, package evrpc, which go list
// -export builds (or finds in the build cache).
func exportData(t *testing.T) func(path string) (io.ReadCloser, error) {
	t.Helper()
	goTool := filepath.Join(runtime.GOROOT(), "bin", "go")
	out, err := exec.Command(goTool, "list", "-export", "-f", "{{.Export}}", evrpcImport).Output()
	if err != nil {
		t.Fatalf("go list -export %s: %v", evrpcImport, err)
	}
	file := strings.TrimSpace(string(out))
	return func(path string) (io.ReadCloser, error) {
		if path != evrpcImport {
			return nil, fmt.Errorf("generated code imports %s", path)
		}
		return os.Open(file)
	}
}

func TestGenerateTypes(t *testing.T) {
	f := mustParse(t, `struct a {
		int i = 1; optional int oi = 2; array int ai = 3;
		int64 l = 4; optional int64 ol = 5; array int64 al = 6;
		string s = 7; optional string os = 8; array string as = 9;
		bytes b = 10; optional bytes ob = 11;
		bytes f[3] = 12; optional bytes of[4] = 13;
		optional struct[a] self = 14; array struct[a] kids = 15;
	}`)
	want := []string{"uint32", "*uint32", "[]uint32", "uint64", "*uint64", "[]uint64",
		"string", "*string", "[]string", "[]byte", "[]byte", "[3]byte", "*[4]byte", "*A", "[]A"}
	for i, fl := range f.Structs[0].Fields {
		if got := goType(fl); got != want[i] {
			t.Errorf("field %s: Go type %s, want %s", fl.Name, got, want[i])
		}
	}
}

func TestGenerateErrors(t *testing.T) {
	f := mustParse(t, "struct msg { int a = 1; } struct kill { int b = 1; }")
	for _, tc := range []struct {
		name string
		rpcs []RPC
		pkg  string
		want string
	}{
		{"bad package", nil, "no-pkg", "invalid package name"},
		{"undefined request", []RPC{{"M", "nope", "kill"}}, "p", "struct nope is not defined"},
		{"undefined reply", []RPC{{"M", "msg", "nope"}}, "p", "struct nope is not defined"},
		{"duplicate RPC", []RPC{{"M", "msg", "kill"}, {"M", "kill", "msg"}}, "p", "both define Go name RegisterM"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Generate(f, tc.rpcs, tc.pkg, "x.rpc")
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("Generate: %v, want an error containing %q", err, tc.want)
			}
		})
	}
}

func TestParseRPC(t *testing.T) {
	good, err := ParseRPC("Message=msg:kill")
	if err != nil || good != (RPC{"Message", "msg", "kill"}) {
		t.Fatalf("ParseRPC: %+v, %v", good, err)
	}
	for _, s := range []string{"", "Message", "Message=msg", "=msg:kill", "M=:kill", "M=msg:", "M-1=a:b", "M=a b:c"} {
		if r, err := ParseRPC(s); err == nil {
			t.Errorf("ParseRPC(%q) = %+v, want an error", s, r)
		}
	}
}

// TestRun runs the command as go generate does: package from $GOPACKAGE,
// output next to the input.
func TestRun(t *testing.T) {
	dir := t.TempDir()
	in := filepath.Join(dir, "svc.rpc")
	if err := os.WriteFile(in, []byte("struct ping { int n = 1; }\n"), 0o666); err != nil {
		t.Fatal(err)
	}
	t.Setenv("GOPACKAGE", "svc")
	var stderr bytes.Buffer
	if err := run([]string{"-rpc", "Ping=ping:ping", in}, &stderr); err != nil {
		t.Fatalf("run: %v (%s)", err, stderr.String())
	}
	out, err := os.ReadFile(filepath.Join(dir, "svc_rpc.go"))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"package svc\n", "type Ping struct", "func RegisterPing(", "func MakePingRequest("} {
		if !bytes.Contains(out, []byte(want)) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	typeCheck(t, bytes.Replace(out, []byte("package svc"), []byte("package golden"), 1))

	bad := filepath.Join(dir, "bad.rpc")
	if err := os.WriteFile(bad, []byte("struct x {\n int a = ;\n}\n"), 0o666); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{bad}, "bad.rpc:2:10: expected tag"},
		{[]string{}, "exactly one"},
		{[]string{filepath.Join(dir, "missing.rpc")}, "no such file"},
		{[]string{"-rpc", "bad", in}, "invalid RPC"},
	} {
		err := run(tc.args, &stderr)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("run(%q): %v, want an error containing %q", tc.args, err, tc.want)
		}
	}
	t.Setenv("GOPACKAGE", "")
	if err := run([]string{in}, &stderr); err == nil || !strings.Contains(err.Error(), "no package name") {
		t.Errorf("run without a package: %v", err)
	}
}

func mustParse(t *testing.T, src string) *File {
	t.Helper()
	f, err := Parse([]byte(src))
	if err != nil {
		t.Fatalf("Parse(%q): %v", src, err)
	}
	return f
}

// TestEvrpcGenerated checks that evrpc's generated test types are what
// evrpcgen writes today (its go:generate line, in evrpc/main_test.go).
func TestEvrpcGenerated(t *testing.T) {
	dir := filepath.Join("..", "..", "evrpc")
	src, err := os.ReadFile(filepath.Join(dir, "testdata", "regress.rpc"))
	if err != nil {
		t.Fatal(err)
	}
	f, err := Parse(src)
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	rpcs := []RPC{{"Message", "msg", "kill"}, {"NeverReply", "msg", "kill"}}
	got, err := Generate(f, rpcs, "evrpc_test", "regress.rpc")
	if err != nil {
		t.Fatal(err)
	}
	want, err := os.ReadFile(filepath.Join(dir, "zregress_rpc_test.go"))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("evrpc/zregress_rpc_test.go is stale: run go generate ./evrpc")
	}
}
