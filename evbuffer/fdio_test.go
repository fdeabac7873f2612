//go:build unix

package evbuffer

import (
	"bytes"
	"errors"
	"io"
	"math/rand/v2"
	"os"
	"sync"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

func TestReadFromFD(t *testing.T) {
	fds := socketpair(t)
	var b Buffer
	if n, err := b.ReadFromFD(fds[0], -1); n != 0 || err != unix.EAGAIN {
		t.Fatalf("ReadFromFD on an idle socket = %d, %v", n, err)
	}
	writeString(t, fds[1], "hello, world")
	if n, err := b.ReadFromFD(fds[0], 5); n != 5 || err != nil {
		t.Fatalf("ReadFromFD(5) = %d, %v", n, err)
	}
	if err := b.SetMaxRead(3); err != nil {
		t.Fatal(err)
	}
	if n, err := b.ReadFromFD(fds[0], -1); n != 3 || err != nil {
		t.Fatalf("ReadFromFD with MaxRead 3 = %d, %v", n, err)
	}
	if b.SetMaxRead(0) == nil {
		t.Fatal("SetMaxRead(0) accepted")
	}
	b.SetMaxRead(DefaultMaxRead)
	if n, err := b.ReadFromFD(fds[0], -1); n != 4 || err != nil {
		t.Fatalf("ReadFromFD rest = %d, %v", n, err)
	}
	if b.nsegs() != 1 {
		t.Fatalf("reads did not fill the tail block: %d segments", b.nsegs())
	}
	mustEqual(t, &b, []byte("hello, world"))
	closeEarly(fds, 1)
	if n, err := b.ReadFromFD(fds[0], -1); n != 0 || err != io.EOF {
		t.Fatalf("ReadFromFD at EOF = %d, %v", n, err)
	}
	mustEqual(t, &b, []byte("hello, world"))
	if _, err := b.ReadFromFD(-1, -1); err == nil || !errors.As(err, new(*os.SyscallError)) {
		t.Fatalf("ReadFromFD(-1) = %v", err)
	}
}

// TestReadFromFDLarge reads more than one block per call through several
// iovecs.
func TestReadFromFDLarge(t *testing.T) {
	fds := socketpair(t)
	data := make([]byte, 1<<20)
	for i := range data {
		data[i] = byte(i * 7)
	}
	done := make(chan struct{})
	defer func() { <-done }() // before Cleanup closes the socket
	wfd := fds[1]
	go func() {
		defer close(done)
		for off := 0; off < len(data); {
			n, err := unix.Write(wfd, data[off:])
			if err == unix.EAGAIN {
				unix.Poll([]unix.PollFd{{Fd: int32(wfd), Events: unix.POLLOUT}}, 1000)
				continue
			}
			if err != nil {
				return
			}
			off += n
		}
	}()
	var b Buffer
	b.AddString("x") // some room in the tail block, then new ones
	for b.Len() < len(data)+1 {
		_, err := b.ReadFromFD(fds[0], -1)
		if err == unix.EAGAIN {
			unix.Poll([]unix.PollFd{{Fd: int32(fds[0]), Events: unix.POLLIN}}, 1000)
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	mustEqual(t, &b, append([]byte("x"), data...))
}

// setSndBuf shrinks a socket's send buffer so writes are partial.
func setSndBuf(t *testing.T, fd, n int) {
	t.Helper()
	if err := unix.SetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_SNDBUF, n); err != nil {
		t.Fatal(err)
	}
	if err := unix.SetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_RCVBUF, n); err != nil {
		t.Fatal(err)
	}
}

// TestWriteToFDPartial writes a buffer of memory, reference and file
// segments through a socket with a tiny send buffer, with random limits,
// while a reader reassembles the stream; the bytes must arrive exactly once
// and in order, and every reference and file reference must be released.
func TestWriteToFDPartial(t *testing.T) {
	total := 8 << 20
	if testing.Short() {
		total = 1 << 20
	}
	fileData := make([]byte, 3<<20)
	for i := range fileData {
		fileData[i] = byte(i*13 + i>>8)
	}
	f := tempFile(t, fileData)
	fds := socketpair(t)
	setSndBuf(t, fds[0], 4096)
	setSndBuf(t, fds[1], 4096)

	r := rand.New(rand.NewPCG(1, 2))
	var b Buffer
	var want []byte
	released, refs := 0, 0
	for len(want) < total {
		switch r.IntN(4) {
		case 0:
			p := make([]byte, r.IntN(3000))
			for i := range p {
				p[i] = byte(r.IntN(256))
			}
			b.Add(p)
			want = append(want, p...)
		case 1:
			p := make([]byte, 1+r.IntN(100000))
			for i := range p {
				p[i] = byte(r.IntN(256))
			}
			refs++
			b.AddReference(p, func() {
				released++
				clear(p) // poison
			})
			want = append(want, p...)
		case 2:
			off := r.IntN(len(fileData))
			n := r.IntN(min(len(fileData)-off, 300000) + 1)
			if err := b.AddFile(f, int64(off), int64(n)); err != nil {
				t.Fatal(err)
			}
			want = append(want, fileData[off:off+n]...)
		case 3: // many tiny segments: more than IOVMax per writev
			for range 50 {
				b.AddReference([]byte{'t'}, nil)
				want = append(want, 't')
			}
		}
	}

	var got []byte
	var wg sync.WaitGroup
	wg.Add(1)
	defer wg.Wait() // also on failure, before Cleanup closes the socket
	rfd := fds[1]
	go func() {
		defer wg.Done()
		buf := make([]byte, 7000)
		deadline := time.Now().Add(time.Minute)
		for len(got) < len(want) && time.Now().Before(deadline) {
			n, err := unix.Read(rfd, buf)
			if err == unix.EAGAIN {
				unix.Poll([]unix.PollFd{{Fd: int32(rfd), Events: unix.POLLIN}}, 100)
				continue
			}
			if err != nil || n == 0 {
				return
			}
			got = append(got, buf[:n]...)
		}
	}()
	written, calls, eagains := 0, 0, 0
	for b.Len() > 0 {
		limit := -1
		if r.IntN(3) == 0 {
			limit = r.IntN(20000)
		}
		before := b.Len()
		n, err := b.WriteToFD(fds[0], limit)
		calls++
		if err == unix.EAGAIN {
			eagains++
			if n != 0 || b.Len() != before {
				t.Fatalf("EAGAIN with %d written, len %d -> %d", n, before, b.Len())
			}
			unix.Poll([]unix.PollFd{{Fd: int32(fds[0]), Events: unix.POLLOUT}}, 1000)
			continue
		}
		if err != nil {
			t.Fatalf("WriteToFD: %v", err)
		}
		if b.Len() != before-n || (limit >= 0 && n > limit) {
			t.Fatalf("WriteToFD(%d) = %d, len %d -> %d", limit, n, before, b.Len())
		}
		written += n
	}
	wg.Wait()
	if written != len(want) || !bytes.Equal(got, want) {
		i := 0
		for i < len(got) && i < len(want) && got[i] == want[i] {
			i++
		}
		t.Fatalf("wrote %d, received %d of %d bytes; first difference at %d", written, len(got), len(want), i)
	}
	if released != refs {
		t.Fatalf("%d of %d references released", released, refs)
	}
	if f.Refs() != 1 {
		t.Fatalf("file has %d references", f.Refs())
	}
	t.Logf("%d bytes in %d calls (%d EAGAIN)", written, calls, eagains)
}

func TestWriteToFDErrors(t *testing.T) {
	fds := socketpair(t)
	setSndBuf(t, fds[0], 4096)
	var b Buffer
	b.Add(make([]byte, 1<<20))
	for { // fill the socket
		if _, err := b.WriteToFD(fds[0], -1); err == unix.EAGAIN {
			break
		} else if err != nil {
			t.Fatal(err)
		}
	}
	before := b.Len()
	if n, err := b.WriteToFD(fds[0], -1); n != 0 || err != unix.EAGAIN || b.Len() != before {
		t.Fatalf("full socket: %d, %v, len %d -> %d", n, err, before, b.Len())
	}
	if n, err := b.WriteToFD(fds[0], 0); n != 0 || err != nil {
		t.Fatalf("WriteToFD(0) = %d, %v", n, err)
	}
	closeEarly(fds, 1)
	n, err := b.WriteToFD(fds[0], -1)
	if n != 0 || !errors.Is(err, unix.EPIPE) && !errors.Is(err, unix.ECONNRESET) || b.Len() != before {
		t.Fatalf("closed peer: %d, %v, len %d -> %d", n, err, before, b.Len())
	}
	var se *os.SyscallError
	if !errors.As(err, &se) {
		t.Fatalf("error %T is not an *os.SyscallError", err)
	}
	// A file segment on a closed peer fails through sendfile.
	f := tempFile(t, []byte("file"))
	b.Reset()
	b.AddFile(f, 0, 4)
	if _, err := b.WriteToFD(fds[0], -1); err == nil || b.Len() != 4 {
		t.Fatalf("file to closed peer: %v, len %d", err, b.Len())
	}
	b.Reset()
}
