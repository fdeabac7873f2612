package evtag

import (
	"errors"
	"fmt"
	"reflect"
)

// Errors returned by evtag. Each is comparable with errors.Is; a returned
// error usually wraps one of them with detail, and errors from Marshal and
// Unmarshal about one field come as a *FieldError that unwraps to them.
var (
	// ErrTruncated is returned when the input ends inside a tag, a number
	// or a payload: an element's Length promises more bytes than remain.
	// libevent's evtag_unmarshal_header fails the same way.
	ErrTruncated = errors.New("evtag: truncated input")
	// ErrOverflow is returned when a number does not fit its width: a tag
	// of more than 32 bits, an int with more than 8 nibbles, an int64 with
	// more than 16.
	ErrOverflow = errors.New("evtag: number overflows its type")
	// ErrMalformed is returned when an element is inconsistent with its
	// Length: an int or timeval whose encoding runs past the payload, or
	// fixed-size bytes whose Length is not the size expected.
	ErrMalformed = errors.New("evtag: malformed element")
	// ErrTagMismatch is returned by a Decoder's typed reads (Int, String,
	// ...) when the next element carries another tag, as libevent's
	// evtag_unmarshal_* functions fail when the tag is not need_tag.
	ErrTagMismatch = errors.New("evtag: unexpected tag")
	// ErrTooLarge is returned when a payload is longer than MaxPayload,
	// the most a Length can say.
	ErrTooLarge = errors.New("evtag: payload too large")
	// ErrUnknownTag is returned by Unmarshal for a tag that no field of
	// the struct carries, unless Codec.SkipUnknown is set (libevent's
	// generated code always fails).
	ErrUnknownTag = errors.New("evtag: unknown tag")
	// ErrDuplicate is returned by Unmarshal when a field that is not an
	// array appears twice.
	ErrDuplicate = errors.New("evtag: repeated field")
	// ErrMissing is returned by Unmarshal when a required field is absent
	// from the input, and by Marshal when a required field is a nil
	// pointer (libevent's X_complete check).
	ErrMissing = errors.New("evtag: missing required field")
	// ErrTooDeep is returned by Unmarshal when structs nest deeper than
	// MaxDepth; libevent has no limit and recurses on the C stack.
	ErrTooDeep = errors.New("evtag: structs nested too deep")
	// ErrBadType is returned by Marshal and Unmarshal for a value they
	// cannot handle: not a struct (or, for Unmarshal, not a non-nil
	// pointer to one), a field type outside the supported set, a
	// malformed or repeated `evtag` field tag. It is a programming error
	// and does not depend on the input bytes.
	ErrBadType = errors.New("evtag: unsupported type")
)

// A FieldError reports an error in one field of a struct being marshalled
// or unmarshalled, or (with Field empty) an element whose tag no field of
// the struct carries. Nested structs add their own FieldError, so Error
// reads as a path from the outer struct inward.
type FieldError struct {
	Struct reflect.Type // the struct type holding the field
	Field  string       // the Go field name
	Tag    uint32       // the field's evtag number
	Err    error        // what went wrong; wraps one of the sentinel errors
}

// Error implements error.
func (e *FieldError) Error() string {
	if e.Field == "" {
		return fmt.Sprintf("%s: tag %d: %v", e.Struct, e.Tag, e.Err)
	}
	return fmt.Sprintf("%s.%s (tag %d): %v", e.Struct, e.Field, e.Tag, e.Err)
}

// Unwrap returns e.Err.
func (e *FieldError) Unwrap() error { return e.Err }
