// Command evrpcgen turns a libevent .rpc file into Go: a struct type per
// .rpc struct, with the `evtag` field tags package evtag encodes as
// libevent's event_rpcgen code does, and typed stubs for package evrpc.
//
// Usage:
//
//	evrpcgen [-pkg name] [-o file] [-rpc Name=request:reply]... file.rpc
//
// A .rpc file holds struct definitions (C and C++ comments allowed; lines
// starting with '#' are ignored):
//
//	struct kill {
//		string weapon = 0x10121;
//		string action = 2;
//		array int how_often = 3;
//	}
//
// Field types are int (uint32), int64 (uint64), string, bytes ([]byte),
// bytes NAME[N] ([N]byte) and struct[NAME]; a field may be optional (a
// pointer, or nil bytes) or an array (a slice), not both, and bytes cannot
// be arrays. Names become exported Go names: how_often is HowOften.
//
// .rpc files declare no RPCs (libevent's C code does, with EVRPC_HEADER),
// so each -rpc flag names one: -rpc Message=msg:kill writes
// RegisterMessage(b *evrpc.Base, h func(*evrpc.Request[Msg, Kill])) error
// and MakeMessageRequest(p *evrpc.Pool, req *Msg, reply *Kill, done
// func(error)) (*evrpc.Call, error).
//
// The package name defaults to $GOPACKAGE and the output to file_rpc.go
// next to the input, so that a directive such as
//
//	//go:generate go run github.com/goevent/goevent/cmd/evrpcgen -rpc Message=msg:kill regress.rpc
//
// works with go generate.
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
)

func main() {
	if err := run(os.Args[1:], os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "evrpcgen:", err)
		os.Exit(1)
	}
}

// rpcFlags collects repeated -rpc flags.
type rpcFlags []RPC

func (r *rpcFlags) String() string { return fmt.Sprint(*r) }

func (r *rpcFlags) Set(s string) error {
	rpc, err := ParseRPC(s)
	if err != nil {
		return err
	}
	*r = append(*r, rpc)
	return nil
}

// run is the command with its arguments, for tests.
func run(args []string, stderr io.Writer) error {
	fs := flag.NewFlagSet("evrpcgen", flag.ContinueOnError)
	fs.SetOutput(stderr)
	pkg := fs.String("pkg", os.Getenv("GOPACKAGE"), "Go package `name` of the output (default $GOPACKAGE)")
	out := fs.String("o", "", "output `file` (default: the input's name with _rpc.go for .rpc)")
	var rpcs rpcFlags
	fs.Var(&rpcs, "rpc", "an RPC to write stubs for, as `Name=request:reply` (repeatable)")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: evrpcgen [-pkg name] [-o file] [-rpc Name=request:reply]... file.rpc")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		fs.Usage()
		return errors.New("need exactly one .rpc file")
	}
	if *pkg == "" {
		return errors.New("no package name: set -pkg or run under go generate")
	}
	in := fs.Arg(0)
	src, err := os.ReadFile(in)
	if err != nil {
		return err
	}
	f, err := Parse(src)
	if err != nil {
		return fmt.Errorf("%s:%w", in, err)
	}
	code, err := Generate(f, rpcs, *pkg, filepath.Base(in))
	if err != nil {
		return err
	}
	if *out == "" {
		*out = strings.TrimSuffix(in, ".rpc") + "_rpc.go"
	}
	return os.WriteFile(*out, code, 0o666)
}
