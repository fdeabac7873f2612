// Command idleclient holds idle keep-alive connections for the HTTP
// benchmark's memory test. It opens -n connections to -addr one after
// another, sends one GET on each and reads the reply (which must be a 200
// with the body "Hello, World!"), then prints "ready N" and keeps every
// connection open, sending nothing more, until SIGTERM or SIGINT. run.sh
// reads the server's memory before it starts and after "ready".
//
// It raises its soft RLIMIT_NOFILE to the hard limit; the server has its
// own.
package main

import (
	"bufio"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"
)

const hello = "Hello, World!"

// errReply: the server's reply was not the expected 200.
var errReply = errors.New("idleclient: wrong reply")

func main() {
	addr := flag.String("addr", "127.0.0.1:8080", "server address host:port")
	n := flag.Int("n", 10000, "connections to open")
	flag.Parse()
	if err := raiseNoFile(); err != nil {
		fatal(err)
	}
	stop := make(chan os.Signal, 1)
	signal.Notify(stop, syscall.SIGTERM, syscall.SIGINT)

	request := []byte("GET / HTTP/1.1\r\nHost: " + *addr + "\r\n\r\n")
	conns := make([]net.Conn, 0, *n)
	br := bufio.NewReaderSize(nil, 1024)
	for i := range *n {
		c, err := open(*addr, request, br)
		if err != nil {
			fatal(fmt.Errorf("connection %d of %d: %w", i+1, *n, err))
		}
		conns = append(conns, c)
	}
	fmt.Println("ready", len(conns))
	<-stop
	for _, c := range conns {
		c.Close()
	}
}

// open dials addr, sends request and reads the reply with br.
func open(addr string, request []byte, br *bufio.Reader) (net.Conn, error) {
	c, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		return nil, err
	}
	if err := exchange(c, request, br); err != nil {
		c.Close()
		return nil, err
	}
	return c, nil
}

func exchange(c net.Conn, request []byte, br *bufio.Reader) error {
	if err := c.SetDeadline(time.Now().Add(5 * time.Second)); err != nil {
		return err
	}
	if _, err := c.Write(request); err != nil {
		return err
	}
	br.Reset(c)
	resp, err := http.ReadResponse(br, nil)
	if err != nil {
		return err
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		return err
	}
	if resp.StatusCode != http.StatusOK || string(body) != hello || resp.Close {
		return fmt.Errorf("%w: %s, body %q, close %v", errReply, resp.Status, body, resp.Close)
	}
	if br.Buffered() != 0 {
		return fmt.Errorf("%w: %d bytes after the reply", errReply, br.Buffered())
	}
	return c.SetDeadline(time.Time{})
}

func raiseNoFile() error {
	var r syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &r); err != nil {
		return fmt.Errorf("idleclient: getrlimit: %w", err)
	}
	r.Cur = r.Max
	if err := syscall.Setrlimit(syscall.RLIMIT_NOFILE, &r); err != nil {
		return fmt.Errorf("idleclient: setrlimit: %w", err)
	}
	return nil
}

func fatal(err error) {
	fmt.Fprintln(os.Stderr, "idleclient:", err)
	os.Exit(1)
}
