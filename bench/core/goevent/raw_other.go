//go:build unix && !linux

package main

import (
	"syscall"
	"unsafe"
)

// Elsewhere the ordinary path: raw system calls are Linux-only here.

func read1(fd int, b *byte) (int, syscall.Errno) {
	n, err := syscall.Read(fd, unsafe.Slice(b, 1))
	return n, errnoOf(err)
}

func write1(fd int, b *byte) (int, syscall.Errno) {
	n, err := syscall.Write(fd, unsafe.Slice(b, 1))
	return n, errnoOf(err)
}

func errnoOf(err error) syscall.Errno {
	if err == nil {
		return 0
	}
	if e, ok := err.(syscall.Errno); ok {
		return e
	}
	return syscall.EIO
}
