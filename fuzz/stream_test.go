package fuzz

import (
	"errors"
	"io"
	"net"
	"os"
	"strconv"
	"testing"
	"time"
)

// streamExchange sends in to the server at addr over one TCP connection,
// half-closes it and returns everything the server wrote before it
// closed, failing if it does not close within limit.
func streamExchange(t *testing.T, addr string, in []byte, limit time.Duration) []byte {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(limit))
	werr := make(chan error, 1)
	go func() {
		_, err := c.Write(in)
		if err == nil {
			err = c.(*net.TCPConn).CloseWrite()
		}
		werr <- err
	}()
	out, err := io.ReadAll(c)
	if errors.Is(err, os.ErrDeadlineExceeded) {
		t.Fatalf("server still open after %v; sent % x, got % x", limit, in, out)
	}
	// A write error only means the server closed before reading
	// everything, which it may do after answering an error.
	<-werr
	return out
}

func itoa(n int) string   { return strconv.Itoa(n) }
func itoa16(n int) string { return strconv.FormatInt(int64(n), 16) }
