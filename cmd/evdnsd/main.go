// Command evdnsd is a caching DNS forwarder with local authority, built
// on goevent's evdns: queries arrive over UDP and TCP on one event loop
// per CPU, names in local zone files and a hosts file are answered with
// authority, and everything else is forwarded to upstream nameservers
// through evdns resolvers (failover, TCP on truncation, 0x20) sharing
// one cache.
//
// With no flags it listens on 127.0.0.1:5353 and forwards to the
// nameservers of /etc/resolv.conf:
//
//	go run ./cmd/evdnsd -zone example.zone -upstream 192.0.2.53
//
// Local answers carry AA, and NXDOMAIN and NODATA the zone's SOA.
// Forwarded answers are cached by TTL (negative ones per RFC 2308) and
// leave with their TTLs reduced. Zone transfers are refused, ANY over UDP
// gets the RFC 8482 HINFO (or one RRset of local data), EDNS0 is echoed,
// UDP replies beyond the client's size are truncated, and -rrl limits the
// UDP responses per client network. DO and CD are passed upstream
// (evdns's QueryWith) and answers to such queries are cached apart, so
// RRSIG, NSEC and AD come back to the clients that asked.
//
// An -upstream is an address or a host name, with an optional port
// (-upstream ns.example.net:5353). A host name is resolved once at
// start-up, through /etc/hosts and the system resolver, and every one of
// its addresses becomes an upstream; a name that does not resolve stops
// evdnsd from starting. The event loops never wait for that lookup.
//
// Run "evdnsd -h" for the flags. Signals: SIGHUP resolves the -upstream
// host names again and reloads the zones and the hosts file, keeping the
// cache (on a failure the old upstreams or data stay);
// SIGUSR1 logs cache, upstream and query statistics; SIGTERM and SIGINT
// stop the server and exit 0.
//
// Exit status: 0 after a clean shutdown (and for -h), 2 when it cannot
// start (bad flags, an unreadable zone, a port in use), with a one-line
// error on stderr, 1 for a failure while running.
package main

import "os"

func main() {
	os.Exit(run(os.Args[1:], os.Stderr))
}
