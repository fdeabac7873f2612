package main

import (
	"fmt"
	"strconv"
	"strings"
)

// SyntaxError is an error in a .rpc file, with its position.
type SyntaxError struct {
	Line, Col int
	Msg       string
}

func (e *SyntaxError) Error() string { return fmt.Sprintf("%d:%d: %s", e.Line, e.Col, e.Msg) }

// FieldType is the type of a field, as a .rpc file names it.
type FieldType uint8

// Field types of event_rpcgen.
const (
	TypeInt    FieldType = iota + 1 // int: 32 bits
	TypeInt64                       // int64
	TypeString                      // string
	TypeBytes                       // bytes, variable or fixed length
	TypeStruct                      // struct[NAME]
)

// File is a parsed .rpc file.
type File struct {
	Structs []*Struct
}

// Struct is one struct definition.
type Struct struct {
	Name   string
	Fields []*Field
	Line   int
}

// Field is one field of a struct.
type Field struct {
	Name     string
	Type     FieldType
	Ref      string // the struct named by struct[NAME]
	Size     int    // bytes NAME[Size]: fixed length; 0 for variable
	Optional bool
	Array    bool
	Tag      uint32
	TagHex   bool // the tag was written in hex
	Line     int
	Col      int
}

// maxFixed bounds the length of fixed bytes, so that generated array
// types stay reasonable.
const maxFixed = 1 << 20

// parser reads a File from tokens.
type parser struct {
	lx  *lexer
	tok lexeme
}

// Parse parses a .rpc file and checks it: names and tags unique within
// their struct, struct references defined, no struct that requires itself,
// modifiers and fixed lengths where event_rpcgen allows them.
func Parse(src []byte) (*File, error) {
	p := &parser{lx: newLexer(src)}
	if err := p.advance(); err != nil {
		return nil, err
	}
	f := &File{}
	for p.tok.kind != tokEOF {
		s, err := p.parseStruct()
		if err != nil {
			return nil, err
		}
		f.Structs = append(f.Structs, s)
	}
	if err := check(f); err != nil {
		return nil, err
	}
	return f, nil
}

func (p *parser) advance() error {
	t, err := p.lx.next()
	if err != nil {
		return err
	}
	p.tok = t
	return nil
}

func (p *parser) errorf(format string, args ...any) error {
	return p.lx.errorf(p.tok.line, p.tok.col, format, args...)
}

// expect consumes the punctuation text or fails.
func (p *parser) expect(text string) error {
	if p.tok.kind != tokPunct || p.tok.text != text {
		return p.errorf("expected %q, found %v", text, p.tok)
	}
	return p.advance()
}

// ident consumes an identifier and returns it.
func (p *parser) ident(what string) (string, error) {
	if p.tok.kind != tokIdent {
		return "", p.errorf("expected %s, found %v", what, p.tok)
	}
	s := p.tok.text
	return s, p.advance()
}

// number consumes a decimal or 0x hex number that fits 32 bits.
func (p *parser) number(what string) (v uint32, hex bool, err error) {
	if p.tok.kind != tokNumber {
		return 0, false, p.errorf("expected %s, found %v", what, p.tok)
	}
	text := p.tok.text
	digits, base := text, 10
	if strings.HasPrefix(text, "0x") || strings.HasPrefix(text, "0X") {
		digits, base, hex = text[2:], 16, true
	}
	n, perr := strconv.ParseUint(digits, base, 32)
	if perr != nil || digits == "" || digits[0] == '+' {
		return 0, false, p.errorf("invalid %s %q (a 32-bit decimal or 0x hex number)", what, text)
	}
	return uint32(n), hex, p.advance()
}

// parseStruct parses: struct NAME { fields } [;]
func (p *parser) parseStruct() (*Struct, error) {
	if p.tok.kind != tokIdent || p.tok.text != "struct" {
		return nil, p.errorf("expected \"struct\", found %v", p.tok)
	}
	s := &Struct{Line: p.tok.line}
	if err := p.advance(); err != nil {
		return nil, err
	}
	name, err := p.ident("struct name")
	if err != nil {
		return nil, err
	}
	s.Name = name
	if err := p.expect("{"); err != nil {
		return nil, err
	}
	for p.tok.kind != tokPunct || p.tok.text != "}" {
		if p.tok.kind == tokEOF {
			return nil, p.errorf("struct %s: missing \"}\"", s.Name)
		}
		fld, err := p.parseField()
		if err != nil {
			return nil, err
		}
		s.Fields = append(s.Fields, fld)
	}
	if err := p.advance(); err != nil {
		return nil, err
	}
	if p.tok.kind == tokPunct && p.tok.text == ";" {
		if err := p.advance(); err != nil {
			return nil, err
		}
	}
	return s, nil
}

// parseField parses: [optional|array] TYPE NAME ['[' N ']'] = TAG ;
func (p *parser) parseField() (*Field, error) {
	f := &Field{Line: p.tok.line, Col: p.tok.col}
	if p.tok.kind == tokIdent && (p.tok.text == "optional" || p.tok.text == "array") {
		f.Optional, f.Array = p.tok.text == "optional", p.tok.text == "array"
		if err := p.advance(); err != nil {
			return nil, err
		}
		if p.tok.kind == tokIdent && (p.tok.text == "optional" || p.tok.text == "array") {
			return nil, p.errorf("optional and array do not combine")
		}
	}
	typ, err := p.ident("field type")
	if err != nil {
		return nil, err
	}
	switch typ {
	case "int":
		f.Type = TypeInt
	case "int64":
		f.Type = TypeInt64
	case "string":
		f.Type = TypeString
	case "bytes":
		f.Type = TypeBytes
	case "struct":
		f.Type = TypeStruct
		if err := p.expect("["); err != nil {
			return nil, err
		}
		if f.Ref, err = p.ident("struct name"); err != nil {
			return nil, err
		}
		if err := p.expect("]"); err != nil {
			return nil, err
		}
	default:
		return nil, p.lx.errorf(f.Line, f.Col, "unknown type %q (int, int64, string, bytes or struct[NAME])", typ)
	}
	if f.Name, err = p.ident("field name"); err != nil {
		return nil, err
	}
	if p.tok.kind == tokPunct && p.tok.text == "[" {
		if f.Type != TypeBytes {
			return nil, p.errorf("field %s: only bytes may have a fixed length", f.Name)
		}
		if err := p.advance(); err != nil {
			return nil, err
		}
		n, _, err := p.number("length")
		if err != nil {
			return nil, err
		}
		if n == 0 || n > maxFixed {
			return nil, p.lx.errorf(f.Line, f.Col, "field %s: fixed length %d out of range 1..%d", f.Name, n, maxFixed)
		}
		f.Size = int(n)
		if err := p.expect("]"); err != nil {
			return nil, err
		}
	}
	if err := p.expect("="); err != nil {
		return nil, err
	}
	if f.Tag, f.TagHex, err = p.number("tag"); err != nil {
		return nil, err
	}
	if err := p.expect(";"); err != nil {
		return nil, err
	}
	if f.Array && f.Type == TypeBytes {
		return nil, p.lx.errorf(f.Line, f.Col, "field %s: bytes cannot be an array", f.Name)
	}
	return f, nil
}

// check verifies what the grammar cannot: unique names and tags, defined
// references, Go names that do not collide, no struct requiring itself.
func check(f *File) error {
	structs := make(map[string]*Struct)
	goNames := make(map[string]string)
	for _, s := range f.Structs {
		if structs[s.Name] != nil {
			return &SyntaxError{Line: s.Line, Col: 1, Msg: fmt.Sprintf("struct %s defined twice", s.Name)}
		}
		structs[s.Name] = s
		gn := goName(s.Name)
		if gn == "" {
			return &SyntaxError{Line: s.Line, Col: 1, Msg: fmt.Sprintf("struct %s has no usable Go name", s.Name)}
		}
		if other, ok := goNames[gn]; ok {
			return &SyntaxError{Line: s.Line, Col: 1, Msg: fmt.Sprintf("structs %s and %s both become Go type %s", other, s.Name, gn)}
		}
		goNames[gn] = s.Name
	}
	for _, s := range f.Structs {
		names := make(map[string]bool)
		fieldGo := make(map[string]string)
		tags := make(map[uint32]string)
		for _, fl := range s.Fields {
			errAt := func(format string, args ...any) error {
				return &SyntaxError{Line: fl.Line, Col: fl.Col, Msg: fmt.Sprintf("struct %s: ", s.Name) + fmt.Sprintf(format, args...)}
			}
			if names[fl.Name] {
				return errAt("field %s defined twice", fl.Name)
			}
			names[fl.Name] = true
			gn := goName(fl.Name)
			if gn == "" {
				return errAt("field %s has no usable Go name", fl.Name)
			}
			if other, ok := fieldGo[gn]; ok {
				return errAt("fields %s and %s both become Go field %s", other, fl.Name, gn)
			}
			fieldGo[gn] = fl.Name
			if other, ok := tags[fl.Tag]; ok {
				return errAt("fields %s and %s share tag %d", other, fl.Name, fl.Tag)
			}
			tags[fl.Tag] = fl.Name
			if fl.Type == TypeStruct && structs[fl.Ref] == nil {
				return errAt("field %s: struct %s is not defined", fl.Name, fl.Ref)
			}
		}
	}
	return checkCycles(f, structs)
}

// checkCycles rejects a struct that contains itself through required
// struct fields: no message of it could ever be complete, and its Go type
// would be infinitely large.
func checkCycles(f *File, structs map[string]*Struct) error {
	const (
		unseen = iota
		visiting
		done
	)
	state := make(map[string]int)
	var visit func(s *Struct, path []string) error
	visit = func(s *Struct, path []string) error {
		switch state[s.Name] {
		case visiting:
			return &SyntaxError{Line: s.Line, Col: 1, Msg: fmt.Sprintf("struct %s requires itself (%s)", s.Name, strings.Join(append(path, s.Name), " -> "))}
		case done:
			return nil
		}
		state[s.Name] = visiting
		for _, fl := range s.Fields {
			if fl.Type == TypeStruct && !fl.Optional && !fl.Array {
				if err := visit(structs[fl.Ref], append(path, s.Name)); err != nil {
					return err
				}
			}
		}
		state[s.Name] = done
		return nil
	}
	for _, s := range f.Structs {
		if err := visit(s, nil); err != nil {
			return err
		}
	}
	return nil
}

// goName turns a .rpc name into an exported Go name: from_name becomes
// FromName, kill becomes Kill. It returns "" for a name made of
// underscores only.
func goName(name string) string {
	var b strings.Builder
	for part := range strings.SplitSeq(name, "_") {
		if part == "" {
			continue
		}
		c := part[0]
		if 'a' <= c && c <= 'z' {
			c -= 'a' - 'A'
		}
		if b.Len() == 0 && isDigit(c) {
			b.WriteByte('X')
		}
		b.WriteByte(c)
		b.WriteString(part[1:])
	}
	return b.String()
}
