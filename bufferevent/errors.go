package bufferevent

import "errors"

// Errors returned by bufferevent. Each is comparable with errors.Is;
// returned errors may wrap them with more detail.
var (
	// ErrFreed is returned by methods of a BufferEvent after Free or
	// Close.
	ErrFreed = errors.New("bufferevent: freed")
	// ErrNotSocket is returned by Connect, ConnectUnix and
	// ConnectHostname on a BufferEvent that is not a socket.
	ErrNotSocket = errors.New("bufferevent: not a socket bufferevent")
	// ErrConnecting is returned by Connect, ConnectUnix and
	// ConnectHostname while a connect or a lookup is in progress.
	ErrConnecting = errors.New("bufferevent: connect already in progress")
	// ErrInvalid is returned for invalid arguments: an invalid address,
	// a nil Base or underlying BufferEvent, negative watermarks.
	ErrInvalid = errors.New("bufferevent: invalid argument")
	// ErrResolve wraps the error of a failed host lookup, delivered with
	// an Error event by ConnectHostname.
	ErrResolve = errors.New("bufferevent: host lookup failed")
	// ErrNoAddress is delivered (wrapped in ErrResolve) when a lookup
	// returned no address of the requested family.
	ErrNoAddress = errors.New("bufferevent: no address for host")
	// ErrFilter wraps the error of a FilterFunc that returned
	// FilterError, delivered with an Error event.
	ErrFilter = errors.New("bufferevent: filter failed")
	// ErrCloseTimeout is given to Close's done function when the linger
	// time passed before the output was sent.
	ErrCloseTimeout = errors.New("bufferevent: close timed out with data unsent")
	// ErrClosed is returned by the net.Conn of AsNetConn after its Close,
	// wrapped together with net.ErrClosed.
	ErrClosed = errors.New("bufferevent: connection closed")
	// ErrPeerClosed is given to Close's done function when the peer or
	// the connection failed before the output was sent (wrapping the
	// cause when there is one).
	ErrPeerClosed = errors.New("bufferevent: connection ended with data unsent")
)
