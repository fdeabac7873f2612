package evrpc

import (
	"errors"
	"fmt"
)

// Status is the outcome of a client call, with the numbers of libevent's
// struct evrpc_status (EVRPC_STATUS_ERR_*). StatusCancelled has no
// libevent counterpart: libevent cannot cancel an RPC.
type Status int

// Client call outcomes.
const (
	StatusOK          Status = 0 // EVRPC_STATUS_ERR_NONE: the reply arrived and decoded
	StatusTimeout     Status = 1 // EVRPC_STATUS_ERR_TIMEOUT: no reply (timeout, connection failure)
	StatusBadPayload  Status = 2 // EVRPC_STATUS_ERR_BADPAYLOAD: a reply that does not decode, or an error status
	StatusUnstarted   Status = 3 // EVRPC_STATUS_ERR_UNSTARTED: an output hook stopped the call before it was sent
	StatusHookAborted Status = 4 // EVRPC_STATUS_ERR_HOOKABORTED: an input hook stopped the call
	StatusCancelled   Status = 5 // the caller cancelled the call or closed the Pool (goevent only)
)

var statusNames = [...]string{
	StatusOK:          "ok",
	StatusTimeout:     "timeout",
	StatusBadPayload:  "bad payload",
	StatusUnstarted:   "unstarted",
	StatusHookAborted: "hook aborted",
	StatusCancelled:   "cancelled",
}

// String returns a short name for s.
func (s Status) String() string {
	if s >= 0 && int(s) < len(statusNames) {
		return statusNames[s]
	}
	return fmt.Sprintf("Status(%d)", int(s))
}

// Errors of client calls, one per failing Status. A call's error is an
// *Error whose Status selects one of them, so errors.Is(err, ErrTimeout)
// tells a timeout whatever caused it.
var (
	// ErrTimeout: no reply came: the Pool's timeout passed, or the
	// connection failed or closed before the reply was complete (libevent
	// reports both as EVRPC_STATUS_ERR_TIMEOUT).
	ErrTimeout = errors.New("evrpc: no reply (timeout or connection failure)")
	// ErrBadPayload: the reply did not decode into the reply type, or the
	// server answered with a status other than 200 (see ErrServerError).
	ErrBadPayload = errors.New("evrpc: bad reply payload")
	// ErrUnstarted: an output hook terminated the call before it was sent.
	ErrUnstarted = errors.New("evrpc: call stopped by an output hook")
	// ErrHookAborted: an input hook terminated the call.
	ErrHookAborted = errors.New("evrpc: call stopped by an input hook")
	// ErrCancelled: Call.Cancel or Pool.Close ended the call.
	ErrCancelled = errors.New("evrpc: call cancelled")
	// ErrServerError: the server answered with an HTTP status other than
	// 200 (libevent's server answers 503 to every failure). It comes with
	// StatusBadPayload, as a libevent client reports it.
	ErrServerError = errors.New("evrpc: server error status")
)

// Errors of the server side and of misuse.
var (
	// ErrName: an RPC name that is empty or holds a character other
	// than letters, digits, '_', '-', '.' and '~'.
	ErrName = errors.New("evrpc: invalid RPC name")
	// ErrExists: Register with a name already registered on the Base.
	ErrExists = errors.New("evrpc: RPC already registered")
	// ErrNotRegistered: Unregister with a name not registered.
	ErrNotRegistered = errors.New("evrpc: RPC not registered")
	// ErrType: a request or reply type that is not a struct.
	ErrType = errors.New("evrpc: request and reply must be struct types")
	// ErrDone: Request.Done called twice, or after the client went away.
	ErrDone = errors.New("evrpc: request already finished")
	// ErrNotPaused: HookContext.Resume when no hook of the call is paused.
	ErrNotPaused = errors.New("evrpc: no paused hook to resume")
	// ErrPoolClosed: MakeRequest on a closed Pool.
	ErrPoolClosed = errors.New("evrpc: pool closed")
)

var statusErrs = [...]error{
	StatusTimeout:     ErrTimeout,
	StatusBadPayload:  ErrBadPayload,
	StatusUnstarted:   ErrUnstarted,
	StatusHookAborted: ErrHookAborted,
	StatusCancelled:   ErrCancelled,
}

// Error is the error of a failed client call. It unwraps to the sentinel of
// its Status and to its cause, so errors.Is matches both (ErrTimeout and
// evhttp.ErrConnect for a refused connection, ErrBadPayload and
// evtag.ErrUnknownTag for a reply with a tag the reply type lacks). For a
// timeout it satisfies net.Error with Timeout true.
type Error struct {
	Status Status // libevent's status code
	RPC    string // the RPC's name
	Code   int    // the HTTP status of the reply, 0 when none arrived
	Err    error  // the cause, nil when the Status says it all
}

// Error implements error.
func (e *Error) Error() string {
	msg := "evrpc: " + e.RPC + ": " + e.Status.String()
	if e.Code != 0 && e.Code != 200 {
		msg += fmt.Sprintf(" (HTTP %d)", e.Code)
	}
	if e.Err != nil {
		msg += ": " + e.Err.Error()
	}
	return msg
}

// Unwrap returns the sentinel error of e.Status and e.Err.
func (e *Error) Unwrap() []error {
	errs := make([]error, 0, 2)
	if e.Status > 0 && int(e.Status) < len(statusErrs) {
		errs = append(errs, statusErrs[e.Status])
	}
	if e.Err != nil {
		errs = append(errs, e.Err)
	}
	return errs
}

// Timeout reports whether the call failed with StatusTimeout.
func (e *Error) Timeout() bool { return e.Status == StatusTimeout }

// Temporary reports whether retrying may succeed: true for timeouts.
func (e *Error) Temporary() bool { return e.Status == StatusTimeout }
