package evhttp

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/goevent/goevent/core"
)

func TestServerSlowloris(t *testing.T) {
	const (
		conns   = 50
		timeout = time.Second
		// The server ends the header section within timeout + timeout/8
		// of its first byte; slack is for a loaded machine (and the race
		// detector) to schedule the loop and the clients: CI once saw
		// every connection closed 3.18 s in, with other test binaries and
		// 1 GiB transfers running beside it. Without the timeout the
		// trickle would hold the connections for 40 s.
		slack = 6 * time.Second
	)
	ts := startServer(t, &Config{HeaderTimeout: timeout}, func(s *Server) { s.SetCallback("/hello", hello) })
	req := "GET /hello HTTP/1.1\r\nHost: x\r\nX-Slow: " + strings.Repeat("a", 2000)
	stop := make(chan struct{})
	defer close(stop)
	type result struct {
		elapsed time.Duration
		err     error
	}
	results := make(chan result, conns)
	for i := 0; i < conns; i++ {
		c := ts.dial(t)
		go func() {
			// One byte at a time, never finishing the head.
			start := time.Now()
			go func() {
				for i := 0; i < len(req); i++ {
					if _, err := c.Write([]byte{req[i]}); err != nil {
						return
					}
					select {
					case <-stop:
						return
					case <-time.After(20 * time.Millisecond):
					}
				}
			}()
			br := bufio.NewReader(c)
			r, err := parseResponse(br, false)
			if err == nil && r.code != StatusRequestTimeout {
				err = fmt.Errorf("got %q, want 408", r.status)
			}
			if err == nil {
				if _, e := br.ReadByte(); e == nil {
					err = errors.New("connection still open after the 408")
				}
			}
			results <- result{time.Since(start), err}
		}()
	}
	for i := 0; i < conns; i++ {
		r := <-results
		if r.err != nil {
			t.Errorf("connection %d: %v", i, r.err)
			continue
		}
		if r.elapsed < timeout || r.elapsed > timeout+timeout/8+slack {
			t.Errorf("connection %d closed after %v, header timeout %v", i, r.elapsed, timeout)
		}
	}
	waitConnections(t, ts.Server, 0, 5*time.Second)
}

func TestServerSlowBody(t *testing.T) {
	const timeout = time.Second
	ts := startServer(t, &Config{BodyTimeout: timeout}, func(s *Server) { s.SetCallback("/echo", echo) })
	c := ts.dial(t)
	br := bufio.NewReader(c)
	io.WriteString(c, "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n")
	// Progress restarts the timeout: a byte every timeout/10 for longer
	// than the timeout keeps the request alive.
	var maxGap time.Duration
	last := time.Now()
	for i := 0; i < 15; i++ {
		time.Sleep(timeout / 10)
		if _, err := c.Write([]byte{'x'}); err != nil {
			t.Fatalf("write %d: %v (closed while the body made progress)", i, err)
		}
		now := time.Now()
		maxGap = max(maxGap, now.Sub(last))
		last = now
	}
	// Then nothing: 408 within the timeout (and slack), not before it.
	r := readResponse(t, br, false)
	elapsed := time.Since(last)
	if r.code != StatusRequestTimeout || r.header("Connection") != "close" {
		t.Fatalf("got %q, Connection %q", r.status, r.header("Connection"))
	}
	switch {
	case elapsed < timeout-timeout/10 && maxGap > timeout/2:
		// This goroutine stalled (a loaded machine): the server may
		// rightly have seen no progress for a whole timeout.
		t.Skipf("writer stalled for %v; 408 after %v of silence", maxGap, elapsed)
	case elapsed < timeout-timeout/10 || elapsed > timeout+2*time.Second:
		t.Errorf("408 after %v of silence, body timeout %v", elapsed, timeout)
	}
	expectClosed(t, c, br, 5*time.Second)
}

func TestServerSlowReader(t *testing.T) {
	const timeout = 500 * time.Millisecond
	big := strings.Repeat("z", 16<<20) // far more than the socket buffers hold
	ts := startServer(t, &Config{WriteTimeout: timeout}, func(s *Server) {
		s.SetCallback("/big", func(r *Request) {
			r.OutputBuffer().AddString(big)
			r.SendReply(StatusOK, "", nil)
		})
	})
	c := ts.dial(t)
	io.WriteString(c, "GET /big HTTP/1.1\r\nHost: x\r\n\r\n")
	// The client reads nothing: once the socket buffers are full the
	// reply makes no progress, and the write timeout ends the connection.
	waitConnections(t, ts.Server, 1, 5*time.Second)
	start := time.Now()
	waitConnections(t, ts.Server, 0, timeout+5*time.Second)
	t.Logf("closed %v after the reply started", time.Since(start))
}

// waitConnections waits until s has n open connections.
func waitConnections(t testing.TB, s *Server, n int, limit time.Duration) {
	t.Helper()
	deadline := time.Now().Add(limit)
	for s.ConnectionCount() != n {
		if time.Now().After(deadline) {
			t.Fatalf("%d connections open after %v, want %d", s.ConnectionCount(), limit, n)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// loadClientEnv carries "address connections" to the load client the test
// binary runs in a child process (TestHelperLoadClient).
const loadClientEnv = "GOEVENT_EVHTTP_LOAD_CLIENT"

func TestServerManyConnections(t *testing.T) {
	n := 5000
	switch {
	case raceEnabled:
		n = 200
	case testing.Short():
		n = 1000
	}
	var lim syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &lim); err == nil && uint64(lim.Cur) < uint64(n)+256 {
		n = int(lim.Cur) - 256
		t.Logf("open file limit %d: scaled down to %d connections", lim.Cur, n)
		if n < 100 {
			t.Skipf("open file limit %d too low", lim.Cur)
		}
	}
	var served atomic.Int64
	ts := startServer(t, nil, func(s *Server) {
		s.SetCallback("/hello", func(r *Request) {
			served.Add(1)
			fmt.Fprintf(r.OutputBuffer(), "hello %s", r.Query().Get("id"))
			r.SendReply(StatusOK, "", nil)
		})
	})
	cmd := exec.Command(os.Args[0], "-test.run=^TestHelperLoadClient$", "-test.count=1")
	cmd.Env = append(os.Environ(), fmt.Sprintf("%s=%s %d", loadClientEnv, ts.addr, n))
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
	})
	lines := bufio.NewScanner(stdout)
	expect := func(prefix string) string {
		t.Helper()
		for lines.Scan() {
			if l := lines.Text(); strings.HasPrefix(l, prefix) {
				return l
			}
		}
		t.Fatalf("load client ended without %q: %v\nstderr: %s", prefix, lines.Err(), stderr.String())
		return ""
	}
	start := time.Now()
	// Every connection has had its first answer and holds still: all n
	// are open at once.
	expect("READY")
	waitConnections(t, ts.Server, n, 30*time.Second)
	t.Logf("%d connections open after %v", n, time.Since(start))
	io.WriteString(stdin, "GO\n")
	res := expect("RESULT")
	var ok, failed int
	if _, err := fmt.Sscanf(res, "RESULT ok=%d failed=%d", &ok, &failed); err != nil {
		t.Fatalf("%q: %v", res, err)
	}
	if ok != n || failed != 0 || served.Load() != int64(2*n) {
		t.Fatalf("%s; server answered %d requests, want %d\nstderr: %s", res, served.Load(), 2*n, stderr.String())
	}
	stdin.Close()
	if err := cmd.Wait(); err != nil {
		t.Fatalf("load client: %v\nstderr: %s", err, stderr.String())
	}
	waitConnections(t, ts.Server, 0, 10*time.Second)
}

// TestHelperLoadClient is the client half of TestServerManyConnections, in
// a process of its own; it does nothing unless loadClientEnv is set. It
// opens every connection and sends a request on each, prints READY when
// all are answered, waits for a line on stdin, sends a second request on
// each, and prints "RESULT ok=N failed=M".
func TestHelperLoadClient(t *testing.T) {
	spec := os.Getenv(loadClientEnv)
	if spec == "" {
		return
	}
	addr, count, _ := strings.Cut(spec, " ")
	n, err := strconv.Atoi(count)
	if err != nil {
		t.Fatalf("%s=%q", loadClientEnv, spec)
	}
	var firstDone, ok, failed atomic.Int64
	var errOnce sync.Once
	fail := func(err error) {
		failed.Add(1)
		errOnce.Do(func() { fmt.Fprintln(os.Stderr, "first failure:", err) })
	}
	dialing := make(chan struct{}, 64) // connects in flight: within the listen backlog
	ready := make(chan struct{})
	allFirst := make(chan struct{})
	var wg sync.WaitGroup
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			// Counted once, after the first exchange or on failure.
			firstOver := sync.OnceFunc(func() {
				if firstDone.Add(1) == int64(n) {
					close(allFirst)
				}
			})
			defer firstOver()
			dialing <- struct{}{}
			c, err := net.DialTimeout("tcp", addr, 30*time.Second)
			<-dialing
			if err != nil {
				fail(err)
				return
			}
			defer c.Close()
			c.SetDeadline(time.Now().Add(90 * time.Second))
			br := bufio.NewReader(c)
			exchange := func(round int) error {
				fmt.Fprintf(c, "GET /hello?id=%d-%d HTTP/1.1\r\nHost: x\r\n\r\n", i, round)
				r, err := parseResponse(br, false)
				if err != nil {
					return fmt.Errorf("conn %d round %d: %w", i, round, err)
				}
				if want := fmt.Sprintf("hello %d-%d", i, round); r.code != 200 || r.body != want {
					return fmt.Errorf("conn %d round %d: %q %q, want %q", i, round, r.status, r.body, want)
				}
				return nil
			}
			if err := exchange(1); err != nil {
				fail(err)
				return
			}
			firstOver()
			// Hold the connection open until every other is.
			select {
			case <-ready:
			case <-time.After(90 * time.Second):
				fail(fmt.Errorf("conn %d: no GO", i))
				return
			}
			if err := exchange(2); err != nil {
				fail(err)
				return
			}
			ok.Add(1)
		}()
	}
	<-allFirst
	if failed.Load() == 0 {
		fmt.Println("READY")
		bufio.NewReader(os.Stdin).ReadString('\n')
	}
	close(ready)
	wg.Wait()
	fmt.Printf("RESULT ok=%d failed=%d\n", ok.Load(), failed.Load())
}

func TestServerOnLoops(t *testing.T) {
	const conns = 40
	loops, err := core.NewLoops(2)
	if err != nil {
		t.Fatal(err)
	}
	s := NewOnLoops(loops, nil)
	t.Cleanup(func() {
		select {
		case <-s.Shutdown(0):
		case <-time.After(10 * time.Second):
			t.Error("Shutdown did not finish")
		}
		loops.Close()
	})
	var mu sync.Mutex
	perBase := map[*core.Base]int{}
	s.SetCallback("/hello", func(r *Request) {
		mu.Lock()
		perBase[r.Base()]++
		mu.Unlock()
		hello(r)
	})
	bound, err := s.Bind("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	if len(bound.Listeners()) != 2 {
		t.Fatalf("Bind: %d listeners, want one per loop", len(bound.Listeners()))
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	accepted, err := s.Accept(ln)
	if err != nil {
		t.Fatal(err)
	}
	for _, bs := range []*BoundSocket{bound, accepted} {
		mu.Lock()
		clear(perBase)
		mu.Unlock()
		for i := 0; i < conns; i++ {
			c, err := net.Dial("tcp", bs.Addr().String())
			if err != nil {
				t.Fatal(err)
			}
			c.SetDeadline(time.Now().Add(10 * time.Second))
			br := bufio.NewReader(c)
			for j := 0; j < 2; j++ {
				io.WriteString(c, "GET /hello HTTP/1.1\r\nHost: x\r\n\r\n")
				if r := readResponse(t, br, false); r.body != "Hello, World!" {
					t.Fatalf("conn %d: %q %q", i, r.status, r.body)
				}
			}
			c.Close()
		}
		mu.Lock()
		total := 0
		for i := 0; i < loops.Len(); i++ {
			n := perBase[loops.Base(i)]
			total += n
			// Bind: 40 connections hashed over two SO_REUSEPORT sockets,
			// all on one has probability 2^-39; Accept: round-robin.
			if n == 0 {
				t.Errorf("%v: loop %d served no request: %v", bs.Addr(), i, perBase)
			}
		}
		if total != 2*conns {
			t.Errorf("%v: %d requests served, want %d", bs.Addr(), total, 2*conns)
		}
		mu.Unlock()
	}
}
