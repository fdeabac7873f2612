package evhttp

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"net"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/goevent/goevent/core"
)

// shutdownOutcome counts what the clients of TestServerShutdownUnderLoad
// saw.
type shutdownOutcome struct {
	ok     atomic.Int64 // complete, well-formed, right responses
	closed atomic.Int64 // requests the server closed on before any byte of a response
	mu     sync.Mutex
	bad    []string // partial, malformed or wrong responses
}

func (o *shutdownOutcome) fail(format string, args ...any) {
	o.mu.Lock()
	o.bad = append(o.bad, fmt.Sprintf(format, args...))
	o.mu.Unlock()
}

// hammer sends keep-alive requests to addr, one at a time, alternating a
// quick and a slow route, until it cannot connect any more or stop is
// closed. A connection the server closes is replaced by a new one. With
// think, it waits a little between requests, so that its connection is
// sometimes idle when Shutdown comes.
func hammer(addr string, id int, think bool, stop <-chan struct{}, o *shutdownOutcome) {
	for seq := 0; ; {
		select {
		case <-stop:
			return
		default:
		}
		c, err := net.Dial("tcp", addr)
		if err != nil {
			return // the listener is closed
		}
		c.SetDeadline(time.Now().Add(30 * time.Second))
		br := bufio.NewReader(c)
		for {
			seq++
			path := "/hello"
			if seq%2 == 0 {
				path = "/slow"
			}
			tag := fmt.Sprintf("%d-%d", id, seq)
			if _, err := fmt.Fprintf(c, "GET %s?tag=%s HTTP/1.1\r\nHost: x\r\n\r\n", path, tag); err != nil {
				break // closed while idle: the request was never read
			}
			if _, err := br.Peek(1); err != nil {
				o.closed.Add(1)
				break
			}
			r, err := parseResponse(br, false)
			if err != nil {
				o.fail("%s %s: %v", path, tag, err)
				break
			}
			if want := path + " " + tag; r.code != 200 || r.body != want {
				o.fail("%s %s: %q %q", path, tag, r.status, r.body)
				break
			}
			o.ok.Add(1)
			if r.header("Connection") == "close" {
				break
			}
			select {
			case <-stop:
				c.Close()
				return
			default:
			}
			if think {
				time.Sleep(time.Duration(seq%3) * time.Millisecond)
			}
		}
		c.Close()
	}
}

func TestServerShutdownUnderLoad(t *testing.T) {
	workers := 16
	if raceEnabled || testing.Short() {
		workers = 8
	}
	const grace = 10 * time.Second
	var answered atomic.Int64
	longStarted := make(chan struct{})
	var once sync.Once
	ts := startServer(t, nil, func(s *Server) {
		reply := func(r *Request) {
			fmt.Fprintf(r.OutputBuffer(), "%s %s", r.Path(), r.Query().Get("tag"))
			if r.SendReply(StatusOK, "", nil) == nil {
				answered.Add(1)
			}
		}
		s.SetCallback("/hello", reply)
		s.SetCallback("/slow", func(r *Request) {
			base := r.Base()
			time.AfterFunc(20*time.Millisecond, func() { base.Post(func() { reply(r) }) })
		})
		s.SetCallback("/long", func(r *Request) {
			base := r.Base()
			time.AfterFunc(300*time.Millisecond, func() { base.Post(func() { reply(r) }) })
			once.Do(func() { close(longStarted) })
		})
	})

	var o shutdownOutcome
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for i := 0; i < workers; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			hammer(ts.addr, i, i%2 == 1, stop, &o)
		}()
	}
	stopClients := sync.OnceFunc(func() {
		close(stop)
		wg.Wait()
	})
	defer stopClients()
	// Let the load build, then put a long request in flight.
	for answered.Load() < 200 {
		time.Sleep(time.Millisecond)
	}
	long := ts.dial(t)
	io.WriteString(long, "GET /long?tag=L HTTP/1.1\r\nHost: x\r\n\r\n")
	<-longStarted

	start := time.Now()
	done := ts.Shutdown(grace)
	if _, err := ts.Bind("127.0.0.1:0"); !errors.Is(err, ErrServerClosed) {
		t.Errorf("Bind after Shutdown: %v, want ErrServerClosed", err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	if _, err := ts.Accept(ln); !errors.Is(err, ErrServerClosed) {
		t.Errorf("Accept after Shutdown: %v, want ErrServerClosed", err)
	}

	// The long request in flight is answered in full, then closed.
	br := bufio.NewReader(long)
	r := readResponse(t, br, false)
	if r.code != 200 || r.body != "/long L" || r.header("Connection") != "close" {
		t.Errorf("in-flight request: %q %q Connection %q", r.status, r.body, r.header("Connection"))
	}
	expectClosed(t, long, br, 5*time.Second)
	long.Close() // as a client does on "Connection: close"; the server lingers until then
	select {
	case <-done:
	case <-time.After(grace):
		t.Fatalf("Shutdown not done after its grace, %d connections open", ts.ConnectionCount())
	}
	// Nothing was in flight for long, so the grace was not used up.
	if elapsed := time.Since(start); elapsed > grace/2 {
		t.Errorf("Shutdown took %v with only short requests in flight", elapsed)
	}
	if n := ts.ConnectionCount(); n != 0 {
		t.Errorf("%d connections open after Shutdown", n)
	}
	stopClients()

	o.mu.Lock()
	defer o.mu.Unlock()
	for _, b := range o.bad {
		t.Error(b)
	}
	// Every reply the server made reached its client whole: no completed
	// response was lost to the shutdown.
	if got, want := o.ok.Load()+1, answered.Load(); got != want {
		t.Errorf("clients got %d complete responses, server answered %d", got, want)
	}
	t.Logf("%d responses, %d requests met a closed connection", o.ok.Load(), o.closed.Load())
}

func TestServerShutdownGrace(t *testing.T) {
	const grace = 300 * time.Millisecond
	canceled := make(chan error, 1)
	reached := make(chan struct{})
	ts := startServer(t, nil, func(s *Server) {
		s.SetCallback("/never", func(r *Request) {
			r.CancelOnClose(func(r *Request, err error) {
				canceled <- err
				if err := r.SendReply(StatusOK, "", nil); !errors.Is(err, ErrRequestDone) {
					t.Errorf("SendReply after cancel: %v, want ErrRequestDone", err)
				}
			})
			close(reached)
		})
		s.SetCallback("/hello", hello)
	})
	c := ts.dial(t)
	io.WriteString(c, "GET /never HTTP/1.1\r\nHost: x\r\n\r\n")
	<-reached
	idle := ts.dial(t)
	io.WriteString(idle, "GET /hello HTTP/1.1\r\nHost: x\r\n\r\n")
	idleBr := bufio.NewReader(idle)
	readResponse(t, idleBr, false)

	start := time.Now()
	done := ts.Shutdown(grace)
	// An idle keep-alive connection is closed at once.
	expectClosed(t, idle, idleBr, grace)
	select {
	case <-done:
	case <-time.After(grace + 5*time.Second):
		t.Fatal("Shutdown did not end after its grace")
	}
	if elapsed := time.Since(start); elapsed < grace {
		t.Errorf("Shutdown cut the handler after %v, before its grace %v", elapsed, grace)
	}
	select {
	case err := <-canceled:
		if !errors.Is(err, ErrServerClosed) {
			t.Errorf("cancel callback got %v, want ErrServerClosed", err)
		}
	default:
		t.Error("cancel callback not run")
	}
	// The client gets no response, only the close.
	expectClosed(t, c, bufio.NewReader(c), 5*time.Second)
	if n := ts.ConnectionCount(); n != 0 {
		t.Errorf("%d connections open after Shutdown", n)
	}
	if ch := ts.Shutdown(time.Hour); ch != done {
		t.Error("a second Shutdown returned another channel")
	}
}

// TestServerShutdownIdle: a Server with no connection shuts down at once.
func TestServerShutdownIdle(t *testing.T) {
	ts := startServer(t, nil, func(s *Server) { s.SetCallback("/hello", hello) })
	select {
	case <-ts.Shutdown(time.Hour):
	case <-time.After(5 * time.Second):
		t.Fatal("Shutdown of an idle server did not finish")
	}
	if c, err := net.DialTimeout("tcp", ts.addr, time.Second); err == nil {
		c.Close()
		t.Error("still accepting after Shutdown")
	}
}

func TestServerShutdownOnLoops(t *testing.T) {
	const idle, busy = 20, 4
	loops, err := core.NewLoops(2)
	if err != nil {
		t.Fatal(err)
	}
	defer loops.Close()
	s := NewOnLoops(loops, nil)
	var started sync.WaitGroup
	started.Add(busy)
	s.SetCallback("/hello", hello)
	s.SetCallback("/long", func(r *Request) {
		base := r.Base()
		time.AfterFunc(300*time.Millisecond, func() { base.Post(func() { hello(r) }) })
		started.Done()
	})
	bs, err := s.Bind("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	dial := func(path string) (net.Conn, *bufio.Reader) {
		c, err := net.Dial("tcp", bs.Addr().String())
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { c.Close() })
		c.SetDeadline(time.Now().Add(20 * time.Second))
		fmt.Fprintf(c, "GET %s HTTP/1.1\r\nHost: x\r\n\r\n", path)
		return c, bufio.NewReader(c)
	}
	type client struct {
		c  net.Conn
		br *bufio.Reader
	}
	var idles, busies []client
	for i := 0; i < idle; i++ {
		c, br := dial("/hello")
		readResponse(t, br, false)
		idles = append(idles, client{c, br})
	}
	for i := 0; i < busy; i++ {
		c, br := dial("/long")
		busies = append(busies, client{c, br})
	}
	started.Wait()
	start := time.Now()
	done := s.Shutdown(10 * time.Second)
	for _, cl := range idles {
		expectClosed(t, cl.c, cl.br, 2*time.Second)
	}
	for _, cl := range busies {
		r := readResponse(t, cl.br, false)
		if r.body != "Hello, World!" || r.header("Connection") != "close" {
			t.Errorf("in-flight request: %q %q Connection %q", r.status, r.body, r.header("Connection"))
		}
		expectClosed(t, cl.c, cl.br, 5*time.Second)
		cl.c.Close() // the server lingers until the client closes too
	}
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatalf("Shutdown not done, %d connections open", s.ConnectionCount())
	}
	if elapsed := time.Since(start); elapsed > 5*time.Second {
		t.Errorf("Shutdown took %v with only short requests in flight", elapsed)
	}
	if n := s.ConnectionCount(); n != 0 {
		t.Errorf("%d connections open after Shutdown", n)
	}
}

// TestServerShutdownWaitsForFlush: a reply still leaving when Shutdown
// comes (its connection already closing, Connection: close) keeps
// Shutdown's channel open until the client has it all; with a grace that
// runs out first, the flush is cut and the channel closes.
func TestServerShutdownWaitsForFlush(t *testing.T) {
	const size = 8 << 20 // far more than the socket buffers hold
	big := make([]byte, size)
	for i := range big {
		big[i] = byte('a' + i%26)
	}
	for _, tc := range []struct {
		name  string
		grace time.Duration
		read  bool // the client reads everything
	}{
		{"flushed", time.Hour, true},
		{"grace cuts it", 300 * time.Millisecond, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			replied := make(chan struct{})
			ts := startServer(t, nil, func(s *Server) {
				s.SetCallback("/big", func(r *Request) {
					r.OutputBuffer().Add(big)
					r.SendReply(StatusOK, "", nil)
					close(replied)
				})
			})
			c := ts.dial(t)
			io.WriteString(c, "GET /big HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
			<-replied
			done := ts.Shutdown(tc.grace)
			select {
			case <-done:
				t.Fatal("Shutdown ended while the reply was still being sent")
			case <-time.After(100 * time.Millisecond):
			}
			if !tc.read {
				select {
				case <-done:
				case <-time.After(tc.grace + 10*time.Second):
					t.Fatal("Shutdown did not cut the flush after its grace")
				}
				return
			}
			c.SetDeadline(time.Now().Add(30 * time.Second))
			all, err := io.ReadAll(c)
			if err != nil {
				t.Fatalf("read: %v after %d bytes", err, len(all))
			}
			if len(all) < size || string(all[len(all)-size:]) != string(big) {
				t.Fatalf("got %d bytes, want a reply with a %d-byte body", len(all), size)
			}
			select {
			case <-done:
			case <-time.After(10 * time.Second):
				t.Fatal("Shutdown did not end after the flush")
			}
		})
	}
}
