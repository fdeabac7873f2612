package fuzz

import (
	"bufio"
	"io"
	"net"
	"net/http"
	"sync"
	"testing"
	"time"
)

// httpUpstream is a loopback HTTP origin that answers every request with
// the bytes last given to serve, verbatim, and then closes the connection.
// It reads each request with net/http, so a request the evhttp client
// writes that net/http cannot parse is reported.
type httpUpstream struct {
	ln   net.Listener
	done chan struct{}

	mu     sync.Mutex
	answer []byte // guarded by mu
	bad    error  // guarded by mu: the first request net/http rejected
}

func startHTTPUpstream(t testing.TB) *httpUpstream {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	u := &httpUpstream{ln: ln, done: make(chan struct{})}
	var conns sync.WaitGroup
	go func() {
		defer close(u.done)
		for {
			c, err := ln.Accept()
			if err != nil {
				conns.Wait()
				return
			}
			conns.Go(func() { u.handle(c) })
		}
	}()
	t.Cleanup(func() {
		ln.Close()
		<-u.done
	})
	return u
}

// serve sets the bytes the next connections are answered with.
func (u *httpUpstream) serve(b []byte) {
	u.mu.Lock()
	u.answer, u.bad = b, nil
	u.mu.Unlock()
}

// requestError returns the first request net/http could not read since
// serve.
func (u *httpUpstream) requestError() error {
	u.mu.Lock()
	defer u.mu.Unlock()
	return u.bad
}

func (u *httpUpstream) handle(c net.Conn) {
	defer c.Close()
	c.SetDeadline(time.Now().Add(10 * time.Second))
	req, err := http.ReadRequest(bufio.NewReader(c))
	if err == nil {
		_, err = io.Copy(io.Discard, req.Body)
	}
	u.mu.Lock()
	answer := u.answer
	if err != nil && u.bad == nil {
		u.bad = err
	}
	u.mu.Unlock()
	if err != nil {
		return
	}
	c.Write(answer)
}

func (u *httpUpstream) port() int { return u.ln.Addr().(*net.TCPAddr).Port }
