package evbuffer

import (
	"sync"

	"golang.org/x/sys/unix"

	"github.com/goevent/goevent/internal/sys"
)

// Owned memory comes in size classes of 512 B << i, i in [0, numClasses):
// 512 B, 1 KiB, ... 64 KiB. Each class has its own sync.Pool; a block goes
// back to its pool as soon as its last byte is drained. Requests above the
// largest class (a large Pullup or Reserve) get an unpooled block that the
// garbage collector reclaims.
const (
	minClassShift = 9
	numClasses    = 8
	minClass      = 1 << minClassShift                    // 512
	maxClass      = 1 << (minClassShift + numClasses - 1) // 64 KiB
)

// block is one owned allocation. Pools hold *block so that Put does not
// allocate an interface box for a slice header.
type block struct {
	b     []byte // immutable; len(b) == cap(b) == the class size
	class int8   // immutable; index into pools, or -1 for an unpooled block
}

// pools and iovPool are the package's only package-level state, as
// ARCHITECTURE.md allows; sync.Pool is safe from any goroutine.
var pools [numClasses]sync.Pool

// classOf returns the smallest class holding n bytes, or -1 when n exceeds
// maxClass.
func classOf(n int) int {
	if n > maxClass {
		return -1
	}
	c := 0
	for size := minClass; size < n; size <<= 1 {
		c++
	}
	return c
}

// getBlock returns a block of at least n bytes (n >= 0), from its class's
// pool when n <= maxClass.
func getBlock(n int) *block {
	c := classOf(n)
	if c < 0 {
		return &block{b: make([]byte, n), class: -1}
	}
	if v := pools[c].Get(); v != nil {
		return v.(*block)
	}
	return &block{b: make([]byte, minClass<<c), class: int8(c)}
}

// putBlock returns blk to its pool. Nothing may use blk afterwards.
func putBlock(blk *block) {
	if blk.class >= 0 {
		pools[blk.class].Put(blk)
	}
}

// iovArray backs writev calls over more segments than fit the small array
// on the stack.
type iovArray [sys.IOVMax]unix.Iovec

var iovPool = sync.Pool{New: func() any { return new(iovArray) }}
