package evdns

import (
	"errors"
	"net/netip"

	"github.com/miekg/dns"
)

// A request is one caller's lookup, through all its steps (search names,
// CNAME targets, cache hits); cancel stops whichever step is running.
type request struct {
	r         *Resolver
	op        string
	opts      QueryOptions
	ex        *exchange // the step on the wire, if any
	stopLater func()    // the pending delivery of a cached result, if any
	cancelled bool
}

func (r *Resolver) newRequest(op string) *request { return &request{r: r, op: op} }

func (q *request) cancel() {
	q.cancelled = true
	if q.ex != nil {
		q.ex.cancel()
		q.ex = nil
	}
	if q.stopLater != nil {
		q.stopLater()
		q.stopLater = nil
	}
}

// ask asks one fully qualified name, from the cache when it can; done
// runs on the loop, later, with the reply (nil when no server answered).
// Replies are stored in the cache.
func (q *request) ask(name string, qtype uint16, done func(*dns.Msg, netip.AddrPort, error)) {
	r := q.r
	if r.closed {
		q.stopLater = r.later(func() { q.stopLater = nil; done(nil, netip.AddrPort{}, ErrShutdown) })
		return
	}
	if r.cache != nil {
		if m := r.cache.GetWith(name, qtype, q.opts); m != nil {
			q.stopLater = r.later(func() { q.stopLater = nil; done(m, netip.AddrPort{}, nil) })
			return
		}
	}
	ex := r.newExchange(name, qtype, func(m *dns.Msg, from netip.AddrPort, err error) {
		q.ex = nil
		if m != nil && r.cache != nil {
			r.cache.PutWith(name, qtype, q.opts, m)
		}
		done(m, from, err)
	})
	ex.opts = q.opts
	q.ex = ex
	ex.start()
}

// replyError returns the error a reply stands for: its rcode's, or
// ErrNoData for a successful reply with an empty answer section.
func replyError(m *dns.Msg) error {
	if err := rcodeError(m.Rcode); err != nil {
		return err
	}
	if len(m.Answer) == 0 {
		return ErrNoData
	}
	return nil
}

// search asks name and, per the search list and ndots, the names derived
// from it, until one has an answer; NXDOMAIN and NODATA move on to the
// next name, any other failure ends the search. done gets the last reply
// and its error (ErrNoData if any name had NODATA, else ErrNXDomain).
func (q *request) search(name string, qtype uint16, done func(*dns.Msg, error)) {
	names := searchNames(name, q.r.cfg.Search, q.r.cfg.Ndots, false)
	if len(names) == 0 {
		q.stopLater = q.r.later(func() {
			q.stopLater = nil
			done(nil, &Error{Op: q.op, Name: name, Rcode: -1, Err: ErrInvalidName})
		})
		return
	}
	sawNoData := false
	var step func(i int)
	step = func(i int) {
		q.ask(names[i], qtype, func(m *dns.Msg, from netip.AddrPort, err error) {
			if err == nil {
				err = replyError(m)
			}
			if errors.Is(err, ErrNoData) {
				sawNoData = true
			}
			if (errors.Is(err, ErrNXDomain) || errors.Is(err, ErrNoData)) && i+1 < len(names) {
				step(i + 1)
				return
			}
			if err != nil {
				if sawNoData && errors.Is(err, ErrNXDomain) {
					err = ErrNoData
				}
				rcode := -1
				if m != nil {
					rcode = m.Rcode
				}
				err = &Error{Op: q.op, Name: names[i], Server: from, Rcode: rcode, Err: err}
			}
			done(m, err)
		})
	}
	step(0)
}

// Query asks for records of qtype (dns.TypeMX...) for name, applying the
// search list, and calls done with the whole reply (rcode, flags,
// authority, additional and EDNS sections as the server sent them, the
// 0x20 spelling of the name undone) so that a forwarder can pass it on.
// err is nil for a reply with answers; NXDOMAIN and NODATA come with the
// reply and an error wrapping ErrNXDomain or ErrNoData; when no server
// answered, m is nil. A name ending in '.' skips the search list.
//
// done runs once on the loop goroutine, never before Query returns,
// unless cancel runs first. Loop goroutine only.
func (r *Resolver) Query(name string, qtype uint16, done func(m *dns.Msg, err error)) (cancel func()) {
	return r.QueryWith(name, qtype, QueryOptions{}, done)
}

// QueryOptions are header and EDNS bits a forwarder passes on from its
// client's query (RFC 4035 §3.2): DO asks for DNSSEC records (it turns on
// EDNS0 even when the Resolver's NoEDNS is set), CD disables the
// upstream's validation, AD asks whether the data is authentic. Answers to
// queries with different DO or CD are cached apart (see Cache.PutWith).
type QueryOptions struct {
	DO, CD, AD bool
}

// QueryWith is Query with the DNSSEC-related bits of opts set on every
// query sent, for a forwarder such as evdnsd.
func (r *Resolver) QueryWith(name string, qtype uint16, opts QueryOptions, done func(m *dns.Msg, err error)) (cancel func()) {
	q := r.newRequest("query")
	q.opts = opts
	q.search(name, qtype, func(m *dns.Msg, err error) {
		if !q.cancelled {
			done(m, err)
		}
	})
	return q.cancel
}
