package main

import (
	"fmt"
)

// tokKind is the kind of a token of a .rpc file.
type tokKind uint8

const (
	tokEOF    tokKind = iota
	tokIdent          // struct, optional, msg, from_name...
	tokNumber         // 12, 0x10121
	tokPunct          // { } [ ] = ;
)

// lexeme is one token and where it starts.
type lexeme struct {
	kind tokKind
	text string
	line int
	col  int
}

func (t lexeme) String() string {
	if t.kind == tokEOF {
		return "end of file"
	}
	return fmt.Sprintf("%q", t.text)
}

// lexer splits a .rpc file into tokens. It skips white space, C and C++
// comments and preprocessor lines (a '#' first on its line), which
// event_rpcgen copies into its C output and which mean nothing for Go.
type lexer struct {
	src       []byte
	pos       int
	line, col int
	lineStart bool // only white space since the start of the line
}

func newLexer(src []byte) *lexer { return &lexer{src: src, line: 1, col: 1, lineStart: true} }

// advance consumes one byte.
func (lx *lexer) advance() {
	if lx.src[lx.pos] == '\n' {
		lx.line, lx.col, lx.lineStart = lx.line+1, 1, true
	} else {
		lx.col++
	}
	lx.pos++
}

func (lx *lexer) errorf(line, col int, format string, args ...any) error {
	return &SyntaxError{Line: line, Col: col, Msg: fmt.Sprintf(format, args...)}
}

// next returns the next token.
func (lx *lexer) next() (lexeme, error) {
	if err := lx.skip(); err != nil {
		return lexeme{}, err
	}
	if lx.pos >= len(lx.src) {
		return lexeme{kind: tokEOF, line: lx.line, col: lx.col}, nil
	}
	t := lexeme{line: lx.line, col: lx.col}
	start := lx.pos
	c := lx.src[lx.pos]
	switch {
	case isIdentStart(c):
		for lx.pos < len(lx.src) && isIdentByte(lx.src[lx.pos]) {
			lx.advance()
		}
		t.kind = tokIdent
	case isDigit(c):
		for lx.pos < len(lx.src) && isIdentByte(lx.src[lx.pos]) {
			lx.advance()
		}
		t.kind = tokNumber
	case c == '{' || c == '}' || c == '[' || c == ']' || c == '=' || c == ';':
		lx.advance()
		t.kind = tokPunct
	default:
		return lexeme{}, lx.errorf(t.line, t.col, "unexpected character %q", c)
	}
	lx.lineStart = false
	t.text = string(lx.src[start:lx.pos])
	return t, nil
}

// skip moves past white space, comments and preprocessor lines.
func (lx *lexer) skip() error {
	for lx.pos < len(lx.src) {
		c := lx.src[lx.pos]
		switch {
		case c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' || c == '\v':
			lx.advance()
		case c == '#' && lx.lineStart:
			for lx.pos < len(lx.src) && lx.src[lx.pos] != '\n' {
				lx.advance()
			}
		case c == '/' && lx.peek(1) == '/':
			for lx.pos < len(lx.src) && lx.src[lx.pos] != '\n' {
				lx.advance()
			}
		case c == '/' && lx.peek(1) == '*':
			line, col := lx.line, lx.col
			lx.advance()
			lx.advance()
			for {
				if lx.pos >= len(lx.src) {
					return lx.errorf(line, col, "unterminated comment")
				}
				if lx.src[lx.pos] == '*' && lx.peek(1) == '/' {
					lx.advance()
					lx.advance()
					break
				}
				lx.advance()
			}
		default:
			return nil
		}
	}
	return nil
}

func (lx *lexer) peek(off int) byte {
	if lx.pos+off < len(lx.src) {
		return lx.src[lx.pos+off]
	}
	return 0
}

func isIdentStart(c byte) bool {
	return c == '_' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z'
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

func isIdentByte(c byte) bool { return isIdentStart(c) || isDigit(c) }
