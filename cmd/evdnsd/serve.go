package main

import (
	"strings"
	"time"

	"github.com/goevent/goevent/cmd/evdnsd/internal/rrl"
	"github.com/goevent/goevent/evdns"
	"github.com/miekg/dns"
)

// rfc8482TTL is the TTL of the HINFO record that answers ANY over UDP.
const rfc8482TTL = 3600

// answer sources, for -log-queries.
const (
	srcLocal    = "local"
	srcUpstream = "upstream"
	srcServer   = "server" // evdnsd's own answer: REFUSED, FORMERR, RFC 8482
)

// ServeDNS answers one query: local data, then the upstreams. Loop
// goroutine.
func (w *worker) ServeDNS(req *evdns.Request) {
	d := w.d
	d.stats.queries.Add(1)
	var started time.Time
	if d.cfg.logQueries {
		started = time.Now()
	}
	m := req.Reply
	m.RecursionAvailable = true
	if len(req.Query.Question) != 1 {
		req.SetRcode(dns.RcodeFormatError)
		w.finish(req, srcServer, started)
		return
	}
	q := req.Question()
	switch {
	case q.Qtype == dns.TypeAXFR || q.Qtype == dns.TypeIXFR:
		req.SetRcode(dns.RcodeRefused) // no zone transfers
		w.finish(req, srcServer, started)
		return
	case q.Qclass != dns.ClassINET && q.Qclass != dns.ClassANY:
		req.SetRcode(dns.RcodeRefused)
		w.finish(req, srcServer, started)
		return
	}
	if a, ok := d.local.Load().Lookup(q); ok {
		d.stats.local.Add(1)
		m.Authoritative = true
		m.Rcode = a.Rcode
		m.Answer, m.Ns = a.Answer, a.Ns
		if q.Qtype == dns.TypeANY && req.Network == "udp" {
			m.Answer = firstRRset(m.Answer)
		}
		w.finish(req, srcLocal, started)
		return
	}
	if q.Qtype == dns.TypeANY && req.Network == "udp" {
		// RFC 8482 section 4.2: a synthesised HINFO rather than all the
		// records, which would make ANY an amplification vector.
		d.stats.anyMinimal.Add(1)
		req.AddAnswer(&dns.HINFO{
			Hdr: dns.RR_Header{Name: q.Name, Rrtype: dns.TypeHINFO, Class: dns.ClassINET, Ttl: rfc8482TTL},
			Cpu: "RFC8482",
		})
		w.finish(req, srcServer, started)
		return
	}
	if q.Qclass != dns.ClassINET {
		req.SetRcode(dns.RcodeRefused) // class ANY is only for local data
		w.finish(req, srcServer, started)
		return
	}
	w.forward(req, q, started)
}

// forward answers from the cache, or asks the upstreams and caches their
// reply. A cache hit is answered at once, within the ServerPort's batch of
// queries, with no round through the resolver (which would answer it from
// a callback posted to the loop, one reply at a time).
func (w *worker) forward(req *evdns.Request, q dns.Question, started time.Time) {
	d := w.d
	d.stats.forwarded.Add(1)
	opts := queryOptions(req.Query)
	if opts.DO || opts.CD {
		d.stats.dnssec.Add(1)
	}
	name := dns.Fqdn(q.Name)
	if d.cache != nil {
		if m := d.cache.GetWith(name, q.Qtype, opts); m != nil {
			w.relay(req, q, m, nil, started)
			return
		}
	}
	w.res.QueryWith(name, q.Qtype, opts, func(up *dns.Msg, err error) {
		if up != nil && d.cache != nil {
			d.cache.PutWith(name, q.Qtype, opts, up) // stores a copy
		}
		w.relay(req, q, up, err, started)
	})
}

// relay answers req with the upstream's reply up, SERVFAIL when there is
// none. Loop goroutine.
func (w *worker) relay(req *evdns.Request, q dns.Question, up *dns.Msg, err error, started time.Time) {
	d := w.d
	m := req.Reply
	if up == nil {
		d.stats.servfail.Add(1)
		d.log.Debug("upstreams failed", "name", q.Name, "err", err)
		m.Rcode = dns.RcodeServerFailure
		w.finish(req, srcUpstream, started)
		return
	}
	m.Rcode = up.Rcode
	m.Answer = ownedAs(up.Answer, q.Name)
	m.Ns = up.Ns
	m.Extra = withoutOPT(up.Extra)
	// AD only to a client that asked for it, with AD or DO (RFC 6840
	// section 5.8).
	opt := req.EDNS()
	m.AuthenticatedData = up.AuthenticatedData && (req.Query.AuthenticatedData || (opt != nil && opt.Do()))
	w.finish(req, srcUpstream, started)
}

// finish applies response rate limiting, sends the reply and logs the
// query.
func (w *worker) finish(req *evdns.Request, source string, started time.Time) {
	d := w.d
	m := req.Reply
	if d.limiter != nil && req.Network == "udp" {
		switch d.limiter.Check(req.RemoteAddr.Addr()) {
		case rrl.Drop:
			d.stats.rrlDropped.Add(1)
			req.Drop()
			w.logQuery(req, source, "rrl-drop", started)
			return
		case rrl.Truncate:
			d.stats.rrlTruncated.Add(1)
			m.Answer, m.Ns, m.Extra = nil, nil, nil
			m.Truncated = true
			source = "rrl-truncate"
		}
	}
	if m.Rcode == dns.RcodeRefused {
		d.stats.refused.Add(1)
	}
	if err := req.Respond(); err != nil {
		d.log.Debug("reply not sent", "client", req.RemoteAddr.String(), "err", err)
	}
	w.logQuery(req, source, dns.RcodeToString[m.Rcode], started)
}

func (w *worker) logQuery(req *evdns.Request, source, result string, started time.Time) {
	if !w.d.cfg.logQueries {
		return
	}
	q := req.Question()
	w.d.log.Info("query", "client", req.RemoteAddr.String(), "proto", req.Network,
		"name", q.Name, "type", dns.Type(q.Qtype).String(), "result", result,
		"answers", len(req.Reply.Answer), "source", source, "duration", time.Since(started))
}

// firstRRset returns the records of rrs's first owner and type.
func firstRRset(rrs []dns.RR) []dns.RR {
	if len(rrs) == 0 {
		return rrs
	}
	h0 := rrs[0].Header()
	var out []dns.RR
	for _, rr := range rrs {
		if h := rr.Header(); h.Rrtype == h0.Rrtype && strings.EqualFold(h.Name, h0.Name) {
			out = append(out, rr)
		}
	}
	return out
}

// ownedAs gives the records owned by name (in any case) name's
// spelling, so that the answer matches the question as asked.
func ownedAs(rrs []dns.RR, name string) []dns.RR {
	for _, rr := range rrs {
		if h := rr.Header(); strings.EqualFold(h.Name, name) {
			h.Name = name
		}
	}
	return rrs
}

// withoutOPT returns rrs less the OPT record (the reply gets its own).
func withoutOPT(rrs []dns.RR) []dns.RR {
	out := rrs[:0:0]
	for _, rr := range rrs {
		if rr.Header().Rrtype != dns.TypeOPT {
			out = append(out, rr)
		}
	}
	return out
}
