//go:build amd64 && !purego

package evbuffer

import (
	"bytes"
	"math/bits"
)

// index returns the index of the first occurrence of w in d, or -1, like
// bytes.Index. Needles of two bytes or more are found by a packed filter on two bytes at once:
// a position is a candidate only if it holds w's first byte AND the byte
// len(w)-1 further holds w's last byte. On text that repeats w's first
// byte often (a CR every line when looking for "\r\n\r\n") this leaves
// almost no false candidates, where bytes.Index pays a call per occurrence
// of the first byte. A filter that keeps failing (adversarial data, long
// needles) hands the rest of d to bytes.Index, so the worst case stays
// what bytes.Index guarantees.
func index(d, w []byte) int {
	m := len(w)
	if m < 2 || len(d) < 64 {
		return bytes.Index(d, w)
	}
	c0, c1, k := w[0], w[m-1], m-1
	mid := w[1:k]
	fails, i := 0, 0
	for {
		rest := d[i:]
		if len(rest)-k < pairBlock {
			break // the scanner needs one whole block
		}
		pos, mask := pairIndex(rest, c0, c1, k)
		if pos < 0 {
			// Blocks start every pairBlock positions while
			// start+k+pairBlock <= len(rest); the tail after them is left.
			i += ((len(rest)-k-pairBlock)/pairBlock + 1) * pairBlock
			break
		}
		base := i + pos
		for ; mask != 0; mask &= mask - 1 {
			j := base + bits.TrailingZeros32(mask)
			// j+m <= len(d): the scanner read d[j+k] itself.
			if bytes.Equal(d[j+1:j+k], mid) {
				return j
			}
			fails++
		}
		i = base + pairBlock
		if fails > 16+i/8 {
			break // too many false candidates: let bytes.Index finish
		}
	}
	if r := bytes.Index(d[i:], w); r >= 0 {
		return i + r
	}
	return -1
}

// pairBlock is the number of positions pairIndex tests at once.
const pairBlock = 16

// pairIndex tests the positions of s in blocks of pairBlock, starting at
// 0, pairBlock, 2*pairBlock ... while a block's start+k+pairBlock <=
// len(s). It returns the start of the first block holding a position i
// with s[i] == c0 and s[i+k] == c1, and a mask with bit j set for each
// such position start+j; or pos -1 when no block has one. SSE2, which
// every amd64 processor has.
//
//go:noescape
func pairIndex(s []byte, c0, c1 byte, k int) (pos int, mask uint32)
