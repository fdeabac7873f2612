package core

import (
	"errors"
	"fmt"
)

// Errors returned by core. Each is comparable with errors.Is; returned
// errors may wrap them with more detail.
var (
	// ErrBackendUnavailable is returned by NewBase when the requested
	// backend does not exist on this system, or when every backend was
	// avoided. NewBase never silently falls back to another backend.
	ErrBackendUnavailable = errors.New("core: backend unavailable")
	// ErrClosed is returned by methods of a Base after Close, and of an
	// Event whose Base was closed.
	ErrClosed = errors.New("core: base closed")
	// ErrFreed is returned by methods of an Event after Free.
	ErrFreed = errors.New("core: event freed")
	// ErrReentrant is returned by Loop and Dispatch when the Base's loop
	// is already running (from a callback, or in another goroutine).
	ErrReentrant = errors.New("core: loop already running")
	// ErrUnsupported is returned by Event.Add when the event asks for
	// something its Base's backend cannot do (ET or Closed).
	ErrUnsupported = errors.New("core: not supported by this backend")
	// ErrFDTooLarge is returned by Event.Add when the fd exceeds the
	// backend's limit (select's FD_SETSIZE).
	ErrFDTooLarge = errors.New("core: fd exceeds the backend's limit")
	// ErrInvalid is returned for invalid arguments: a negative fd for an
	// I/O event, an ET mismatch between events on one fd, a priority out
	// of range, or a priority change on an active event.
	ErrInvalid = errors.New("core: invalid argument")
)

// BackendError reports a failing kernel call in a backend.
type BackendError struct {
	Backend string // backend name, e.g. "epoll"
	Op      string // the call, e.g. "epoll_ctl"
	FD      int    // the fd concerned, or -1
	Err     error  // the errno
}

func (e *BackendError) Error() string {
	if e.FD >= 0 {
		return fmt.Sprintf("core: %s: %s fd %d: %v", e.Backend, e.Op, e.FD, e.Err)
	}
	return fmt.Sprintf("core: %s: %s: %v", e.Backend, e.Op, e.Err)
}

// Unwrap returns the errno.
func (e *BackendError) Unwrap() error { return e.Err }
