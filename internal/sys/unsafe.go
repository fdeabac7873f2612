package sys

// This is the package's one file that uses unsafe.

import (
	"unsafe"

	"golang.org/x/sys/unix"
)

func ptrOf(rsa *unix.RawSockaddrAny) unsafe.Pointer { return unsafe.Pointer(rsa) }

func bytesPtr(p []byte) unsafe.Pointer {
	if len(p) == 0 {
		return unsafe.Pointer(&zero)
	}
	return unsafe.Pointer(&p[0])
}

var zero uintptr // target for zero-length buffers; never written

func anyPtr[T any](p *T) unsafe.Pointer { return unsafe.Pointer(p) }

// slicePtr is the address of s's first element, or of a dummy word when s
// is empty (the kernel reads nothing through it then).
func slicePtr[T any](s []T) unsafe.Pointer {
	if len(s) == 0 {
		return unsafe.Pointer(&zero)
	}
	return unsafe.Pointer(&s[0])
}

// netPort reads a port stored in network byte order.
func netPort(p *uint16) uint16 {
	b := (*[2]byte)(unsafe.Pointer(p))
	return uint16(b[0])<<8 | uint16(b[1])
}

// putNetPort stores port in network byte order.
func putNetPort(p *uint16, port uint16) {
	b := (*[2]byte)(unsafe.Pointer(p))
	b[0], b[1] = byte(port>>8), byte(port)
}

// iovecBytes is the memory an iovec points at.
func iovecBytes(v *unix.Iovec) []byte { return unsafe.Slice(v.Base, v.Len) }
