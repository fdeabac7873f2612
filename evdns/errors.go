package evdns

import (
	"errors"
	"fmt"
	"net/netip"

	"github.com/miekg/dns"
)

// Errors a lookup reports. Every error passed to a callback wraps one of
// them, so callers test with errors.Is(err, evdns.ErrNXDomain).
var (
	// ErrNXDomain: the name does not exist (rcode NXDOMAIN), after every
	// name of the search list was tried.
	ErrNXDomain = errors.New("evdns: no such host")
	// ErrNoData: the name exists but has no records of the type asked
	// for (NOERROR with an empty answer).
	ErrNoData = errors.New("evdns: no records of the requested type")
	// ErrServFail: every server answered SERVFAIL.
	ErrServFail = errors.New("evdns: server failure")
	// ErrRefused: the servers refused the query (rcode REFUSED).
	ErrRefused = errors.New("evdns: query refused")
	// ErrNotImp: the servers do not implement the query (rcode NOTIMP).
	ErrNotImp = errors.New("evdns: query not implemented by server")
	// ErrFormErr: the servers could not parse the query (rcode FORMERR).
	ErrFormErr = errors.New("evdns: server reported a format error")
	// ErrRcode: the servers answered with an rcode evdns has no sentinel
	// for; the *Error carries it.
	ErrRcode = errors.New("evdns: unexpected rcode")
	// ErrCancelled: a sub-query was abandoned because the lookup no longer
	// needs it (LookupHost drops the slower of A and AAAA after
	// Config.LookupSkew). A request the caller cancels reports nothing.
	ErrCancelled = errors.New("evdns: request cancelled")
	// ErrShutdown: the Resolver was shut down before the request finished,
	// or a request was made after Shutdown.
	ErrShutdown = errors.New("evdns: resolver shut down")
	// ErrNoNameservers: a query needed the network and no nameserver is
	// configured.
	ErrNoNameservers = errors.New("evdns: no nameservers configured")
	// ErrCNAMEChain: a CNAME chain was longer than Config.MaxCNAMEChain
	// or looped.
	ErrCNAMEChain = errors.New("evdns: CNAME chain too long")
	// ErrInvalidName: the name cannot be put in a query.
	ErrInvalidName = errors.New("evdns: invalid domain name")
	// ErrBadService: GetAddrInfo got a service that is neither a port
	// number nor a name it knows for the network asked, or AddService an
	// invalid entry.
	ErrBadService = errors.New("evdns: unknown service")
	// ErrBadOption: SetOption got an unknown name or an invalid value.
	ErrBadOption = errors.New("evdns: bad option")
	// ErrServerClosed: a ServerPort was closed; Respond after Close
	// returns it.
	ErrServerClosed = errors.New("evdns: server port closed")
	// ErrResponded: Respond or Drop was called twice for one Request.
	ErrResponded = errors.New("evdns: request already answered")
)

// ErrTimeout: no server answered within the timeouts and attempts allowed.
// It satisfies net.Error with Timeout() true.
var ErrTimeout error = timeoutError{}

type timeoutError struct{}

func (timeoutError) Error() string   { return "evdns: timed out" }
func (timeoutError) Timeout() bool   { return true }
func (timeoutError) Temporary() bool { return true }

// An Error is what a lookup reports: the operation, the name queried,
// the server that gave the final answer (zero when none did) and the
// cause, one of the package's sentinel errors or a system error.
type Error struct {
	Op     string         // "query", "lookup", "reverse"
	Name   string         // the name queried (without 0x20 case changes)
	Server netip.AddrPort // the server that answered last, if any
	Rcode  int            // the rcode of that answer; -1 when there was none
	Err    error          // the cause
}

func (e *Error) Error() string {
	s := "evdns: " + e.Op + " " + e.Name
	if e.Server.IsValid() {
		s += " on " + e.Server.String()
	}
	if e.Rcode > 0 {
		s += fmt.Sprintf(" (%s)", dns.RcodeToString[e.Rcode])
	}
	return s + ": " + trimPrefix(e.Err.Error())
}

// Unwrap returns the cause.
func (e *Error) Unwrap() error { return e.Err }

// Timeout reports whether the lookup failed because no server answered.
func (e *Error) Timeout() bool { return errors.Is(e.Err, ErrTimeout) }

// Temporary reports whether trying again later may succeed.
func (e *Error) Temporary() bool {
	return e.Timeout() || errors.Is(e.Err, ErrServFail)
}

func trimPrefix(s string) string {
	const p = "evdns: "
	if len(s) > len(p) && s[:len(p)] == p {
		return s[len(p):]
	}
	return s
}

// rcodeError maps a reply's rcode to the package's error, nil for NOERROR.
func rcodeError(rcode int) error {
	switch rcode {
	case dns.RcodeSuccess:
		return nil
	case dns.RcodeNameError:
		return ErrNXDomain
	case dns.RcodeServerFailure:
		return ErrServFail
	case dns.RcodeRefused:
		return ErrRefused
	case dns.RcodeNotImplemented:
		return ErrNotImp
	case dns.RcodeFormatError:
		return ErrFormErr
	}
	return ErrRcode
}
