package ssl

import (
	"errors"
	"fmt"
	"io"
	"net"

	"github.com/goevent/goevent/bufferevent"
	"github.com/goevent/goevent/evbuffer"
)

// maxPlaintext is the most plaintext one TLS record carries.
const maxPlaintext = 16384

// inFilter is the input FilterFunc: during the handshake it feeds the
// handshake goroutine; afterwards it decrypts whole records from the
// underlying Input into this Input, on the loop goroutine.
func (s *session) inFilter(src, dst *evbuffer.Buffer, limit int, _ bufferevent.FlushMode) (bufferevent.FilterResult, error) {
	switch {
	case s.handshaking():
		s.shim.feed(src)
		return bufferevent.FilterNeedMore, nil
	case s.failed || s.gotNotify || s.readErr != nil || s.dead:
		_ = src.Drain(src.Len()) // nothing more is read
		return bufferevent.FilterNeedMore, nil
	case limit == 0:
		return bufferevent.FilterNeedMore, nil
	}
	s.shim.src = src
	defer func() {
		s.shim.src = nil
		if s.bufsOK && src.Len() == 0 {
			s.bufs.release() // idle: no record half read
		}
	}()
	if s.bufsOK {
		s.bufs.lend()
	}
	added, probe := 0, false
	for limit < 0 || added < limit {
		ready := s.shim.cur.ready(src)
		if !ready && !probe {
			break
		}
		// A record's plaintext is never longer than the record; a probe
		// (the last read filled its slice) may find up to a record's worth
		// buffered inside crypto/tls.
		size := maxPlaintext
		if ready && !probe {
			size = min(s.nextRecordLen(src), maxPlaintext)
		}
		before := src.Len()
		buf := dst.Reserve(max(size, 1))
		n, err := s.conn.Read(buf)
		_ = dst.Commit(n)
		added += n
		probe = n > 0 && n == len(buf)
		if err == nil {
			continue
		}
		var ne net.Error
		switch {
		case errors.As(err, &ne) && ne.Timeout() && ne.Temporary():
			// A record without application data (a session ticket, a
			// key update) was consumed, or more bytes are needed.
			if n == 0 && src.Len() == before {
				probe = false
				if !s.shim.cur.ready(src) {
					return s.inResult(added, dst), nil
				}
			}
		case err == io.EOF:
			s.gotNotify = true
			_ = src.Drain(src.Len())
			s.bev.TriggerEvent(bufferevent.EOF|bufferevent.Reading, nil, bufferevent.DeferCallbacks)
			return s.inResult(added, dst), nil
		default:
			s.readErr = err
			_ = src.Drain(src.Len())
			return bufferevent.FilterError, fmt.Errorf("%w: %w", ErrRecord, err)
		}
	}
	return s.inResult(added, dst), nil
}

// inResult reports the input filter's progress, dropping an empty
// buffer's block set aside by an abandoned Reserve so an idle connection
// holds no record-sized block.
func (s *session) inResult(added int, dst *evbuffer.Buffer) bufferevent.FilterResult {
	if added > 0 {
		return bufferevent.FilterOK
	}
	if dst.Len() == 0 {
		dst.Reset()
	}
	return bufferevent.FilterNeedMore
}

// nextRecordLen returns the length of the record at the front of src
// (header included), which cur.ready said is complete. It is only an
// allocation size hint.
func (s *session) nextRecordLen(src *evbuffer.Buffer) int {
	c := &s.shim.cur
	if c.remaining > 0 {
		return c.remaining
	}
	var hdr [recordHeaderLen]byte
	copy(hdr[:], c.hdr[:c.hdrN])
	_, _ = src.CopyOut(hdr[c.hdrN:])
	return recordHeaderLen + (int(hdr[3])<<8 | int(hdr[4]))
}

// outFilter is the output FilterFunc: once the handshake is done it
// encrypts this Output into the underlying Output, a record per 16 KiB,
// and sends close_notify after the last byte when asked (Flush Finished,
// Close). Until then bytes wait.
func (s *session) outFilter(src, dst *evbuffer.Buffer, limit int, mode bufferevent.FlushMode) (bufferevent.FilterResult, error) {
	if mode == bufferevent.Finished {
		s.finish = true
	}
	switch {
	case s.handshaking():
		return bufferevent.FilterNeedMore, nil
	case s.failed || s.writeErr != nil || s.dead:
		_ = src.Drain(src.Len())
		return bufferevent.FilterNeedMore, nil
	}
	produced := 0
	for src.Len() > 0 && (limit < 0 || produced < limit) {
		n := min(src.Len(), maxPlaintext)
		p, err := src.Pullup(n)
		if err != nil {
			s.writeErr = err
			return bufferevent.FilterError, fmt.Errorf("%w: %w", ErrWrite, err)
		}
		before := dst.Len()
		_, err = s.conn.Write(p)
		_ = src.Drain(n)
		produced += dst.Len() - before
		if err != nil {
			s.writeErr = err
			_ = src.Drain(src.Len())
			return bufferevent.FilterError, fmt.Errorf("%w: %w", ErrWrite, err)
		}
	}
	if s.finish && src.Len() == 0 {
		produced += s.sendCloseNotify()
	}
	if produced > 0 {
		return bufferevent.FilterOK, nil
	}
	return bufferevent.FilterNeedMore, nil
}

// sendCloseNotify sends close_notify once and returns the bytes it added
// below.
func (s *session) sendCloseNotify() int {
	if s.notifySent || !s.established || s.writeErr != nil {
		return 0
	}
	s.notifySent = true
	before := s.under.Output().Len()
	_ = s.conn.CloseWrite()
	return s.under.Output().Len() - before
}
