package evtag

import (
	"fmt"
	"reflect"
)

// appendStruct appends the fields of struct value v, described by si, in
// declaration order: required fields always, optional ones when set,
// arrays one element per entry (event_rpcgen's X_marshal).
func appendStruct(dst []byte, si *structInfo, v reflect.Value, depth int) ([]byte, error) {
	if depth > MaxDepth {
		return dst, ErrTooDeep
	}
	for i := range si.fields {
		fi := &si.fields[i]
		var err error
		if dst, err = appendField(dst, fi, v.Field(fi.index), depth); err != nil {
			return dst, &FieldError{Struct: si.typ, Field: fi.name, Tag: fi.tag, Err: err}
		}
	}
	return dst, nil
}

func appendField(dst []byte, fi *fieldInfo, f reflect.Value, depth int) ([]byte, error) {
	if fi.array {
		for j := range f.Len() {
			var err error
			if dst, err = appendValue(dst, fi, f.Index(j), depth); err != nil {
				return dst, fmt.Errorf("entry %d: %w", j, err)
			}
		}
		return dst, nil
	}
	if fi.optional && f.IsNil() {
		return dst, nil
	}
	return appendValue(dst, fi, f, depth)
}

// appendValue appends one element with fi's tag holding v, which is a
// pointer when fi.ptr is set.
func appendValue(dst []byte, fi *fieldInfo, v reflect.Value, depth int) ([]byte, error) {
	if fi.ptr {
		if v.IsNil() {
			return dst, ErrMissing
		}
		v = v.Elem()
	}
	switch fi.kind {
	case kindInt:
		if fi.signed {
			return EncodeInt(dst, fi.tag, uint32(v.Int())), nil
		}
		return EncodeInt(dst, fi.tag, uint32(v.Uint())), nil
	case kindInt64:
		if fi.signed {
			return EncodeInt64(dst, fi.tag, uint64(v.Int())), nil
		}
		return EncodeInt64(dst, fi.tag, v.Uint()), nil
	case kindString:
		return EncodeString(dst, fi.tag, v.String())
	case kindBytes:
		return EncodeBytes(dst, fi.tag, v.Bytes())
	case kindFixed:
		dst, err := AppendHeader(dst, fi.tag, v.Len())
		if err != nil {
			return dst, err
		}
		return appendArray(dst, v), nil
	default: // kindStruct
		dst, n := StartNested(dst, fi.tag)
		dst, err := appendStruct(dst, fi.elem, v, depth+1)
		if err != nil {
			return dst, err
		}
		return EndNested(dst, n)
	}
}

// appendArray appends the bytes of the [N]byte value v.
func appendArray(dst []byte, v reflect.Value) []byte {
	if v.CanAddr() {
		return append(dst, v.Bytes()...)
	}
	for i := range v.Len() {
		dst = append(dst, byte(v.Index(i).Uint()))
	}
	return dst
}
