package ssl

import (
	"bytes"
	"crypto/tls"
	"reflect"
	"sync"
	"unsafe"
)

// This file is the package's only use of unsafe: it lets an idle
// established connection give back the record buffers crypto/tls keeps
// for the life of a tls.Conn (its raw input grows to the largest record
// read, its handshake buffer to the largest handshake message, and neither
// ever shrinks). The fields are found by name and type with reflect, so a
// crypto/tls that renames or retypes them makes tlsBuffers report false
// and the connection simply keeps its buffers.

// tlsBuffers points into one tls.Conn's private buffers.
type tlsBuffers struct {
	rawInput *bytes.Buffer // records read, not yet processed
	input    *bytes.Reader // decrypted application data; aliases rawInput
	hand     *bytes.Buffer // handshake bytes not yet processed
	lent     *[]byte       // the pooled buffer rawInput started with, or nil
}

// findTLSBuffers locates conn's buffers; ok is false when crypto/tls's
// layout is not the expected one.
func findTLSBuffers(conn *tls.Conn) (b tlsBuffers, ok bool) {
	v := reflect.ValueOf(conn).Elem()
	field := func(name string, typ reflect.Type) unsafe.Pointer {
		f := v.FieldByName(name)
		if !f.IsValid() || f.Type() != typ {
			return nil
		}
		return unsafe.Pointer(f.UnsafeAddr())
	}
	bufT, rdT := reflect.TypeFor[bytes.Buffer](), reflect.TypeFor[bytes.Reader]()
	raw, in, hand := field("rawInput", bufT), field("input", rdT), field("hand", bufT)
	if raw == nil || in == nil || hand == nil {
		return tlsBuffers{}, false
	}
	return tlsBuffers{rawInput: (*bytes.Buffer)(raw), input: (*bytes.Reader)(in), hand: (*bytes.Buffer)(hand)}, true
}

// recordBufSize holds any record crypto/tls reads (16 KiB + 256 of
// ciphertext, the header) plus the bytes.MinRead it asks room for, so a
// lent buffer never has to grow.
const recordBufSize = 18 << 10

// recordBufs are the record buffers lent to connections while they read.
// A cache of free memory, like evbuffer's block pools: no connection state
// lives in it.
var recordBufs = sync.Pool{New: func() any { b := make([]byte, 0, recordBufSize); return &b }}

// lend gives conn a pooled raw input buffer when it has none. Loop
// goroutine, with no Read in progress.
func (b *tlsBuffers) lend() {
	if b.lent != nil || b.rawInput.Cap() != 0 {
		return
	}
	b.lent = recordBufs.Get().(*[]byte)
	*b.rawInput = *bytes.NewBuffer((*b.lent)[:0])
}

// release takes conn's record buffers back when nothing is buffered in
// them: the lent raw input buffer goes back to the pool (crypto/tls no
// longer references it once rawInput and input are cleared, even if it
// grew away from it), a buffer of its own and the handshake buffer to the
// garbage collector. Loop goroutine, with no Read in progress.
func (b *tlsBuffers) release() {
	if b.rawInput.Len() != 0 || b.input.Len() != 0 {
		return
	}
	if b.hand.Len() == 0 && b.hand.Cap() != 0 {
		*b.hand = bytes.Buffer{}
	}
	*b.input = bytes.Reader{}
	*b.rawInput = bytes.Buffer{}
	if b.lent != nil {
		recordBufs.Put(b.lent)
		b.lent = nil
	}
}
