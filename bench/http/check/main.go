// Command check verifies one server of the HTTP benchmark before run.sh
// measures it, so a broken server is never measured. It waits up to -wait
// for the server to accept, then sends two pipelined GET requests (for /
// and for another path with a query) in one write, and a third after both
// replies, on one connection. Every reply must be HTTP/1.1 200 with exactly
// one Content-Type: text/plain, Content-Length: 13, a current Date, no
// Transfer-Encoding, no Connection: close, and the body "Hello, World!".
// It prints the first reply's bytes and exits 0, or says what is wrong and
// exits 1.
package main

import (
	"bufio"
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"time"
)

const hello = "Hello, World!"

// errReply is wrapped by every complaint about a reply.
var errReply = errors.New("check: wrong reply")

func main() {
	addr := flag.String("addr", "127.0.0.1:8080", "server address host:port")
	wait := flag.Duration("wait", 5*time.Second, "how long to wait for the server to accept")
	flag.Parse()
	first, err := check(*addr, *wait)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	os.Stdout.Write(first)
	fmt.Println()
}

// check runs the three requests and returns the first reply's bytes.
func check(addr string, wait time.Duration) ([]byte, error) {
	conn, err := dial(addr, wait)
	if err != nil {
		return nil, err
	}
	defer conn.Close()
	if err := conn.SetDeadline(time.Now().Add(5 * time.Second)); err != nil {
		return nil, fmt.Errorf("check: %w", err)
	}
	var raw bytes.Buffer
	tee := &recorder{r: conn, w: &raw}
	br := bufio.NewReader(tee)

	req := func(target string) string {
		return "GET " + target + " HTTP/1.1\r\nHost: " + addr + "\r\nUser-Agent: bench-check\r\n\r\n"
	}
	if _, err := io.WriteString(conn, req("/")+req("/any/path?x=1")); err != nil {
		return nil, fmt.Errorf("check: write: %w", err)
	}
	var first []byte
	for i, target := range []string{"/", "/any/path?x=1", "/again"} {
		if i == 2 { // keep-alive: the connection must take another request
			if _, err := io.WriteString(conn, req(target)); err != nil {
				return nil, fmt.Errorf("check: write after two replies: %w", err)
			}
		}
		if err := readReply(br); err != nil {
			return nil, fmt.Errorf("check: GET %s (reply %d): %w", target, i+1, err)
		}
		if i == 0 {
			first = bytes.Clone(raw.Bytes()[:raw.Len()-br.Buffered()])
		}
	}
	return first, nil
}

// dial retries until the server accepts or wait has passed.
func dial(addr string, wait time.Duration) (net.Conn, error) {
	deadline := time.Now().Add(wait)
	for {
		conn, err := net.DialTimeout("tcp", addr, time.Second)
		if err == nil {
			return conn, nil
		}
		if time.Now().After(deadline) {
			return nil, fmt.Errorf("check: server at %s did not accept within %v: %w", addr, wait, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// readReply reads one reply and checks it.
func readReply(br *bufio.Reader) error {
	resp, err := http.ReadResponse(br, nil)
	if err != nil {
		return fmt.Errorf("read: %w", err)
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		return fmt.Errorf("read body: %w", err)
	}
	h := resp.Header
	switch {
	case resp.Proto != "HTTP/1.1":
		return fmt.Errorf("%w: protocol %q, want HTTP/1.1", errReply, resp.Proto)
	case resp.StatusCode != http.StatusOK:
		return fmt.Errorf("%w: status %d, want 200", errReply, resp.StatusCode)
	case len(h["Content-Type"]) != 1 || h.Get("Content-Type") != "text/plain":
		return fmt.Errorf("%w: Content-Type %q, want one text/plain", errReply, h["Content-Type"])
	case len(h["Content-Length"]) != 1 || h.Get("Content-Length") != "13":
		return fmt.Errorf("%w: Content-Length %q, want one 13", errReply, h["Content-Length"])
	case len(resp.TransferEncoding) != 0:
		return fmt.Errorf("%w: Transfer-Encoding %q", errReply, resp.TransferEncoding)
	case resp.Close:
		return fmt.Errorf("%w: the server closes the connection (Connection: %q)", errReply, h["Connection"])
	case string(body) != hello:
		return fmt.Errorf("%w: body %q, want %q", errReply, body, hello)
	}
	if len(h["Date"]) != 1 {
		return fmt.Errorf("%w: Date %q, want one", errReply, h["Date"])
	}
	date, err := http.ParseTime(h.Get("Date"))
	if err != nil {
		return fmt.Errorf("%w: Date: %w", errReply, err)
	}
	if d := time.Since(date); d > time.Minute || d < -time.Minute {
		return fmt.Errorf("%w: Date %s is %v off", errReply, h.Get("Date"), d)
	}
	return nil
}

// recorder copies every byte read from r into w.
type recorder struct {
	r io.Reader
	w *bytes.Buffer
}

func (t *recorder) Read(p []byte) (int, error) {
	n, err := t.r.Read(p)
	t.w.Write(p[:n])
	return n, err
}
