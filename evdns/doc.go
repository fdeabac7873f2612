// Package evdns is an asynchronous DNS stub resolver and a DNS server
// port driven by a core.Base: libevent's evdns, built to be trusted on the
// open internet. github.com/miekg/dns does the wire format, except on the
// server's hot path (below).
//
// # Resolver
//
// NewResolver makes a Resolver on a Base. Nameservers, the search list
// and options come from the Config, from AddNameserver, SetSearch and
// SetOption, or from a resolv.conf(5) file given to ParseResolvConf;
// ParseHosts loads a hosts(5) file. Nothing is read from the system
// unless asked.
//
//	r, _ := evdns.NewResolver(base, &evdns.Config{Nameservers: []string{"127.0.0.1:5353"}})
//	r.LookupHost(base, "example.test", unix.AF_UNSPEC, func(addrs []netip.Addr, err error) {
//		...
//	})
//
// ResolveIPv4, ResolveIPv6, ResolveReverse, LookupHost (which makes
// Resolver a bufferevent.Resolver), GetAddrInfo (LookupHost plus a
// service: a port number, or a name from a services(5) file given to
// ParseServices, with a few well-known names built in) and the generic
// Query each return a cancel func; callbacks run on the Base's loop goroutine, exactly once
// unless cancelled, and never inside the call that started the request.
//
// Defences: every query has a random id (crypto/rand), goes out from a
// fresh socket with a kernel-chosen random source port, and spells the
// name in random mixed case (0x20); a reply is accepted only from the
// server's address and port, with the query's id, and with the question
// exactly as sent, case included. Truncated replies are retried over
// TCP; EDNS0 advertises Config.EDNSSize. At most Config.MaxInflight
// queries are on the wire; the rest wait in a FIFO queue. A nameserver
// that times out Config.MaxTimeouts times in a row is marked down and
// probed with Config.ProbeName until it answers. Errors wrap the
// package's sentinels (ErrNXDomain, ErrTimeout...) and are *Error values.
//
// Answers are cached in a Cache (TTL-bounded, RFC 2308 negative caching,
// LRU) which several Resolvers, on several loops, may share.
//
// # Server
//
// NewServerPort answers DNS queries arriving on a UDP socket, and
// ServerPort.ServeTCP on TCP listeners, through a Handler that receives a
// Request, adds records and an rcode, and responds at once or later.
//
// Over UDP a ServerPort drains up to 32 queries per readiness with one
// recvmmsg (Linux; a recvfrom loop elsewhere) and sends the replies the
// Handler gave at once with one sendmmsg; when the socket buffer is full,
// up to 32 replies wait for writability while reading pauses. Queries of
// the common shape (one question, at most an OPT record without options)
// are parsed, and replies of the common shape (A, AAAA and CNAME answers,
// at most an OPT) packed, by a hand-written fast path that allocates
// nothing; everything else goes through miekg/dns, and differential fuzz
// tests hold the two to the same results.
//
// Goroutines: the package starts none.
package evdns
