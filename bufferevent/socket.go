package bufferevent

import (
	"errors"
	"fmt"
	"io"

	"github.com/goevent/goevent/core"
	"golang.org/x/sys/unix"
)

// socketBev is the socket kind: libevent's bufferevent_sock.c. Its read
// and write events carry the timeouts themselves.
//
// A socket BufferEvent is one allocation: the BufferEvent is the first
// field of its socketBev. The write event is made on first use: data added
// to Output is written by one attempt at the end of the current batch of
// callbacks (flushDeferred), and only when that attempt leaves bytes behind
// does the socket wait for writability with the write event, which then
// stays added until Output drains (as in Redis's beforeSleep and nginx's
// posted events). An echo therefore costs one writev and no epoll_ctl.
//
// The write event and the connect state live in bev.x (bevExtra), made on
// first use.
//
// Its socket is readEv's fd, and its flags live in bev.kflags: together
// they keep the allocation in the 576 B size class (568 B and the 8 B
// malloc header of objects above 512 B).
type socketBev struct {
	bev    BufferEvent
	readEv core.Event
}

// sockFlags are a socket's flags, in BufferEvent.kflags.
type sockFlags = uint8

const (
	sockOwnFD      sockFlags = 1 << iota // the fd was made by Connect: closed on free
	sockReading                          // readEv added
	sockWriting                          // the write event added
	sockConnecting                       // connect in progress
	sockClosed                           // destructed: no fd any more
)

func (s *socketBev) is(f sockFlags) bool { return s.bev.kflags&f != 0 }

func (s *socketBev) set(f sockFlags, on bool) {
	if on {
		s.bev.kflags |= f
	} else {
		s.bev.kflags &^= f
	}
}

// connState is the rarely used connect and lookup state of a socket.
type connState struct {
	connErr     error // a connect that failed at once, reported from the loop
	lookupStop  func()
	lookupAlive bool
}

// maxFileWrite bounds one write from a file segment at the front of Output
// (one sendfile call per loop pass, or per writable event). The per-write
// cap of SetMaxSingleWrite (DefaultMaxSingle, 16 KiB, by default) applies to
// memory segments, whose writev copies into the socket; a file segment goes
// out in calls of up to max(maxFileWrite, MaxSingleWrite). Rate limits
// still cap both through the write allowance.
const maxFileWrite = 1 << 20

// NewSocket returns a BufferEvent on the connected, non-blocking stream
// socket fd, or with fd -1 one that Connect, ConnectUnix or
// ConnectHostname will connect. With CloseOnFree, Free closes fd; without,
// fd stays the caller's (a socket made by Connect is always closed).
// Reading starts disabled and writing enabled, as in libevent. Safe from
// any goroutine until the BufferEvent is in use; then it belongs to
// base's loop goroutine.
func NewSocket(base *core.Base, fd int, opts Options) (*BufferEvent, error) {
	if base == nil || fd < -1 {
		return nil, ErrInvalid
	}
	s := new(socketBev)
	bev := &s.bev
	bev.init(base, opts, s)
	s.setFD(fd)
	// Only the connection adds to Input and drains Output.
	bev.input.Freeze(false)
	bev.output.Freeze(true)
	return bev, nil
}

func (s *socketBev) setFD(fd int) {
	s.readEv.Assign(s.bev.base, fd, core.Read|core.Persist, s.readReady)
	if ev := s.writeEv(); ev != nil {
		ev.Assign(s.bev.base, fd, core.Write|core.Persist, s.writeReady)
	}
	s.set(sockReading|sockWriting, false)
}

// writeEv returns the write event, or nil before it was first needed.
func (s *socketBev) writeEv() *core.Event {
	if x := s.bev.x; x != nil {
		return x.writeEv
	}
	return nil
}

// writeEvent returns the write event, making it on first use.
func (s *socketBev) writeEvent() *core.Event {
	x := s.bev.extra()
	if x.writeEv == nil {
		x.writeEv = new(core.Event)
		x.writeEv.Assign(s.bev.base, s.fd(), core.Write|core.Persist, s.writeReady)
	}
	return x.writeEv
}

// connState returns the connect state, or nil when never connected.
func (s *socketBev) connState() *connState {
	if x := s.bev.x; x != nil {
		return &x.conn
	}
	return nil
}

// fd returns the socket, or -1.
func (s *socketBev) fd() int {
	if s.is(sockClosed) {
		return -1
	}
	return s.readEv.FD()
}
func (s *socketBev) underlying() *BufferEvent { return nil }

func (s *socketBev) updateRead() {
	want := s.fd() >= 0 && s.bev.readActive()
	if want && !s.is(sockReading) {
		addEvent(&s.readEv, s.bev.timeoutRead())
	} else if !want && s.is(sockReading) {
		s.readEv.Del()
	}
	s.set(sockReading, want)
}

// wantWrite reports whether the socket has something to do in the write
// direction: finish a connect, or write Output.
func (s *socketBev) wantWrite() bool {
	bev := &s.bev
	return s.fd() >= 0 && !bev.freed &&
		(s.is(sockConnecting) || (bev.writeActive() && bev.output.Len() > 0))
}

func (s *socketBev) updateWrite() {
	switch want := s.wantWrite(); {
	case !want:
		if s.is(sockWriting) {
			s.writeEv().Del()
			s.set(sockWriting, false)
		}
	case s.is(sockWriting):
		// Waiting for writability already; the write event writes.
	case s.is(sockConnecting):
		s.armWrite()
	default:
		// Try one write after the current batch of callbacks.
		s.bev.scheduleFlush()
	}
}

// armWrite adds the write event (with the write timeout) to wait for
// writability.
func (s *socketBev) armWrite() {
	addEvent(s.writeEvent(), s.bev.timeoutWrite())
	s.set(sockWriting, true)
}

func (s *socketBev) outputAdded() { s.updateWrite() }

// flushDeferred is the write attempt queued by scheduleFlush: it runs from
// the BufferEvent's Deferred, after the batch of callbacks that added to
// Output, so several adds go out in one writev. What the socket does not
// take waits for the write event.
func (s *socketBev) flushDeferred() {
	if s.is(sockWriting) || !s.wantWrite() {
		return
	}
	if s.is(sockConnecting) {
		s.armWrite()
		return
	}
	if !s.write(s.fd()) {
		return
	}
	if s.wantWrite() && !s.is(sockWriting) {
		s.armWrite()
	}
}

func (s *socketBev) adjTimeouts() {
	if s.is(sockReading) {
		addEvent(&s.readEv, s.bev.timeoutRead())
	}
	if s.is(sockWriting) {
		addEvent(s.writeEv(), s.bev.timeoutWrite())
	}
}

// flush does nothing: a socket writes whatever it can as soon as it can.
func (s *socketBev) flush(Direction, FlushMode) error { return nil }

func (s *socketBev) destruct() {
	if c := s.connState(); c != nil && c.lookupStop != nil {
		c.lookupStop()
		c.lookupStop = nil
	}
	fd := s.fd()
	s.readEv.Free()
	if ev := s.writeEv(); ev != nil {
		ev.Free()
	}
	s.set(sockReading|sockWriting, false)
	s.set(sockClosed, true)
	if fd >= 0 && (s.is(sockOwnFD) || s.bev.opts&CloseOnFree != 0) {
		unix.Close(fd)
	}
}

// readReady is the read event's callback (libevent's bufferevent_readcb).
func (s *socketBev) readReady(fd int, what core.Flags) {
	bev := &s.bev
	bev.incref()
	defer bev.decref()
	if what&core.Timeout != 0 {
		bev.Disable(Read)
		bev.runEventCB(Timeout|Reading, nil, false)
		return
	}
	if !bev.readActive() {
		return
	}
	n := bev.MaxSingleRead()
	if room := bev.readRoom(); room >= 0 {
		if room == 0 {
			bev.suspendRead(suspendWatermark)
			return
		}
		n = min(n, room)
	}
	if n = bev.readAllowance(n); n <= 0 {
		return
	}
	bev.input.Unfreeze(false)
	got, err := bev.input.ReadFromFD(fd, n)
	bev.input.Freeze(false)
	if got > 0 {
		bev.consumedRead(got)
		bev.dataRead()
		return
	}
	switch {
	case err == nil, err == unix.EAGAIN, err == unix.EINTR:
		return
	case err == io.EOF:
		bev.Disable(Read)
		bev.runEventCB(EOF|Reading, nil, false)
	default:
		bev.Disable(Read)
		bev.runEventCB(Error|Reading, err, false)
	}
}

// writeReady is the write event's callback (libevent's
// bufferevent_writecb): it finishes a connect, then writes.
func (s *socketBev) writeReady(fd int, what core.Flags) {
	bev := &s.bev
	bev.incref()
	defer bev.decref()
	if what&core.Timeout != 0 {
		if s.is(sockConnecting) {
			s.set(sockConnecting, false)
			bev.unsuspendRead(suspendConnecting)
		}
		bev.Disable(Write)
		bev.runEventCB(Timeout|Writing, nil, false)
		return
	}
	if s.is(sockConnecting) {
		if !s.finishConnect(fd) || bev.freed {
			return
		}
	}
	if !bev.writeActive() || bev.output.Len() == 0 {
		s.updateWrite()
		return
	}
	s.write(fd)
}

// write makes one write of Output to fd, as much as the max single write
// and the rate limit allow, and reports what happened: the write
// callback at the low watermark, an error event. It returns false when
// the write failed (the event callback has run). Its caller holds a
// reference.
func (s *socketBev) write(fd int) bool {
	bev := &s.bev
	want := bev.MaxSingleWrite()
	if l := bev.output.Len(); l > want && want < maxFileWrite {
		// The cap is for memory; a file segment at the front (which Peek
		// stops at) goes out in larger sendfile calls.
		var v [1][]byte
		if len(bev.output.Peek(1, v[:0])) == 0 {
			want = maxFileWrite
		}
	}
	n := bev.writeAllowance(want)
	if n <= 0 {
		return true
	}
	bev.output.Unfreeze(true)
	put, err := bev.output.WriteToFD(fd, n)
	bev.output.Freeze(true)
	if put > 0 {
		bev.consumedWrite(put)
	}
	if err != nil && err != unix.EAGAIN && err != unix.EINTR && put == 0 {
		bev.Disable(Write)
		bev.runEventCB(Error|Writing, err, false)
		return false
	}
	if bev.output.Len() == 0 {
		s.updateWrite()
	}
	if put > 0 {
		bev.dataWritten()
	}
	return true
}

// finishConnect checks the result of a non-blocking connect and reports
// it; it returns true when the socket is connected.
func (s *socketBev) finishConnect(fd int) bool {
	bev := &s.bev
	var err error
	if c := s.connState(); c != nil {
		err, c.connErr = c.connErr, nil
	}
	if err == nil {
		e, gerr := unix.GetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_ERROR)
		switch {
		case gerr != nil:
			err = gerr
		case e == int(unix.EINPROGRESS) || e == int(unix.EINTR):
			return false // spurious wakeup: still connecting
		case e != 0:
			err = connectError(unix.Errno(e))
		}
	}
	s.set(sockConnecting, false)
	bev.unsuspendRead(suspendConnecting)
	if err != nil {
		bev.Disable(Write)
		s.updateWrite()
		bev.runEventCB(Error, err, false)
		return false
	}
	s.updateWrite()
	bev.runEventCB(Connected, nil, false)
	return true
}

func connectError(err error) error {
	var errno unix.Errno
	if errors.As(err, &errno) {
		return &connectErr{errno}
	}
	return err
}

// SetNoDelay turns Nagle's algorithm off (on true) or on for the TCP
// socket of a socket BufferEvent, or of the socket under a filter:
// TCP_NODELAY. Connections accepted by core.Listen have it set already
// (unless core.WithoutNoDelay); use it for sockets made by Connect (after
// Connect, which makes the socket) or accepted elsewhere. It fails with
// ErrNotSocket on a pair and ErrInvalid without a socket. Loop goroutine
// only (other goroutines: Base.Post).
func (bev *BufferEvent) SetNoDelay(on bool) error {
	if bev.freed {
		return ErrFreed
	}
	fd := bev.FD()
	if fd < 0 {
		if _, ok := bev.ops.(*pairBev); ok {
			return ErrNotSocket
		}
		return ErrInvalid
	}
	v := 0
	if on {
		v = 1
	}
	if err := unix.SetsockoptInt(fd, unix.IPPROTO_TCP, unix.TCP_NODELAY, v); err != nil {
		return fmt.Errorf("bufferevent: setsockopt TCP_NODELAY: %w", err)
	}
	return nil
}
