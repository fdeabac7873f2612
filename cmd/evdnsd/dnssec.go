package main

import (
	"github.com/goevent/goevent/evdns"
	"github.com/miekg/dns"
)

// queryOptions returns the DNSSEC bits a forwarder passes upstream for a
// client's query (RFC 4035 §3.2): DO (RRSIG, NSEC and DS records wanted)
// and CD (answers that failed validation wanted), which the resolver sends
// on every attempt and its cache keeps apart, and AD, always asked for so
// that cached answers carry it; relay clears it for clients that did not
// ask (RFC 6840 §5.8).
func queryOptions(q *dns.Msg) evdns.QueryOptions {
	opt := q.IsEdns0()
	return evdns.QueryOptions{
		DO: opt != nil && opt.Do(),
		CD: q.CheckingDisabled,
		AD: true,
	}
}
