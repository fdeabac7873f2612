package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"net/netip"
	"runtime"
	"strings"
	"time"

	"github.com/goevent/goevent/evdns"
)

// listFlag is a repeatable string flag.
type listFlag []string

func (l *listFlag) String() string     { return strings.Join(*l, ",") }
func (l *listFlag) Set(v string) error { *l = append(*l, v); return nil }

// config is evdnsd's configuration, from its flags.
type config struct {
	listen     listFlag
	upstream   listFlag
	upstreams  []upstream // upstream parsed, by check
	resolvConf string
	hosts      string
	hostsTTL   time.Duration
	zones      listFlag
	cacheSize  int
	timeout    time.Duration
	attempts   int
	loops      int
	rrl        int
	rrlSlip    int
	logQueries bool
	user       string
	maxTCP     int
	readyFile  string
	cpuProfile string
}

// Defaults.
const (
	defaultListen     = "127.0.0.1:5353"
	defaultResolvConf = "/etc/resolv.conf"
	defaultCacheSize  = 100000
)

// parseFlags parses args. It returns flag.ErrHelp after printing the
// usage to out for -h, and an error saying what is wrong otherwise.
func parseFlags(args []string, out io.Writer) (*config, error) {
	c := &config{}
	fs := flag.NewFlagSet("evdnsd", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Var(&c.listen, "listen", "answer on UDP and TCP `ADDR` (host:port); repeatable (default "+defaultListen+")")
	fs.Var(&c.upstream, "upstream", "forward to the nameserver `ADDR`: ip, ip:port, [ipv6]:port, host or host:port (port 53 by default); "+
		"a host name is resolved through /etc/hosts and the system resolver at start-up and on SIGHUP, "+
		"each of its addresses becoming an upstream; repeatable (default: the nameservers of -resolv-conf)")
	fs.StringVar(&c.resolvConf, "resolv-conf", defaultResolvConf, "resolv.conf `FILE` whose nameservers are the upstreams when no -upstream is given")
	fs.StringVar(&c.hosts, "hosts", "", "answer the names of this hosts-format `FILE` authoritatively (A, AAAA and PTR)")
	fs.DurationVar(&c.hostsTTL, "hosts-ttl", time.Minute, "TTL of the records from -hosts (Go `DURATION`)")
	fs.Var(&c.zones, "zone", "serve the RFC 1035 zone `FILE` authoritatively; repeatable")
	fs.IntVar(&c.cacheSize, "cache-size", defaultCacheSize, "maximum cached answers (`N`); 0 disables the cache")
	fs.DurationVar(&c.timeout, "timeout", evdns.DefaultTimeout, "per-upstream timeout of one attempt (Go `DURATION`)")
	fs.IntVar(&c.attempts, "attempts", evdns.DefaultAttempts, "rounds through the upstreams before answering SERVFAIL (`N`)")
	fs.IntVar(&c.loops, "loops", runtime.NumCPU(), "number of event loops")
	fs.IntVar(&c.rrl, "rrl", 0, "responses per second per client /24 (/56 for IPv6) over UDP before truncating or dropping (`N`); 0 off")
	fs.IntVar(&c.rrlSlip, "rrl-slip", 2, "beyond -rrl, send one response in `N` truncated (TC) and drop the others; 1 truncates all")
	fs.BoolVar(&c.logQueries, "log-queries", false, "log each query")
	fs.StringVar(&c.user, "user", "", "drop privileges to user `NAME` after binding")
	fs.IntVar(&c.maxTCP, "max-tcp-clients", 100, "TCP connections open at once per loop and address (`N`)")
	fs.StringVar(&c.readyFile, "ready-file", "", "write the bound addresses, one a line, to `FILE` once serving")
	fs.StringVar(&c.cpuProfile, "cpuprofile", "", "write a CPU profile (pprof) to `FILE` from start-up until shutdown")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			fmt.Fprintf(out, "Usage: evdnsd [flags]\n\nA caching DNS forwarder: answers -zone and -hosts names with authority and forwards the rest to -upstream.\n\n")
			fs.SetOutput(out)
			fs.PrintDefaults()
			return nil, err
		}
		return nil, err
	}
	if fs.NArg() > 0 {
		return nil, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	return c, c.check()
}

// check validates the values flag parsing cannot.
func (c *config) check() error {
	switch {
	case c.cacheSize < 0:
		return errors.New("-cache-size must not be negative")
	case c.timeout <= 0:
		return errors.New("-timeout must be positive")
	case c.attempts < 1:
		return errors.New("-attempts must be at least 1")
	case c.loops < 1:
		return errors.New("-loops must be at least 1")
	case c.rrl < 0:
		return errors.New("-rrl must not be negative")
	case c.rrlSlip < 1:
		return errors.New("-rrl-slip must be at least 1")
	case c.hostsTTL < 0 || c.hostsTTL > 68*365*24*time.Hour:
		return errors.New("-hosts-ttl out of range")
	case c.maxTCP < 1:
		return errors.New("-max-tcp-clients must be at least 1")
	}
	for _, a := range c.listen {
		if _, err := netip.ParseAddrPort(a); err != nil {
			return fmt.Errorf("-listen %q: want ip:port", a)
		}
	}
	c.upstreams = c.upstreams[:0]
	for _, s := range c.upstream {
		u, err := parseUpstream(s)
		if err != nil {
			return err
		}
		c.upstreams = append(c.upstreams, u)
	}
	return nil
}
