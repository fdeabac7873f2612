package sendfile_test

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/goevent/goevent/sendfile"
	"golang.org/x/sys/unix"
)

func ExampleParseRange() {
	const size = 10000
	for _, h := range []string{"bytes=0-499", "bytes=-500", "bytes=9500-", "bytes=0-0,-1", "bytes=20000-", "bytes=5-1"} {
		ranges, err := sendfile.ParseRange(h, size)
		switch {
		case errors.Is(err, sendfile.ErrUnsatisfiable):
			fmt.Printf("%-14s 416 Content-Range: %s\n", h, sendfile.UnsatisfiedContentRange(size))
		case err != nil:
			fmt.Printf("%-14s 200 (Range ignored)\n", h)
		default:
			for _, r := range ranges {
				fmt.Printf("%-14s 206 Content-Range: %s\n", h, r.ContentRange(size))
			}
		}
	}
	// Output:
	// bytes=0-499    206 Content-Range: bytes 0-499/10000
	// bytes=-500     206 Content-Range: bytes 9500-9999/10000
	// bytes=9500-    206 Content-Range: bytes 9500-9999/10000
	// bytes=0-0,-1   206 Content-Range: bytes 0-0/10000
	// bytes=0-0,-1   206 Content-Range: bytes 9999-9999/10000
	// bytes=20000-   416 Content-Range: bytes */10000
	// bytes=5-1      200 (Range ignored)
}

func ExampleFile() {
	dir, _ := os.MkdirTemp("", "sendfile")
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "hello.txt")
	os.WriteFile(path, []byte("hello, sendfile\n"), 0o644)

	f, err := sendfile.Open(path)
	if err != nil {
		fmt.Println(err)
		return
	}
	// A second holder (say, an evbuffer segment) takes its own reference.
	g := f.Ref()
	f.Release()
	buf := make([]byte, 5)
	g.ReadAt(buf, 7) // still open: one reference left
	fmt.Printf("%s %d\n", buf, g.Size())
	fmt.Println(g.Release())
	fmt.Println(g.Release())
	// Output:
	// sendf 16
	// <nil>
	// sendfile: file already released
}

func ExampleSend() {
	dir, _ := os.MkdirTemp("", "sendfile")
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "page.html")
	os.WriteFile(path, []byte("<html>hello</html>\n"), 0o644)
	f, err := sendfile.Open(path)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer f.Release()

	fds, _ := unix.Socketpair(unix.AF_UNIX, unix.SOCK_STREAM, 0)
	defer unix.Close(fds[0])
	defer unix.Close(fds[1])
	unix.SetNonblock(fds[0], true)

	// Send bytes 6..10 ("hello"). An event loop resumes at off+sent when
	// the socket becomes writable after a partial send or EAGAIN.
	off, n := int64(6), int64(5)
	for n > 0 {
		sent, err := sendfile.Send(fds[0], f, off, n)
		if err != nil && !errors.Is(err, unix.EAGAIN) {
			fmt.Println(err)
			return
		}
		off, n = off+sent, n-sent
	}
	buf := make([]byte, 16)
	k, _ := unix.Read(fds[1], buf)
	fmt.Printf("%s\n", buf[:k])
	// Output: hello
}
