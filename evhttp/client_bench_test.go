//go:build linux

package evhttp

import (
	"bytes"
	"fmt"
	"path/filepath"
	"testing"

	"github.com/goevent/goevent/core"
	"github.com/goevent/goevent/internal/basetest"
	"golang.org/x/sys/unix"
)

// BenchmarkClientKeepAlive (Linux: it uses accept4 and SOCK_NONBLOCK)
// measures the client's work per request on one
// keep-alive Connection over a unix socket: build the request, write it,
// parse the response, run the callback. The server side is raw syscalls in
// the benchmark goroutine (one read and one write per request), so ns/op
// is the client's cost plus those two calls; the loop is driven with
// LoopNonblock between them.
func BenchmarkClientKeepAlive(b *testing.B) {
	base := basetest.New(b)
	path := filepath.Join(b.TempDir(), "s")
	lfd, err := unix.Socket(unix.AF_UNIX, unix.SOCK_STREAM|unix.SOCK_NONBLOCK|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		b.Fatal(err)
	}
	defer unix.Close(lfd)
	if err := unix.Bind(lfd, &unix.SockaddrUnix{Name: path}); err != nil {
		b.Fatal(err)
	}
	if err := unix.Listen(lfd, 4); err != nil {
		b.Fatal(err)
	}
	c := NewUnixConnection(base, path)
	defer c.Close()
	reply := []byte("HTTP/1.1 200 OK\r\nServer: bench\r\nContent-Type: text/plain\r\nContent-Length: 13\r\n\r\nHello, World!")
	buf := make([]byte, 4096)
	sfd := -1
	defer func() {
		if sfd >= 0 {
			unix.Close(sfd)
		}
	}()
	done, failed := false, error(nil)
	onComplete := func(r *ClientRequest) {
		if r.StatusCode() != 200 || r.ResponseBody().Len() != 13 {
			failed = fmt.Errorf("status %d, %d-byte body", r.StatusCode(), r.ResponseBody().Len())
		}
		done = true
	}
	onError := func(_ *ClientRequest, err error) { failed, done = err, true }
	got := 0 // request bytes seen by the server since its last reply
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		req := NewClientRequest("GET", "/")
		req.OnComplete(onComplete)
		req.OnError(onError)
		if err := c.MakeRequest(req); err != nil {
			b.Fatal(err)
		}
		for done = false; !done; {
			if err := base.Loop(core.LoopNonblock); err != nil {
				b.Fatal(err)
			}
			if sfd < 0 {
				if sfd, _, err = unix.Accept4(lfd, unix.SOCK_NONBLOCK|unix.SOCK_CLOEXEC); err != nil {
					sfd = -1
					continue
				}
			}
			n, _ := unix.Read(sfd, buf[got:])
			if n <= 0 {
				continue
			}
			got += n
			if bytes.HasSuffix(buf[:got], []byte("\r\n\r\n")) {
				got = 0
				if _, err := unix.Write(sfd, reply); err != nil {
					b.Fatal(err)
				}
			}
		}
		if failed != nil {
			b.Fatal(failed)
		}
	}
}
