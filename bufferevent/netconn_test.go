package bufferevent

import (
	"errors"
	"io"
	"net"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/goevent/goevent/core"
)

// startLoop runs base's loop on a goroutine until the test ends.
func startLoop(t *testing.T, base *core.Base) {
	t.Helper()
	done := make(chan struct{})
	go func() {
		defer close(done)
		base.Loop(core.LoopNoExitOnEmpty)
	}()
	t.Cleanup(func() {
		base.LoopBreak()
		<-done
	})
}

// onLoop runs fn on base's loop and waits for it.
func onLoop(t *testing.T, base *core.Base, fn func()) {
	t.Helper()
	done := make(chan struct{})
	if err := base.Post(func() { fn(); close(done) }); err != nil {
		t.Fatal(err)
	}
	<-done
}

func TestNetConn(t *testing.T) {
	forEachBackend(t, func(t *testing.T, base *core.Base) {
		addr := echoServer(t, base)
		startLoop(t, base)
		var conn net.Conn
		onLoop(t, base, func() {
			bev := mustSocket(t, base, -1, CloseOnFree)
			if err := bev.Connect(addr); err != nil {
				t.Error(err)
			}
			conn = bev.AsNetConn()
		})
		msg := strings.Repeat("net.Conn over a loop ", 20000) // 420 KB: Write waits for room
		var wg sync.WaitGroup
		wg.Add(1)
		go func() {
			defer wg.Done()
			if n, err := conn.Write([]byte(msg)); n != len(msg) || err != nil {
				t.Errorf("Write = %d, %v", n, err)
			}
		}()
		got := make([]byte, len(msg))
		conn.SetReadDeadline(time.Now().Add(10 * time.Second))
		if _, err := io.ReadFull(conn, got); err != nil || string(got) != msg {
			t.Fatalf("ReadFull: %v (equal %v)", err, string(got) == msg)
		}
		wg.Wait()
		if a, ok := conn.RemoteAddr().(*net.TCPAddr); !ok || a.AddrPort().Port() != addr.Port() {
			t.Errorf("RemoteAddr = %v", conn.RemoteAddr())
		}
		if _, ok := conn.LocalAddr().(*net.TCPAddr); !ok {
			t.Errorf("LocalAddr = %v", conn.LocalAddr())
		}
		// A deadline with nothing to read.
		conn.SetReadDeadline(time.Now().Add(30 * time.Millisecond))
		start := time.Now()
		_, err := conn.Read(got)
		var ne net.Error
		if !errors.As(err, &ne) || !ne.Timeout() || !errors.Is(err, os.ErrDeadlineExceeded) {
			t.Fatalf("Read past deadline: %v", err)
		}
		if time.Since(start) < 25*time.Millisecond {
			t.Error("deadline fired early")
		}
		// A deadline moved while Read blocks; data then arrives.
		conn.SetReadDeadline(time.Time{})
		res := make(chan error, 1)
		go func() {
			p := make([]byte, 4)
			_, err := io.ReadFull(conn, p)
			if err == nil && string(p) != "ping" {
				err = errors.New("wrong data " + string(p))
			}
			res <- err
		}()
		conn.SetReadDeadline(time.Now().Add(time.Hour))
		conn.Write([]byte("ping"))
		if err := <-res; err != nil {
			t.Fatal(err)
		}
		// Close fails a blocked Read.
		go func() {
			_, err := conn.Read(got)
			res <- err
		}()
		time.Sleep(10 * time.Millisecond) // let the Read block (either order is correct)
		if err := conn.Close(); err != nil {
			t.Fatal(err)
		}
		if err := <-res; !errors.Is(err, net.ErrClosed) {
			t.Fatalf("Read after Close: %v", err)
		}
		if _, err := conn.Write([]byte("x")); !errors.Is(err, net.ErrClosed) {
			t.Fatalf("Write after Close: %v", err)
		}
	})
}

func TestNetConnPairEOF(t *testing.T) {
	base := newBase(t)
	var a, b *BufferEvent
	a, b = mustPair(t, base)
	conn := a.AsNetConn()
	startLoop(t, base)
	onLoop(t, base, func() {
		b.Output().AddString("tail")
		b.Flush(Write, Finished)
	})
	data, err := io.ReadAll(conn)
	if err != nil || string(data) != "tail" {
		t.Fatalf("ReadAll = %q, %v", data, err)
	}
	conn.Close()
	onLoop(t, base, func() { b.Free() })
}
