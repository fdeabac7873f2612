package sendfile

import (
	"bytes"
	"errors"
	"io"
	"os"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

type sendFunc func(dst int, f *File, off, n int64) (int64, error)

// sendPaths are the implementations under test: Send (sendfile(2) where the
// system has it) and the pread+write path, called directly so Linux covers
// it too.
var sendPaths = []struct {
	name string
	fn   sendFunc
}{
	{"Send", Send},
	{"pread", func(dst int, f *File, off, n int64) (int64, error) {
		if n == 0 {
			return 0, nil
		}
		return sendPread(dst, f, off, n)
	}},
}

// tinySocketpair returns a stream socketpair whose sending end is
// non-blocking with a 4 KiB send buffer (and a small receive buffer at the
// other end), so sends are partial and hit EAGAIN often.
func tinySocketpair(t testing.TB) (dst, src int) {
	t.Helper()
	fds, err := unix.Socketpair(unix.AF_UNIX, unix.SOCK_STREAM, 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { unix.Close(fds[0]); unix.Close(fds[1]) })
	if err := unix.SetNonblock(fds[0], true); err != nil {
		t.Fatal(err)
	}
	if err := unix.SetsockoptInt(fds[0], unix.SOL_SOCKET, unix.SO_SNDBUF, 4096); err != nil {
		t.Fatal(err)
	}
	if err := unix.SetsockoptInt(fds[1], unix.SOL_SOCKET, unix.SO_RCVBUF, 4096); err != nil {
		t.Fatal(err)
	}
	return fds[0], fds[1]
}

// drain reads exactly want bytes from fd (blocking) in a goroutine.
func drain(fd int, want int) <-chan []byte {
	ch := make(chan []byte, 1)
	go func() {
		got := make([]byte, 0, want)
		buf := make([]byte, 3000) // odd size: reads straddle the sender's chunks
		for len(got) < want {
			n, err := unix.Read(fd, buf[:min(len(buf), want-len(got))])
			if err == unix.EINTR {
				continue
			}
			if err != nil || n == 0 {
				break
			}
			got = append(got, buf[:n]...)
		}
		ch <- got
	}()
	return ch
}

type sendStats struct{ calls, partial, eagain int }

// sendAll drives fn the way an event loop would: call, and on (k<n, nil) or
// EAGAIN wait for POLLOUT and resume at off+k. It returns what was sent and
// the final error (nil, io.ErrUnexpectedEOF or a failure).
func sendAll(t testing.TB, fn sendFunc, dst int, f *File, off, n int64) (int64, sendStats, error) {
	t.Helper()
	var st sendStats
	var sent int64
	deadline := time.Now().Add(30 * time.Second)
	for sent < n {
		if time.Now().After(deadline) {
			t.Fatalf("stuck at %d of %d", sent, n)
		}
		k, err := fn(dst, f, off+sent, n-sent)
		st.calls++
		if k < 0 || k > n-sent {
			t.Fatalf("sent %d of %d remaining", k, n-sent)
		}
		sent += k
		switch {
		case errors.Is(err, unix.EAGAIN):
			if k != 0 {
				t.Fatalf("EAGAIN with %d bytes sent", k)
			}
			if err != unix.EAGAIN {
				t.Fatalf("EAGAIN not bare: %#v", err)
			}
			st.eagain++
		case err != nil:
			return sent, st, err
		case sent < n:
			if k == 0 {
				t.Fatal("(0, nil) for a non-empty send")
			}
			st.partial++
		default:
			continue
		}
		pfd := []unix.PollFd{{Fd: int32(dst), Events: unix.POLLOUT}}
		if _, err := unix.Poll(pfd, 1000); err != nil && err != unix.EINTR {
			t.Fatal(err)
		}
	}
	return sent, st, nil
}

func TestSendSocketpair(t *testing.T) {
	size := 1<<20 + 4097
	if testing.Short() {
		size = 256<<10 + 4097
	}
	content := testContent(size)
	s := int64(size)
	cases := []struct {
		name    string
		off, n  int64
		want    int64 // bytes delivered
		wantErr error
	}{
		{"whole", 0, s, s, nil},
		{"odd offset", 1, s - 1, s - 1, nil},
		{"odd offset and length", 4097, 123457, 123457, nil},
		{"to EOF", s - 77777, 77777, 77777, nil},
		{"one byte", 12345, 1, 1, nil},
		{"last byte", s - 1, 1, 1, nil},
		{"beyond EOF", s - 10001, 50000, 10001, io.ErrUnexpectedEOF},
		{"at EOF", s, 10, 0, io.ErrUnexpectedEOF},
		{"past EOF", s + 5, 10, 0, io.ErrUnexpectedEOF},
		{"empty", 100, 0, 0, nil},
	}
	for _, path := range sendPaths {
		t.Run(path.name, func(t *testing.T) {
			f := openTemp(t, content)
			defer f.Release()
			for _, tc := range cases {
				t.Run(tc.name, func(t *testing.T) {
					dst, src := tinySocketpair(t)
					got := drain(src, int(tc.want))
					sent, st, err := sendAll(t, path.fn, dst, f, tc.off, tc.n)
					if !errors.Is(err, tc.wantErr) || err != tc.wantErr {
						t.Fatalf("err = %v, want %v", err, tc.wantErr)
					}
					if sent != tc.want {
						t.Fatalf("sent %d, want %d", sent, tc.want)
					}
					unix.Shutdown(dst, unix.SHUT_WR)
					var data []byte
					select {
					case data = <-got:
					case <-time.After(30 * time.Second):
						t.Fatal("reader stuck")
					}
					if int64(len(data)) != tc.want {
						t.Fatalf("received %d, want %d", len(data), tc.want)
					}
					if tc.want > 0 && !bytes.Equal(data, content[tc.off:tc.off+tc.want]) {
						t.Fatalf("content differs at offset %d", tc.off)
					}
					if tc.n > 64<<10 && st.partial+st.eagain == 0 {
						t.Errorf("a %d byte send through a 4 KiB buffer was never partial: %+v", tc.n, st)
					}
					t.Logf("%+v", st)
				})
			}
			// The file's own offset was never used nor moved.
			if off, err := unix.Seek(f.FD(), 0, io.SeekCurrent); err != nil || off != 0 {
				t.Fatalf("file offset = %d, %v", off, err)
			}
		})
	}
}

// TestSendEAGAIN fills the socket, then checks that a send with no room is
// (0, EAGAIN) and sends nothing.
func TestSendEAGAIN(t *testing.T) {
	content := testContent(256 << 10)
	for _, path := range sendPaths {
		t.Run(path.name, func(t *testing.T) {
			f := openTemp(t, content)
			defer f.Release()
			dst, src := tinySocketpair(t)
			var sent int64
			for {
				k, err := path.fn(dst, f, sent, int64(len(content))-sent)
				sent += k
				if err == unix.EAGAIN {
					break
				}
				if err != nil {
					t.Fatal(err)
				}
				if sent == int64(len(content)) {
					t.Fatal("socket never filled")
				}
			}
			k, err := path.fn(dst, f, sent, 1000)
			if k != 0 || err != unix.EAGAIN || !errors.Is(err, unix.EAGAIN) {
				t.Fatalf("full socket: %d, %v", k, err)
			}
			got := drain(src, int(sent))
			if data := <-got; !bytes.Equal(data, content[:sent]) {
				t.Fatalf("received %d bytes, want %d, or different content", len(data), sent)
			}
		})
	}
}

func TestSendErrors(t *testing.T) {
	f := openTemp(t, testContent(100))
	defer f.Release()
	if _, err := Send(1, f, -1, 10); !errors.Is(err, ErrNegative) {
		t.Fatalf("negative offset: %v", err)
	}
	if _, err := Send(1, f, 0, -1); !errors.Is(err, ErrNegative) {
		t.Fatalf("negative length: %v", err)
	}
	for _, path := range sendPaths {
		dst, src := tinySocketpair(t)
		unix.Close(src)
		_, err := path.fn(dst, f, 0, 100)
		var se *os.SyscallError
		if !errors.Is(err, unix.EPIPE) && !errors.Is(err, unix.ECONNRESET) || !errors.As(err, &se) {
			t.Fatalf("%s to a closed peer: %v", path.name, err)
		}
	}
}

// TestSendPipe: Linux sendfile writes to pipes too; the other systems fall
// back or fail, which the loop reports.
func TestSendPipe(t *testing.T) {
	content := testContent(50000)
	f := openTemp(t, content)
	defer f.Release()
	for _, path := range sendPaths {
		t.Run(path.name, func(t *testing.T) {
			var p [2]int
			if err := unix.Pipe(p[:]); err != nil {
				t.Fatal(err)
			}
			defer unix.Close(p[0])
			defer unix.Close(p[1])
			unix.SetNonblock(p[1], true)
			got := drain(p[0], 40000)
			sent, _, err := sendAll(t, path.fn, p[1], f, 333, 40000)
			if err != nil {
				t.Skipf("this system cannot send to a pipe: %v", err)
			}
			if sent != 40000 || !bytes.Equal(<-got, content[333:40333]) {
				t.Fatal("pipe content differs")
			}
		})
	}
}
