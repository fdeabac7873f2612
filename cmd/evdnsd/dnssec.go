package main

import (
	"errors"
	"time"

	"github.com/goevent/goevent/evdns"
	"github.com/miekg/dns"
)

// Errors of the DNSSEC path.
var (
	// errAllUpstreamsFailed: no upstream gave a usable answer.
	errAllUpstreamsFailed = errors.New("every upstream failed")
	// errTooManyDNSSEC: maxDNSSECInflight exchanges are already running.
	errTooManyDNSSEC = errors.New("too many DO/CD queries in flight")
)

// maxDNSSECInflight bounds the DO and CD exchanges (so goroutines) under
// way at once; beyond it such queries get SERVFAIL.
const maxDNSSECInflight = 256

// wantsDNSSEC reports whether a query must reach the upstreams with its
// DNSSEC bits: DO (to get RRSIG, NSEC and DS records back) or CD (to get
// answers that failed validation). evdns.Resolver.Query sends neither and
// its cache does not tell such answers apart, so these queries take the
// direct path below instead.
func wantsDNSSEC(q *dns.Msg) bool {
	opt := q.IsEdns0()
	return q.CheckingDisabled || (opt != nil && opt.Do())
}

// forwardDNSSEC forwards a DO or CD query as asked, uncached: the
// exchange runs on a goroutine of its own (miekg/dns client, UDP then TCP
// on truncation, upstreams in order, -attempts rounds) and its result is
// handed back to the loop with Post.
func (w *worker) forwardDNSSEC(req *evdns.Request, q dns.Question, started time.Time) {
	d := w.d
	d.stats.forwarded.Add(1)
	d.stats.dnssec.Add(1)
	if d.dnssecInflight.Add(1) > maxDNSSECInflight {
		d.dnssecInflight.Add(-1)
		w.relay(req, q, nil, errTooManyDNSSEC, started)
		return
	}
	query := new(dns.Msg)
	query.Id = dns.Id()
	query.RecursionDesired = true
	query.CheckingDisabled = req.Query.CheckingDisabled
	query.Question = []dns.Question{{Name: q.Name, Qtype: q.Qtype, Qclass: dns.ClassINET}}
	opt := req.EDNS()
	query.SetEdns0(evdns.DefaultEDNSSize, opt != nil && opt.Do())
	upstreams, timeout, attempts := d.upstreams, d.cfg.timeout, d.cfg.attempts
	go func() {
		up, err := exchangeUpstreams(query, upstreams, timeout, attempts)
		d.dnssecInflight.Add(-1)
		// After shutdown Post fails and the client gets nothing.
		_ = w.base.Post(func() { w.relay(req, q, up, err, started) })
	}()
}

// exchangeUpstreams asks the upstreams in turn, attempts rounds, and
// returns the first answer that is not SERVFAIL, REFUSED or NOTIMP.
func exchangeUpstreams(query *dns.Msg, upstreams []string, timeout time.Duration, attempts int) (*dns.Msg, error) {
	udp := &dns.Client{Net: "udp", Timeout: timeout, UDPSize: evdns.DefaultEDNSSize}
	tcp := &dns.Client{Net: "tcp", Timeout: timeout}
	lastErr := errAllUpstreamsFailed
	for range attempts {
		for _, u := range upstreams {
			r, _, err := udp.Exchange(query, u)
			if err == nil && r.Truncated {
				r, _, err = tcp.Exchange(query, u)
			}
			if err != nil {
				lastErr = err
				continue
			}
			if !sameQuestion(r, query) {
				continue
			}
			switch r.Rcode {
			case dns.RcodeServerFailure, dns.RcodeRefused, dns.RcodeNotImplemented:
				continue
			}
			return r, nil
		}
	}
	return nil, lastErr
}

// sameQuestion reports whether reply answers query's question, the name
// compared exactly.
func sameQuestion(reply, query *dns.Msg) bool {
	if len(reply.Question) != 1 {
		return false
	}
	got, want := reply.Question[0], query.Question[0]
	return got.Name == want.Name && got.Qtype == want.Qtype && got.Qclass == want.Qclass
}
