package evdns

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// Defaults for the Config fields whose zero value means "the default".
const (
	DefaultTimeout             = 5 * time.Second
	DefaultAttempts            = 2
	DefaultNdots               = 1
	DefaultMaxTimeouts         = 3
	DefaultMaxInflight         = 64
	DefaultEDNSSize            = 1232
	DefaultMaxCNAMEChain       = 8
	DefaultInitialProbeTimeout = 10 * time.Second
	DefaultMaxProbeTimeout     = time.Hour
	DefaultProbeBackoff        = 3
	DefaultLookupSkew          = 3 * time.Second
	DefaultProbeName           = "."
)

// Config configures a Resolver. The zero value means the defaults, listed
// with each field; resolv.conf(5) names are given where one exists.
type Config struct {
	// Nameservers to query, in order. Port 0 means 53.
	Nameservers []string
	// Search is the search list (resolv.conf "search"), tried as
	// resolv.conf(5) describes with Ndots.
	Search []string
	// Ndots (resolv.conf "options ndots:n"): a name with at least this
	// many dots is tried as given before the search list. Default 1; a
	// negative value means 0.
	Ndots int
	// Timeout for one attempt on one server ("options timeout:n").
	// Default 5s.
	Timeout time.Duration
	// Attempts is how many rounds through the nameservers a query makes
	// before it fails with ErrTimeout ("options attempts:n"). Default 2.
	Attempts int
	// Rotate spreads queries over the servers round-robin ("options
	// rotate"); otherwise each query starts at the first server that is up.
	Rotate bool
	// EDNSSize is the UDP payload size advertised in an EDNS0 OPT record
	// ("options edns0", libevent's edns-udp-size). Default 1232;
	// NoEDNS sends queries without OPT and accepts 512-byte replies.
	EDNSSize int
	// NoEDNS turns EDNS0 off.
	NoEDNS bool
	// NoCaseRandomization turns off 0x20 mixed-case query names.
	NoCaseRandomization bool
	// IgnoreTC returns truncated replies as they are instead of asking
	// again over TCP (libevent's ignore-tc).
	IgnoreTC bool
	// UseTCP sends every query over TCP (libevent's use-vc).
	UseTCP bool
	// MaxTimeouts is how many consecutive timeouts mark a server down.
	// Default 3.
	MaxTimeouts int
	// MaxInflight bounds the queries on the wire at once; more wait in a
	// FIFO queue. Default 64.
	MaxInflight int
	// MaxCNAMEChain bounds the CNAMEs followed for one lookup. Default 8.
	MaxCNAMEChain int
	// ProbeName is the name a down server is asked (type ProbeType) to
	// see whether it is back. Default "." (the root).
	ProbeName string
	// ProbeType is the query type of probes. Default NS.
	ProbeType uint16
	// InitialProbeTimeout is the wait before the first probe of a down
	// server; each failed probe multiplies it by ProbeBackoff, up to
	// MaxProbeTimeout. Defaults 10s, 1h, 3.
	InitialProbeTimeout time.Duration
	MaxProbeTimeout     time.Duration
	ProbeBackoff        int
	// LookupSkew is how long LookupHost waits for the second of its A and
	// AAAA answers once the first has arrived. Default 3s.
	LookupSkew time.Duration
	// Cache holds answers; several Resolvers (on several loops) may share
	// one. Nil means a private cache of DefaultCacheSize entries, unless
	// NoCache is set.
	Cache *Cache
	// NoCache disables caching.
	NoCache bool
}

// clamp returns v, or def when v is zero, bounded to [lo, hi].
func clamp[T int | time.Duration](v, def, lo, hi T) T {
	if v == 0 {
		v = def
	}
	return min(max(v, lo), hi)
}

// normalize fills defaults and bounds every knob.
func (c *Config) normalize() {
	c.Ndots = clamp(c.Ndots, DefaultNdots, 0, 15)
	c.Timeout = clamp(c.Timeout, DefaultTimeout, time.Millisecond, time.Hour)
	c.Attempts = clamp(c.Attempts, DefaultAttempts, 1, 255)
	c.EDNSSize = clamp(c.EDNSSize, DefaultEDNSSize, 512, 65535)
	c.MaxTimeouts = clamp(c.MaxTimeouts, DefaultMaxTimeouts, 1, 255)
	c.MaxInflight = clamp(c.MaxInflight, DefaultMaxInflight, 1, 65000)
	c.MaxCNAMEChain = clamp(c.MaxCNAMEChain, DefaultMaxCNAMEChain, 1, 64)
	c.InitialProbeTimeout = clamp(c.InitialProbeTimeout, DefaultInitialProbeTimeout, time.Millisecond, time.Hour)
	c.MaxProbeTimeout = clamp(c.MaxProbeTimeout, DefaultMaxProbeTimeout, c.InitialProbeTimeout, time.Hour)
	c.ProbeBackoff = clamp(c.ProbeBackoff, DefaultProbeBackoff, 1, 10)
	c.LookupSkew = clamp(c.LookupSkew, DefaultLookupSkew, 0, time.Minute)
	if c.ProbeName == "" {
		c.ProbeName = DefaultProbeName
	}
	if c.ProbeType == 0 {
		c.ProbeType = 2 // NS
	}
}

// applyOption sets one option of libevent's evdns_base_set_option (or
// resolv.conf's "options") on c. Names may end in ':'; flags take no value.
func (c *Config) applyOption(name, value string) error {
	name = strings.TrimSuffix(name, ":")
	bad := func(err error) error {
		return fmt.Errorf("%w: %s=%q: %v", ErrBadOption, name, value, err)
	}
	intv := func(lo, hi int) (int, error) {
		n, err := strconv.Atoi(value)
		if err != nil {
			return 0, bad(err)
		}
		if n < lo || n > hi {
			return 0, bad(fmt.Errorf("out of range [%d, %d]", lo, hi))
		}
		return n, nil
	}
	secs := func(hi float64) (time.Duration, error) {
		f, err := strconv.ParseFloat(value, 64)
		if err != nil {
			return 0, bad(err)
		}
		if math.IsNaN(f) || f <= 0 || f > hi {
			return 0, bad(fmt.Errorf("out of range (0, %g]", hi))
		}
		return time.Duration(f * float64(time.Second)), nil
	}
	var err error
	switch name {
	case "ndots":
		var n int
		if n, err = intv(0, 15); err == nil {
			c.Ndots = n
			if n == 0 {
				c.Ndots = -1 // normalize clamps it to 0; zero would mean the default
			}
		}
	case "timeout":
		c.Timeout, err = secs(3600)
	case "attempts":
		c.Attempts, err = intv(1, 255)
	case "rotate":
		c.Rotate = true
	case "edns0":
		c.NoEDNS = false
	case "edns-udp-size":
		c.EDNSSize, err = intv(512, 65535)
	case "randomize-case":
		var n int
		if n, err = intv(0, 1); err == nil {
			c.NoCaseRandomization = n == 0
		}
	case "max-timeouts":
		c.MaxTimeouts, err = intv(1, 255)
	case "max-inflight":
		c.MaxInflight, err = intv(1, 65000)
	case "initial-probe-timeout":
		c.InitialProbeTimeout, err = secs(3600)
	case "max-probe-timeout":
		c.MaxProbeTimeout, err = secs(3600)
	case "probe-backoff-factor":
		c.ProbeBackoff, err = intv(1, 10)
	case "getaddrinfo-allow-skew":
		c.LookupSkew, err = secs(60)
	case "use-vc":
		c.UseTCP = true
	case "ignore-tc":
		c.IgnoreTC = true
	case "probe-name":
		if _, ok := canonicalName(value); !ok {
			return bad(ErrInvalidName)
		}
		c.ProbeName = value
	default:
		return fmt.Errorf("%w: unknown option %q", ErrBadOption, name)
	}
	return err
}
