// Command client drives the TLS benchmark's servers with crypto/tls and
// prints one line of key=value figures.
//
// -mode handshake: -conns goroutines each connect, make a full handshake
// (no session resumption), read the server's tlsconf.Ack byte and close,
// over and over for -dur; prints handshakes=N failed=N seconds=S.
// -mode bulk: one connection reads what the server sends for -dur; prints
// bytes=N seconds=S.
package main

import (
	"crypto/tls"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"github.com/goevent/goevent/bench/tls/internal/tlsconf"
)

// errBadAck is a handshake whose server sent something else than the ack.
var errBadAck = errors.New("client: the server's first byte is not the ack")

func main() {
	addr := flag.String("addr", "", "server address host:port")
	mode := flag.String("mode", "handshake", "handshake or bulk")
	ca := flag.String("ca", "", "the server's certificate, trusted as a CA")
	conns := flag.Int("conns", 16, "concurrent handshakes in -mode handshake")
	dur := flag.Duration("dur", 5*time.Second, "how long to run")
	flag.Parse()
	cfg, err := tlsconf.Client(*ca)
	if err != nil {
		fatal(err)
	}
	switch *mode {
	case "handshake":
		handshakes(*addr, cfg, *conns, *dur)
	case "bulk":
		if err := bulk(*addr, cfg, *dur); err != nil {
			fatal(err)
		}
	default:
		fatal(fmt.Errorf("unknown -mode %q", *mode))
	}
}

func handshakes(addr string, cfg *tls.Config, conns int, dur time.Duration) {
	var ok, failed atomic.Int64
	var firstErr atomic.Value
	start := time.Now()
	deadline := start.Add(dur)
	var wg sync.WaitGroup
	for range conns {
		wg.Go(func() {
			for time.Now().Before(deadline) {
				if err := handshake(addr, cfg); err != nil {
					failed.Add(1)
					firstErr.CompareAndSwap(nil, err)
					continue
				}
				ok.Add(1)
			}
		})
	}
	wg.Wait()
	secs := time.Since(start).Seconds()
	if err, _ := firstErr.Load().(error); err != nil {
		fmt.Fprintln(os.Stderr, "client: first failure:", err)
	}
	fmt.Printf("handshakes=%d failed=%d seconds=%.6f\n", ok.Load(), failed.Load(), secs)
	if ok.Load() == 0 || failed.Load() > 0 {
		os.Exit(1)
	}
}

// handshake makes one connection with a full handshake and reads the ack.
func handshake(addr string, cfg *tls.Config) error {
	raw, err := net.Dial("tcp", addr)
	if err != nil {
		return err
	}
	c := tls.Client(raw, cfg)
	defer c.Close()
	if err := c.Handshake(); err != nil {
		return err
	}
	var b [1]byte
	if _, err := io.ReadFull(c, b[:]); err != nil {
		return err
	}
	if b[0] != tlsconf.Ack {
		return errBadAck
	}
	return nil
}

func bulk(addr string, cfg *tls.Config, dur time.Duration) error {
	raw, err := net.Dial("tcp", addr)
	if err != nil {
		return err
	}
	c := tls.Client(raw, cfg)
	defer c.Close()
	if err := c.Handshake(); err != nil {
		return err
	}
	buf := make([]byte, 256<<10)
	var n int64
	start := time.Now()
	if err := c.SetReadDeadline(start.Add(dur)); err != nil {
		return err
	}
	for {
		k, err := c.Read(buf)
		n += int64(k)
		if err != nil {
			if errors.Is(err, os.ErrDeadlineExceeded) {
				break
			}
			return err
		}
	}
	fmt.Printf("bytes=%d seconds=%.6f\n", n, time.Since(start).Seconds())
	if n == 0 {
		return errors.New("client: no bytes in the bulk test")
	}
	return nil
}

func fatal(err error) {
	fmt.Fprintln(os.Stderr, "client:", err)
	os.Exit(1)
}
