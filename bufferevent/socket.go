package bufferevent

import (
	"errors"
	"io"

	"github.com/goevent/goevent/core"
	"golang.org/x/sys/unix"
)

// socketBev is the socket kind: libevent's bufferevent_sock.c. Its read
// and write events carry the timeouts themselves.
type socketBev struct {
	bev         *BufferEvent
	sock        int
	ownFD       bool // the fd was made by Connect: closed on free
	readEv      core.Event
	writeEv     core.Event
	reading     bool // readEv added
	writing     bool // writeEv added
	connecting  bool
	connErr     error // a connect that failed at once, reported from the loop
	lookupStop  func()
	lookupAlive bool
}

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
	bev := new(BufferEvent)
	s := &socketBev{bev: bev, sock: -1}
	bev.init(base, opts, s)
	s.setFD(fd)
	// Only the connection adds to Input and drains Output.
	bev.input.Freeze(false)
	bev.output.Freeze(true)
	return bev, nil
}

func (s *socketBev) setFD(fd int) {
	s.sock = fd
	s.readEv.Assign(s.bev.base, fd, core.Read|core.Persist, s.readReady)
	s.writeEv.Assign(s.bev.base, fd, core.Write|core.Persist, s.writeReady)
	s.reading, s.writing = false, false
}

func (s *socketBev) fd() int                  { return s.sock }
func (s *socketBev) underlying() *BufferEvent { return nil }

func (s *socketBev) updateRead() {
	want := s.sock >= 0 && s.bev.readActive()
	if want && !s.reading {
		addEvent(&s.readEv, s.bev.timeoutRead)
	} else if !want && s.reading {
		s.readEv.Del()
	}
	s.reading = want
}

func (s *socketBev) updateWrite() {
	bev := s.bev
	want := s.sock >= 0 && !bev.freed &&
		(s.connecting || (bev.writeActive() && bev.output.Len() > 0))
	if want && !s.writing {
		addEvent(&s.writeEv, bev.timeoutWrite)
	} else if !want && s.writing {
		s.writeEv.Del()
	}
	s.writing = want
}

func (s *socketBev) outputAdded() { s.updateWrite() }

func (s *socketBev) adjTimeouts() {
	if s.reading {
		addEvent(&s.readEv, s.bev.timeoutRead)
	}
	if s.writing {
		addEvent(&s.writeEv, s.bev.timeoutWrite)
	}
}

// flush does nothing: a socket writes whatever it can as soon as it can.
func (s *socketBev) flush(Direction, FlushMode) error { return nil }

func (s *socketBev) destruct() {
	if s.lookupStop != nil {
		s.lookupStop()
		s.lookupStop = nil
	}
	s.readEv.Free()
	s.writeEv.Free()
	s.reading, s.writing = false, false
	if s.sock >= 0 && (s.ownFD || s.bev.opts&CloseOnFree != 0) {
		unix.Close(s.sock)
	}
	s.sock = -1
}

// readReady is the read event's callback (libevent's bufferevent_readcb).
func (s *socketBev) readReady(fd int, what core.Flags) {
	bev := s.bev
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
	n := bev.maxSingleRead
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
	bev := s.bev
	bev.incref()
	defer bev.decref()
	if what&core.Timeout != 0 {
		if s.connecting {
			s.connecting = false
			bev.unsuspendRead(suspendConnecting)
		}
		bev.Disable(Write)
		bev.runEventCB(Timeout|Writing, nil, false)
		return
	}
	if s.connecting {
		if !s.finishConnect(fd) || bev.freed {
			return
		}
	}
	if !bev.writeActive() || bev.output.Len() == 0 {
		s.updateWrite()
		return
	}
	n := bev.writeAllowance(bev.maxSingleWrite)
	if n <= 0 {
		return
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
		return
	}
	if bev.output.Len() == 0 {
		s.updateWrite()
	}
	if put > 0 {
		bev.dataWritten()
	}
}

// finishConnect checks the result of a non-blocking connect and reports
// it; it returns true when the socket is connected.
func (s *socketBev) finishConnect(fd int) bool {
	bev := s.bev
	err := s.connErr
	s.connErr = nil
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
	s.connecting = false
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
