package evtag

import (
	"fmt"
	"reflect"
)

// MaxDepth is how deep structs may nest in a message Marshal writes or
// Unmarshal reads; a deeper one is ErrTooDeep. Only recursive types can
// reach it.
const MaxDepth = 100

// decodeState carries what a decode needs besides the input.
type decodeState struct {
	skipUnknown bool
}

// decodeStruct reads elements from d until it is empty into the zeroed
// struct v described by si (event_rpcgen's X_unmarshal): an unknown tag,
// a repeated field that is not an array or a missing required field is an
// error.
func (s *decodeState) decodeStruct(d *Decoder, si *structInfo, v reflect.Value, depth int) error {
	if depth > MaxDepth {
		return ErrTooDeep
	}
	var seenBuf [64]bool
	seen := seenBuf[:0]
	if len(si.fields) <= len(seenBuf) {
		seen = seenBuf[:len(si.fields)]
	} else {
		seen = make([]bool, len(si.fields))
	}
	present := 0
	for d.Len() > 0 {
		tag, err := d.Peek()
		if err != nil {
			return fmt.Errorf("%s: %w", si.typ, err)
		}
		i := si.field(tag)
		if i < 0 {
			if !s.skipUnknown {
				return &FieldError{Struct: si.typ, Tag: tag, Err: ErrUnknownTag}
			}
			if err := d.Skip(); err != nil {
				return fmt.Errorf("%s: skipping tag %d: %w", si.typ, tag, err)
			}
			continue
		}
		fi := &si.fields[i]
		if seen[i] && !fi.array {
			return &FieldError{Struct: si.typ, Field: fi.name, Tag: fi.tag, Err: ErrDuplicate}
		}
		if err := s.decodeField(d, fi, v.Field(fi.index), depth); err != nil {
			return &FieldError{Struct: si.typ, Field: fi.name, Tag: fi.tag, Err: err}
		}
		if !seen[i] && !fi.optional && !fi.array {
			present++
		}
		seen[i] = true
	}
	if present < si.required {
		for i := range si.fields {
			if fi := &si.fields[i]; !seen[i] && !fi.optional && !fi.array {
				return &FieldError{Struct: si.typ, Field: fi.name, Tag: fi.tag, Err: ErrMissing}
			}
		}
	}
	return nil
}

// decodeField reads one element into field f: the field itself, a new
// value it points to, or a new entry appended to its slice.
func (s *decodeState) decodeField(d *Decoder, fi *fieldInfo, f reflect.Value, depth int) error {
	target := f
	if fi.array {
		n := f.Len()
		if n == 0 {
			// Size the slice for all its entries at once.
			f.Grow(d.count(fi.tag))
		} else {
			f.Grow(1)
		}
		f.SetLen(n + 1)
		target = f.Index(n)
	}
	if fi.ptr {
		p := reflect.New(target.Type().Elem())
		if err := s.decodeValue(d, fi, p.Elem(), depth); err != nil {
			return err
		}
		target.Set(p)
		return nil
	}
	if err := s.decodeValue(d, fi, target, depth); err != nil {
		if fi.array {
			f.SetLen(f.Len() - 1)
		}
		return err
	}
	return nil
}

// decodeValue reads one element with fi's tag into v.
func (s *decodeState) decodeValue(d *Decoder, fi *fieldInfo, v reflect.Value, depth int) error {
	switch fi.kind {
	case kindInt:
		x, err := d.Int(fi.tag)
		if err != nil {
			return err
		}
		if fi.signed {
			v.SetInt(int64(int32(x)))
		} else {
			v.SetUint(uint64(x))
		}
	case kindInt64:
		x, err := d.Int64(fi.tag)
		if err != nil {
			return err
		}
		if fi.signed {
			v.SetInt(int64(x))
		} else {
			v.SetUint(x)
		}
	case kindString:
		x, err := d.String(fi.tag)
		if err != nil {
			return err
		}
		v.SetString(x)
	case kindBytes:
		x, err := d.Bytes(fi.tag)
		if err != nil {
			return err
		}
		v.SetBytes(append([]byte{}, x...))
	case kindFixed:
		return d.Fixed(fi.tag, v.Bytes())
	default: // kindStruct
		p, err := d.Bytes(fi.tag)
		if err != nil {
			return err
		}
		var nd Decoder
		nd.Reset(p)
		return s.decodeStruct(&nd, fi.elem, v, depth+1)
	}
	return nil
}
