//go:build unix

package evbuffer

import (
	"io"
	"os"

	"golang.org/x/sys/unix"

	"github.com/goevent/goevent/internal/sys"
	"github.com/goevent/goevent/sendfile"
)

// readIOVs is how many iovecs ReadFromFD passes to readv, as libevent.
const readIOVs = 4

// ReadFromFD reads from the non-blocking descriptor fd into the end of the
// buffer with one readv(2) over up to four pieces of free space (the last
// block's room, then new pooled blocks; read(2) when one piece holds it
// all), and returns the bytes read. It
// reads at most atMost bytes, and never more than the buffer's MaxRead (so
// atMost < 0 means MaxRead). EOF returns (0, io.EOF); a descriptor with
// nothing to read returns (0, unix.EAGAIN), bare; other failures an
// *os.SyscallError. It fails with ErrFrozen when the end is frozen.
//
// The raw syscall path is used on Linux, so fd must be non-blocking.
func (b *Buffer) ReadFromFD(fd int, atMost int) (int, error) {
	if b.frozenEnd {
		return 0, ErrFrozen
	}
	if mr := b.MaxRead(); atMost < 0 || atMost > mr {
		atMost = mr
	}
	if atMost == 0 {
		return 0, nil
	}
	b.touch()
	var iov [readIOVs]unix.Iovec
	var blks [readIOVs]*block
	var one []byte // the space, when it is one piece: read(2) then
	nv, have, tail := 0, 0, 0
	if !b.empty() {
		if t := b.lastSeg(); t.room() > 0 {
			tail = min(t.room(), atMost)
			one = t.buf[t.end : t.end+tail]
			iov[0].Base = &one[0]
			iov[0].SetLen(tail)
			nv, have = 1, tail
		}
	}
	for first := nv; nv < readIOVs && have < atMost; nv++ {
		blk := b.newBlock(atMost - have)
		blks[nv-first] = blk
		k := min(len(blk.b), atMost-have)
		if nv == 0 {
			one = blk.b[:k]
		}
		iov[nv].Base = &blk.b[0]
		iov[nv].SetLen(k)
		have += k
	}
	var n int
	var err error
	call := "readv"
	for {
		if nv == 1 {
			// One piece (the usual case: one pooled block as big as a
			// read may be) costs the kernel less as read than as readv.
			call = "read"
			n, err = sys.Read(fd, one)
		} else {
			n, err = sys.Readv(fd, iov[:nv])
		}
		if err != unix.EINTR {
			break
		}
	}
	if n <= 0 {
		for _, blk := range blks {
			if blk != nil {
				putBlock(blk)
			}
		}
		switch {
		case err == unix.EAGAIN || err == unix.EWOULDBLOCK:
			return 0, err
		case err != nil:
			return 0, os.NewSyscallError(call, err)
		}
		return 0, io.EOF
	}
	orig := b.n
	left := n
	if tail > 0 {
		k := min(tail, left)
		b.lastSeg().end += k
		left -= k
	}
	for _, blk := range blks {
		if blk == nil {
			continue
		}
		if left == 0 {
			putBlock(blk)
			continue
		}
		k := min(len(blk.b), left)
		b.pushBack(segment{buf: blk.b, end: k, blk: blk})
		left -= k
	}
	b.n += n
	b.notify(orig, n, 0)
	return n, nil
}

// smallIOVs is how many iovecs WriteToFD keeps on the stack before it
// borrows a pooled array of sys.IOVMax.
const smallIOVs = 16

// WriteToFD writes up to atMost bytes (all if atMost < 0) from the front of the
// buffer to the non-blocking descriptor fd, drains what was written, and
// returns how many bytes that was. Memory segments go out with writev(2)
// (write(2) for a single one),
// up to sys.IOVMax of them per call; a file segment at the front goes out
// with sendfile.Send. It keeps calling while the descriptor takes
// everything offered and bytes remain, and stops at the first short write.
// A descriptor that took nothing returns (0, unix.EAGAIN), bare; after
// some progress the error of the next call is dropped and the count
// returned, so the caller sees it on its next call. No byte is lost or
// written twice: only written bytes are drained. Other failures return an
// *os.SyscallError (or sendfile's error for a file segment). It fails with
// ErrFrozen when the front is frozen.
//
// The raw syscall path is used on Linux, so fd must be non-blocking.
func (b *Buffer) WriteToFD(fd int, atMost int) (int, error) {
	if b.frozenFront {
		return 0, ErrFrozen
	}
	if atMost < 0 || atMost > b.n {
		atMost = b.n
	}
	total := 0
	for total < atMost && b.n > 0 { // a callback may have drained the rest
		n, want, err := b.writeOnce(fd, atMost-total)
		if n > 0 {
			b.touch()
			orig := b.n
			b.drain(n, false)
			total += n
			b.notify(orig, 0, n)
		}
		if err != nil {
			if total > 0 {
				return total, nil
			}
			return 0, err
		}
		if n < want || b.frozenFront { // the descriptor is full, or a callback froze the front
			break
		}
	}
	return total, nil
}

// writeOnce makes one writev or sendfile call for up to atMost bytes from the
// front, and returns what was written and what was offered. It does not
// drain.
func (b *Buffer) writeOnce(fd int, atMost int) (n, want int, err error) {
	f := b.firstSeg()
	if f.file != nil {
		want = min(f.len(), atMost)
		sent, err := sendfile.Send(fd, f.file, f.foff+int64(f.off), int64(want))
		if sent == 0 && err == nil {
			err = io.ErrNoProgress // Send promises (0, EAGAIN) instead
		}
		return int(sent), want, err
	}
	var small [smallIOVs]unix.Iovec
	iov := small[:]
	var big *iovArray
	nv := 0
	for i := 0; i < b.nsegs() && want < atMost; i++ {
		s := b.seg(i)
		if s.file != nil {
			break
		}
		if nv == len(iov) {
			if big != nil {
				break // sys.IOVMax reached
			}
			big = iovPool.Get().(*iovArray)
			copy(big[:], iov)
			iov = big[:]
		}
		k := min(s.len(), atMost-want)
		iov[nv].Base = &s.buf[s.off]
		iov[nv].SetLen(k)
		nv++
		want += k
	}
	call := "writev"
	for {
		if nv == 1 {
			// One piece goes out as write(2), cheaper than writev.
			call = "write"
			n, err = sys.Write(fd, f.buf[f.off:f.off+want])
		} else {
			n, err = sys.Writev(fd, iov[:nv])
		}
		if err != unix.EINTR {
			break
		}
	}
	clear(iov[:nv]) // drop the pointers before the array goes back to the pool
	if big != nil {
		iovPool.Put(big)
	}
	switch {
	case err == unix.EAGAIN || err == unix.EWOULDBLOCK:
		return 0, want, unix.EAGAIN
	case err != nil:
		return 0, want, os.NewSyscallError(call, err)
	}
	return n, want, nil
}
