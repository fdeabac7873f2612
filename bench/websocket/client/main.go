// Command client is the one load client of the websocket benchmark, the
// same for every server. It speaks RFC 6455 itself (package wsframe):
// handshake, masked frames out, unmasked frames in, no extensions.
//
// In load mode it opens -conns connections, and once all are open each
// does ping-pong for -dur: it sends a binary message of -size bytes (a
// sequence number, then random bytes), waits for the echo and checks it
// byte for byte, and sends the next. At the end every connection does the
// closing handshake. It prints one line:
//
//	messages=N seconds=S conns=C size=B gomaxprocs=P client_cpu_s=X
//
// where N counts the echoes verified over the S seconds of sending, and X
// is the CPU time the client used (all of it, handshakes included). With -check it instead tests one
// connection with messages of many sizes, text and binary, and the close
// handshake, printing what it sent.
//
// Any error (handshake, a short or different echo, a missing Close) ends
// the run with exit status 1.
//
// Usage: client -addr HOST:PORT [-path P] [-conns N] [-size B] [-dur D] [-check] [-wait D]
package main

import (
	"encoding/binary"
	"errors"
	"flag"
	"fmt"
	"math/rand/v2"
	"net"
	"os"
	"runtime"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/goevent/goevent/bench/websocket/internal/wsframe"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:8080", "server address host:port")
	path := flag.String("path", "/echo", "request path of the WebSocket endpoint")
	conns := flag.Int("conns", 64, "connections doing ping-pong at once")
	size := flag.Int("size", 64, "message size in bytes")
	dur := flag.Duration("dur", 5*time.Second, "how long to send")
	check := flag.Bool("check", false, "test the server's echo instead of loading it")
	wait := flag.Duration("wait", 0, "wait this long for the server to accept connections")
	flag.Parse()
	err := waitListen(*addr, *wait)
	if err == nil && *check {
		err = runCheck(*addr, *path)
	} else if err == nil {
		err = runLoad(*addr, *path, *conns, *size, *dur)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

// checkSizes are the message sizes -check sends: each length encoding and
// its edges, and the benchmark's sizes. No empty message: nbio v1.6.8
// answers one with a Close frame instead of an echo.
func checkSizes() []int {
	return []int{1, 64, 125, 126, 127, 1000, 16 << 10, 65535, 65536, 256 << 10}
}

func runCheck(addr, path string) error {
	c, err := dial(addr, path, 1<<20)
	if err != nil {
		return err
	}
	rng := rand.New(rand.NewPCG(1, 2))
	for _, n := range checkSizes() {
		msg := make([]byte, n)
		for i := range msg {
			msg[i] = byte(rng.Uint32())
		}
		if err := c.echo(wsframe.OpBinary, msg); err != nil {
			c.c.Close()
			return fmt.Errorf("binary message of %d bytes: %w", n, err)
		}
		fmt.Printf("binary %d bytes: echoed\n", n)
	}
	for _, s := range []string{"hello", "héllo wörld ✓"} {
		if err := c.echo(wsframe.OpText, []byte(s)); err != nil {
			c.c.Close()
			return fmt.Errorf("text message %q: %w", s, err)
		}
		fmt.Printf("text %q: echoed\n", s)
	}
	if err := c.close(); err != nil {
		return err
	}
	fmt.Println("close handshake: done")
	return nil
}

func runLoad(addr, path string, n, size int, dur time.Duration) error {
	if n < 1 || size < 0 {
		return errors.New("client: want -conns >= 1 and -size >= 0")
	}
	cs := make([]*conn, 0, n)
	for range n {
		c, err := dial(addr, path, int64(size))
		if err != nil {
			for _, c := range cs {
				c.c.Close()
			}
			return err
		}
		cs = append(cs, c)
	}
	var stop atomic.Bool
	counts := make([]int64, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	start := time.Now()
	for i, c := range cs {
		wg.Go(func() { counts[i], errs[i] = pingPong(c, size, &stop) })
	}
	time.Sleep(dur)
	stop.Store(true)
	wg.Wait()
	elapsed := time.Since(start)
	var total int64
	for i := range cs {
		total += counts[i]
		if errs[i] == nil {
			errs[i] = cs[i].close()
		} else {
			cs[i].c.Close()
		}
	}
	if err := errors.Join(errs...); err != nil {
		return err
	}
	fmt.Printf("messages=%d seconds=%.3f conns=%d size=%d gomaxprocs=%d client_cpu_s=%.3f\n", total,
		elapsed.Seconds(), n, size, runtime.GOMAXPROCS(0), cpuSeconds())
	return nil
}

// cpuSeconds is the user and system CPU time this process has used.
func cpuSeconds() float64 {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return -1
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano()).Seconds()
}

// pingPong echoes messages of size bytes on c until stop is set and
// returns how many came back intact.
func pingPong(c *conn, size int, stop *atomic.Bool) (int64, error) {
	msg := make([]byte, size)
	for i := range msg {
		msg[i] = byte(c.rng.Uint64())
	}
	var seq uint64
	var sb [8]byte
	for !stop.Load() {
		seq++
		binary.BigEndian.PutUint64(sb[:], seq)
		copy(msg, sb[:]) // a stale or repeated echo cannot pass for this one
		if err := c.echo(wsframe.OpBinary, msg); err != nil {
			return int64(seq - 1), fmt.Errorf("message %d: %w", seq, err)
		}
	}
	return int64(seq), nil
}

// waitListen waits up to wait until addr accepts a TCP connection.
func waitListen(addr string, wait time.Duration) error {
	deadline := time.Now().Add(wait)
	for {
		c, err := net.DialTimeout("tcp", addr, time.Second)
		if err == nil {
			return c.Close()
		}
		if !time.Now().Before(deadline) {
			return fmt.Errorf("client: %s not accepting: %w", addr, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
