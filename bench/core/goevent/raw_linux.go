//go:build linux

package main

import (
	"syscall"
	"unsafe"
)

// read1 and write1 move one byte on a non-blocking fd with a raw system
// call, bypassing the scheduler's entersyscall/exitsyscall: such a call
// cannot block, and this is the path core itself takes for its own
// non-blocking I/O (see BENCHMARKING.md).

func read1(fd int, b *byte) (int, syscall.Errno) {
	n, _, e := syscall.RawSyscall(syscall.SYS_READ, uintptr(fd), uintptr(unsafe.Pointer(b)), 1)
	return int(n), e
}

func write1(fd int, b *byte) (int, syscall.Errno) {
	n, _, e := syscall.RawSyscall(syscall.SYS_WRITE, uintptr(fd), uintptr(unsafe.Pointer(b)), 1)
	return int(n), e
}
