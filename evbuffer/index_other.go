//go:build !amd64 || purego

package evbuffer

import "bytes"

// index returns the index of the first occurrence of w in d, or -1: here
// bytes.Index itself (amd64 has a packed two-byte filter in front of it).
func index(d, w []byte) int { return bytes.Index(d, w) }
