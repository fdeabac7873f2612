package main

import (
	"errors"
	"strings"
	"testing"
)

func TestParse(t *testing.T) {
	// A '#' after a comment is still first on its line, as in C.
	src := `/* comment */ #pragma whatever
#include <x.h>
  # define Y 1
// line comment
struct kill {
	string weapon = 0x10121; // trailing
	string action = 2;
	array int how_often = 3;
};
struct run { optional bytes some_bytes = 2; bytes fixed_bytes[24] = 3; optional int64 n = 0; }
struct msg { optional struct[kill] attack = 3; array struct[run] run = 4; struct[run] one = 0XfF; }
`
	f := mustParse(t, src)
	if len(f.Structs) != 3 {
		t.Fatalf("%d structs, want 3", len(f.Structs))
	}
	kill := f.Structs[0]
	if kill.Name != "kill" || len(kill.Fields) != 3 {
		t.Fatalf("kill = %+v", kill)
	}
	if w := kill.Fields[0]; w.Name != "weapon" || w.Type != TypeString || w.Tag != 0x10121 || !w.TagHex {
		t.Errorf("weapon = %+v", w)
	}
	if h := kill.Fields[2]; !h.Array || h.Type != TypeInt || h.Tag != 3 || h.TagHex {
		t.Errorf("how_often = %+v", h)
	}
	run := f.Structs[1]
	if b := run.Fields[0]; !b.Optional || b.Type != TypeBytes || b.Size != 0 {
		t.Errorf("some_bytes = %+v", b)
	}
	if b := run.Fields[1]; b.Optional || b.Size != 24 || b.Tag != 3 {
		t.Errorf("fixed_bytes = %+v", b)
	}
	if n := run.Fields[2]; n.Type != TypeInt64 || n.Tag != 0 {
		t.Errorf("n = %+v", n)
	}
	msg := f.Structs[2]
	if a := msg.Fields[0]; a.Type != TypeStruct || a.Ref != "kill" || !a.Optional {
		t.Errorf("attack = %+v", a)
	}
	if o := msg.Fields[2]; o.Tag != 0xff || o.Line != 11 {
		t.Errorf("one = %+v", o)
	}
}

// TestParseMalformed checks that every kind of bad input is an error with
// the position it was found at.
func TestParseMalformed(t *testing.T) {
	for _, tc := range []struct {
		name, src, want string
	}{
		{"not struct", "strct a {}", "1:1: expected \"struct\""},
		{"no name", "struct {}", "1:8: expected struct name"},
		{"no brace", "struct a int x = 1; }", "1:10: expected \"{\""},
		{"unclosed struct", "struct a { int x = 1;", "1:22: struct a: missing \"}\""},
		{"unknown type", "struct a { float x = 1; }", "1:12: unknown type \"float\""},
		{"no field name", "struct a { int = 1; }", "1:16: expected field name"},
		{"no equals", "struct a { int x 1; }", "1:18: expected \"=\""},
		{"no tag", "struct a { int x = ; }", "1:20: expected tag"},
		{"no semicolon", "struct a { int x = 1 }", "1:22: expected \";\""},
		{"tag overflow", "struct a { int x = 4294967296; }", "invalid tag \"4294967296\""},
		{"hex overflow", "struct a { int x = 0x100000000; }", "invalid tag"},
		{"bad hex", "struct a { int x = 0xg; }", "invalid tag \"0xg\""},
		{"empty hex", "struct a { int x = 0x; }", "invalid tag \"0x\""},
		{"bad decimal", "struct a { int x = 12ab; }", "invalid tag \"12ab\""},
		{"negative", "struct a { int x = -1; }", "unexpected character '-'"},
		{"optional array", "struct a { optional array int x = 1; }", "optional and array do not combine"},
		{"array optional", "struct a { array optional int x = 1; }", "optional and array do not combine"},
		{"array bytes", "struct a { array bytes x = 1; }", "bytes cannot be an array"},
		{"array fixed bytes", "struct a { array bytes x[4] = 1; }", "bytes cannot be an array"},
		{"fixed int", "struct a { int x[4] = 1; }", "only bytes may have a fixed length"},
		{"fixed zero", "struct a { bytes x[0] = 1; }", "fixed length 0 out of range"},
		{"fixed huge", "struct a { bytes x[99999999] = 1; }", "out of range"},
		{"fixed unclosed", "struct a { bytes x[4 = 1; }", "expected \"]\""},
		{"struct no bracket", "struct a { struct b x = 1; }", "expected \"[\""},
		{"struct unclosed", "struct a { struct[b x = 1; }", "expected \"]\""},
		{"struct number", "struct a { struct[1] x = 1; }", "expected struct name"},
		{"undefined struct", "struct a { struct[b] x = 1; }", "1:12: struct a: field x: struct b is not defined"},
		{"duplicate struct", "struct a {}\nstruct a {}", "2:1: struct a defined twice"},
		{"go name clash", "struct a_b {} struct AB {}", "both become Go type AB"},
		{"underscore name", "struct _ {}", "no usable Go name"},
		{"duplicate field", "struct a { int x = 1; int x = 2; }", "field x defined twice"},
		{"field go clash", "struct a { int x_y = 1; int XY = 2; }", "both become Go field XY"},
		{"underscore field", "struct a { int __ = 1; }", "field __ has no usable Go name"},
		{"duplicate tag", "struct a { int x = 1; int y = 0x1; }", "fields x and y share tag 1"},
		{"self required", "struct a { struct[a] me = 1; }", "struct a requires itself (a -> a)"},
		{"cycle required", "struct a { struct[b] b = 1; } struct b { struct[a] a = 1; }", "requires itself (a -> b -> a)"},
		{"unterminated comment", "struct a { /* int x = 1; }", "1:12: unterminated comment"},
		{"stray character", "struct a { int x = 1; } @", "unexpected character '@'"},
		{"hash mid-line", "struct a { # int x = 1; }", "1:12: unexpected character '#'"},
		{"stray punct", "struct a {} ;;", "expected \"struct\", found \";\""},
		{"nul byte", "struct a\x00 {}", "unexpected character '\\x00'"},
		{"eof after optional", "struct a { optional", "expected field type, found end of file"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f, err := Parse([]byte(tc.src))
			if err == nil {
				t.Fatalf("Parse(%q) = %+v, want an error containing %q", tc.src, f, tc.want)
			}
			var se *SyntaxError
			if !errors.As(err, &se) {
				t.Errorf("error %v is %T, not a *SyntaxError", err, err)
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("Parse(%q): %v, want an error containing %q", tc.src, err, tc.want)
			}
		})
	}
}

func TestGoName(t *testing.T) {
	for in, want := range map[string]string{
		"kill": "Kill", "from_name": "FromName", "how__often_": "HowOften", "_x": "X",
		"a_1": "A1", "URL": "URL", "_1a": "X1a", "___": "",
	} {
		if got := goName(in); got != want {
			t.Errorf("goName(%q) = %q, want %q", in, got, want)
		}
	}
}
