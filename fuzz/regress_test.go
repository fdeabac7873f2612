package fuzz

import (
	"testing"

	"github.com/goevent/goevent/internal/basetest"
	"github.com/miekg/dns"
)

// Regression tests for what the fuzz targets of this package found. Each
// replays the minimal input through the target's own harness, so each
// asserts every property of its target.

// TestRegressResolverTCPClosedCause: a nameserver that answers a TCP
// query with a reply the resolver cannot parse (here ANCOUNT 1 and no
// record) and then closes made the query fail with an *evdns.Error whose
// cause was evdns's unexported errTCPClosed: neither one of the package's
// sentinels nor a system error, so no caller can test for it with
// errors.Is, against the contract on evdns's error variables. Found by
// FuzzResolverReply (seed testdata/fuzz/FuzzResolverReply/tcp_closed).
func TestRegressResolverTCPClosedCause(t *testing.T) {
	up := startDNSUpstream(t)
	base := basetest.New(t)
	resolverExchange(t, base, up, []byte{0x81, 0x80, 0x00, 0x01}, false, dns.TypeA, true)
}
