package evhttp

import (
	"bytes"
	"testing"
	"time"

	"github.com/goevent/goevent/evbuffer"
)

// TestWSSingleIOSize checks that an upgraded connection lets one read or
// write move a 64 KiB message whole, and that a 16 KiB message, which with
// its header passes the bufferevent's default of 16 KiB, echoes intact.
func TestWSSingleIOSize(t *testing.T) {
	type limits struct{ read, write int }
	got := make(chan limits, 1)
	ts := startServer(t, nil, func(s *Server) {
		s.SetCallback("/ws", func(r *Request) {
			c, err := Upgrade(r, nil)
			if err != nil {
				return
			}
			got <- limits{c.bev.MaxSingleRead(), c.bev.MaxSingleWrite()}
			c.OnMessage(func(c *WSConn, op Opcode, msg *evbuffer.Buffer) { c.SendMessage(op, msg) })
		})
	})
	conn, br := wstDial(t, ts)
	defer conn.Close()
	select {
	case l := <-got:
		if l.read < wsMaxSingle || l.write < wsMaxSingle {
			t.Errorf("single read %d, write %d; want at least %d", l.read, l.write, wsMaxSingle)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the handler did not run")
	}
	payload := bytes.Repeat([]byte("0123456789abcdef"), 1<<10) // 16 KiB
	if _, err := conn.Write(wsfFrame(0x82, payload, true)); err != nil {
		t.Fatal(err)
	}
	conn.SetReadDeadline(time.Now().Add(10 * time.Second))
	b0, p, err := wstReadFrame(br)
	if err != nil || b0 != 0x82 || !bytes.Equal(p, payload) {
		t.Fatalf("echo: %#x, %d bytes, %v; want 0x82 and the 16 KiB sent", b0, len(p), err)
	}
}
