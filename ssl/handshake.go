package ssl

import (
	"context"
	"fmt"
	"io"

	"github.com/goevent/goevent/bufferevent"
)

// startHandshake starts the handshake goroutine: the only goroutine the
// package starts, one per connection while its handshake runs.
func (s *session) startHandshake() {
	s.handshakeRan = true
	go s.handshake()
}

// handshake runs on its own goroutine. Its reads wait for the bytes the
// loop feeds through the shim, its writes are posted to the loop, and it
// reports to the loop when done. context.Background has no Done channel,
// so crypto/tls starts no watcher goroutine of its own; closing the shim
// is what cancels.
func (s *session) handshake() {
	err := s.conn.HandshakeContext(context.Background())
	// If the Base is closed the report is lost, and so is the BufferEvent.
	_ = s.base.Post(func() { s.handshakeDone(err) })
}

// handshaking reports whether the handshake goroutine still owns conn.
func (s *session) handshaking() bool { return !s.established && !s.failed }

// handshakeDone runs on the loop goroutine when the handshake goroutine
// finished: conn is the loop's from now on.
func (s *session) handshakeDone(err error) {
	if s.dead {
		return
	}
	// The bytes fed but not read start at a record boundary: put them back
	// in front of the underlying Input, where the input filter reads.
	if left := s.shim.toLoop(); len(left) > 0 {
		_ = s.under.Input().Prepend(left)
	}
	s.bev.SetFilterForceRead(false)
	if s.failed { // the connection below failed; its Error was passed on
		return
	}
	if err != nil {
		s.failed = true
		s.bev.TriggerEvent(bufferevent.Error|bufferevent.Reading, fmt.Errorf("%w: %w", ErrHandshake, err), 0)
		return
	}
	s.established = true
	s.bufs, s.bufsOK = findTLSBuffers(s.conn)
	if s.bufsOK && s.under.Input().Len() == 0 {
		s.bufs.release() // the handshake's buffers
	}
	s.bev.TriggerEvent(bufferevent.Connected, nil, 0)
	s.bev.FilterKick() // decrypt what came early, encrypt what waited
}

// underEvent filters the events of the BufferEvent below: during the
// handshake, its Connected is kept back and an EOF ends the handshake
// (reported by the handshake's own error); afterwards an EOF following
// the peer's close_notify is not reported twice.
func (s *session) underEvent(what bufferevent.What, err error) bool {
	if s.established || s.failed {
		return !(what&bufferevent.EOF != 0 && s.gotNotify)
	}
	switch {
	case what&bufferevent.Connected != 0:
		return false
	case what&bufferevent.EOF != 0:
		s.shim.closeRead(io.EOF)
		return false
	case what&bufferevent.Error != 0:
		s.failed = true
		s.shim.closeRead(err)
		return true
	}
	return true
}

// closing is Close's hook: close_notify goes after what Output holds.
func (s *session) closing() {
	s.finish = true
	if s.established && s.bev.Output().Len() == 0 {
		s.sendCloseNotify()
	}
}

// destruct is the Free hook: it ends a handshake in progress.
func (s *session) destruct() {
	s.dead = true
	s.shim.closeRead(ErrClosed)
}

// writeOut appends encrypted bytes to the underlying Output. Loop
// goroutine.
func (s *session) writeOut(p []byte) (int, error) {
	if s.dead {
		return 0, ErrClosed
	}
	if err := s.under.Output().Add(p); err != nil {
		return 0, err
	}
	return len(p), nil
}
