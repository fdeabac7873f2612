package evtag

import (
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"sync"
)

// kind is the wire type of a field, as event_rpcgen names them.
type kind uint8

const (
	kindInt    kind = iota + 1 // int: uint32 or int32
	kindInt64                  // int64: uint64 or int64
	kindString                 // string
	kindBytes                  // bytes: []byte
	kindFixed                  // bytes f[N]: [N]byte
	kindStruct                 // struct[T]
)

// fieldInfo describes one tagged field of a struct.
type fieldInfo struct {
	name     string
	tag      uint32
	index    int  // index in the struct
	kind     kind // of the field, or of the array element
	optional bool // absent when nil
	array    bool // a slice, one element per entry
	ptr      bool // the field (or array element) is a pointer to its value
	signed   bool // int32 or int64 rather than uint32 or uint64
	elem     *structInfo
}

// structInfo describes a struct type: its tagged fields in declaration
// order, which is the order Marshal writes them in.
type structInfo struct {
	typ      reflect.Type
	fields   []fieldInfo
	byTag    map[uint32]int // only for structs with many fields
	required int            // number of fields that must be present
}

// linearLookup is the field count up to which a linear scan beats a map.
const linearLookup = 16

// field returns the index of the field with tag, or -1.
func (si *structInfo) field(tag uint32) int {
	if si.byTag != nil {
		if i, ok := si.byTag[tag]; ok {
			return i
		}
		return -1
	}
	for i := range si.fields {
		if si.fields[i].tag == tag {
			return i
		}
	}
	return -1
}

// typeCache maps struct types to their *structInfo. A nil cache analyses
// types afresh on each call.
type typeCache struct {
	m *sync.Map
}

// lookup returns the description of struct type t.
func (c typeCache) lookup(t reflect.Type) (*structInfo, error) {
	if c.m != nil {
		if si, ok := c.m.Load(t); ok {
			return si.(*structInfo), nil
		}
	}
	b := builder{seen: make(map[reflect.Type]*structInfo)}
	si, err := b.build(t)
	if err != nil {
		return nil, err
	}
	if c.m != nil {
		// Store every type built along the way; a racing builder's
		// result is equivalent, keep whichever came first.
		for typ, info := range b.seen {
			c.m.LoadOrStore(typ, info)
		}
		if v, ok := c.m.Load(t); ok {
			si = v.(*structInfo)
		}
	}
	return si, nil
}

// builder analyses a struct type and the struct types it refers to,
// recursive ones included.
type builder struct {
	seen map[reflect.Type]*structInfo
}

func (b *builder) build(t reflect.Type) (*structInfo, error) {
	if si, ok := b.seen[t]; ok {
		return si, nil // possibly still being filled in: a recursive type
	}
	if t.Kind() != reflect.Struct {
		return nil, fmt.Errorf("%w: %s is not a struct", ErrBadType, t)
	}
	si := &structInfo{typ: t}
	b.seen[t] = si
	tags := make(map[uint32]string)
	for i := range t.NumField() {
		sf := t.Field(i)
		spec, ok := sf.Tag.Lookup("evtag")
		if !ok || spec == "-" {
			continue
		}
		fi, err := b.field(sf, spec)
		if err != nil {
			return nil, fmt.Errorf("%w: %s.%s: %w", ErrBadType, t, sf.Name, err)
		}
		if prev, dup := tags[fi.tag]; dup {
			return nil, fmt.Errorf("%w: %s: fields %s and %s share tag %d", ErrBadType, t, prev, sf.Name, fi.tag)
		}
		tags[fi.tag] = sf.Name
		fi.index = i
		if !fi.optional && !fi.array {
			si.required++
		}
		si.fields = append(si.fields, fi)
	}
	if len(si.fields) > linearLookup {
		si.byTag = make(map[uint32]int, len(si.fields))
		for i := range si.fields {
			si.byTag[si.fields[i].tag] = i
		}
	}
	return si, nil
}

// field analyses one tagged struct field. spec is its `evtag` tag: the
// number (decimal or 0x hex, as in .rpc files), then the options
// "optional" or "array".
func (b *builder) field(sf reflect.StructField, spec string) (fieldInfo, error) {
	fi := fieldInfo{name: sf.Name}
	if !sf.IsExported() {
		return fi, fmt.Errorf("unexported field has an evtag tag")
	}
	num, opts, _ := strings.Cut(spec, ",")
	tag, err := strconv.ParseUint(strings.TrimSpace(num), 0, 32)
	if err != nil {
		return fi, fmt.Errorf("tag number %q: %w", num, err)
	}
	fi.tag = uint32(tag)
	for opt := range strings.SplitSeq(opts, ",") {
		switch strings.TrimSpace(opt) {
		case "":
		case "optional":
			fi.optional = true
		case "array":
			fi.array = true
		default:
			return fi, fmt.Errorf("unknown option %q", opt)
		}
	}
	if fi.optional && fi.array {
		return fi, fmt.Errorf("a field cannot be both optional and an array")
	}

	t := sf.Type
	switch {
	case fi.array:
		if t.Kind() != reflect.Slice || t.Elem().Kind() == reflect.Uint8 {
			return fi, fmt.Errorf("array field must be a slice of ints, strings or structs, not %s", t)
		}
		t = t.Elem()
		if t.Kind() == reflect.Pointer {
			if t.Elem().Kind() != reflect.Struct {
				return fi, fmt.Errorf("array of pointers must point to structs, not %s", t.Elem())
			}
			fi.ptr = true
			t = t.Elem()
		}
		if err := b.setKind(&fi, t); err != nil {
			return fi, err
		}
		if fi.kind == kindFixed || fi.kind == kindBytes {
			return fi, fmt.Errorf("bytes cannot be an array (as in event_rpcgen)")
		}
	case t.Kind() == reflect.Pointer:
		fi.ptr = true
		if err := b.setKind(&fi, t.Elem()); err != nil {
			return fi, err
		}
		if !fi.optional && fi.kind != kindStruct {
			return fi, fmt.Errorf("a pointer field must be optional or point to a struct")
		}
	case t.Kind() == reflect.Slice:
		if err := b.setKind(&fi, t); err != nil {
			return fi, err
		}
		if fi.kind != kindBytes {
			return fi, fmt.Errorf("slice field %s needs the array option", t)
		}
	default:
		if fi.optional {
			return fi, fmt.Errorf("an optional field must be a pointer or []byte, not %s", t)
		}
		if err := b.setKind(&fi, t); err != nil {
			return fi, err
		}
	}
	return fi, nil
}

// setKind sets fi's wire kind from the Go type t of its value.
func (b *builder) setKind(fi *fieldInfo, t reflect.Type) error {
	switch t.Kind() {
	case reflect.Uint32:
		fi.kind = kindInt
	case reflect.Int32:
		fi.kind, fi.signed = kindInt, true
	case reflect.Uint64:
		fi.kind = kindInt64
	case reflect.Int64:
		fi.kind, fi.signed = kindInt64, true
	case reflect.String:
		fi.kind = kindString
	case reflect.Slice:
		if t.Elem().Kind() != reflect.Uint8 {
			return fmt.Errorf("unsupported type %s", t)
		}
		fi.kind = kindBytes
	case reflect.Array:
		if t.Elem().Kind() != reflect.Uint8 {
			return fmt.Errorf("unsupported type %s", t)
		}
		fi.kind = kindFixed
	case reflect.Struct:
		elem, err := b.build(t)
		if err != nil {
			return err
		}
		fi.kind, fi.elem = kindStruct, elem
	default:
		return fmt.Errorf("unsupported type %s (use uint32, int32, uint64, int64, string, []byte, [N]byte or a struct)", t)
	}
	return nil
}
