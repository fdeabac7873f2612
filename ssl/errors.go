package ssl

import "errors"

// Errors returned or delivered by package ssl. Each is comparable with
// errors.Is; delivered errors wrap them together with crypto/tls's own
// error, so errors.As finds tls.AlertError, *tls.CertificateVerificationError
// or tls.RecordHeaderError as well.
var (
	// ErrHandshake wraps crypto/tls's error when a handshake fails. It is
	// delivered with an Error|Reading event instead of Connected.
	ErrHandshake = errors.New("ssl: handshake failed")
	// ErrRecord wraps crypto/tls's error when an established connection
	// receives a bad record or alert (delivered, inside
	// bufferevent.ErrFilter, with an Error|Reading event).
	ErrRecord = errors.New("ssl: bad record")
	// ErrWrite wraps crypto/tls's error when encrypting fails, for example
	// a write after close_notify was sent (Error|Writing event).
	ErrWrite = errors.New("ssl: write failed")
	// ErrNoConfig is returned by NewServer, NewClient and Filter without
	// a *tls.Config.
	ErrNoConfig = errors.New("ssl: nil tls.Config")
	// ErrState is returned by Filter for a State other than Connecting or
	// Accepting: crypto/tls cannot adopt a session already open.
	ErrState = errors.New("ssl: invalid state")
	// ErrClosed is what the handshake goroutine's reads return once the
	// BufferEvent was freed, ending the handshake.
	ErrClosed = errors.New("ssl: bufferevent freed")
)

// errWouldBlock is what the shim's Read returns on the loop goroutine
// when no more bytes are buffered. It is a temporary net.Error, which
// crypto/tls hands back from Conn.Read without making it sticky (Go 1.26
// conn.go, readRecordOrCCS: setErrorLocked only for non-temporary errors).
var errWouldBlock error = wouldBlock{}

type wouldBlock struct{}

func (wouldBlock) Error() string   { return "ssl: record incomplete, would block" }
func (wouldBlock) Timeout() bool   { return true }
func (wouldBlock) Temporary() bool { return true }
