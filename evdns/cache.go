package evdns

import (
	"container/list"
	"sync"
	"time"

	"github.com/goevent/goevent/core"
	"github.com/miekg/dns"
)

// Cache defaults.
const (
	DefaultCacheSize      = 4096
	DefaultCacheMaxTTL    = 24 * time.Hour
	DefaultCacheMaxNegTTL = 3 * time.Hour // RFC 2308 section 5
)

// CacheConfig configures a Cache; the zero value means the defaults.
type CacheConfig struct {
	// Size bounds the number of answers kept; the least recently used
	// goes first. Default 4096.
	Size int
	// MaxTTL caps how long a positive answer is kept. Default 24h.
	MaxTTL time.Duration
	// MaxNegTTL caps how long NXDOMAIN and NODATA are kept. Default 3h.
	MaxNegTTL time.Duration
	// Clock gives the time; nil means the system's monotonic clock.
	Clock core.Clock
}

// A Cache keeps DNS answers for as long as their TTLs allow: positive
// answers for the smallest TTL of their answer records, NXDOMAIN and
// NODATA answers (RFC 2308) for the smaller of the SOA record's TTL and
// its MINIMUM field; negative answers without an SOA are not kept. Served
// answers carry TTLs reduced by the time spent in the cache. Truncated
// replies and failures (SERVFAIL...) are never stored.
//
// A Cache is safe for concurrent use: the Resolvers of several loops may
// share one.
type Cache struct {
	cfg CacheConfig // immutable

	mu    sync.Mutex
	lru   *list.List // of *cacheEntry, most recently used first; guarded by mu
	index map[cacheKey]*list.Element
	stats CacheStats
}

type cacheKey struct {
	name  string // fully qualified, lower case
	qtype uint16
	flags QueryOptions // answers to DO or CD queries are kept apart (AD is cleared)
}

type cacheEntry struct {
	key     cacheKey
	msg     *dns.Msg // never handed out; Get copies it
	stored  time.Time
	expires time.Time
}

// CacheStats counts a Cache's lookups.
type CacheStats struct {
	Hits, Misses, Evictions int
}

type systemClock struct{}

func (systemClock) Now() time.Time { return time.Now() }

// NewCache returns an empty Cache configured by cfg (nil: defaults).
func NewCache(cfg *CacheConfig) *Cache {
	c := &Cache{lru: list.New(), index: map[cacheKey]*list.Element{}}
	if cfg != nil {
		c.cfg = *cfg
	}
	c.cfg.Size = clamp(c.cfg.Size, DefaultCacheSize, 1, 1<<24)
	c.cfg.MaxTTL = clamp(c.cfg.MaxTTL, DefaultCacheMaxTTL, 0, 7*24*time.Hour)
	c.cfg.MaxNegTTL = clamp(c.cfg.MaxNegTTL, DefaultCacheMaxNegTTL, 0, 7*24*time.Hour)
	if c.cfg.Clock == nil {
		c.cfg.Clock = systemClock{}
	}
	return c
}

// cacheTTL returns how long m may be kept, 0 for not at all.
func (c *Cache) cacheTTL(m *dns.Msg) time.Duration {
	if m.Truncated {
		return 0
	}
	switch m.Rcode {
	case dns.RcodeSuccess:
		if len(m.Answer) > 0 {
			ttl := minTTL(m.Answer)
			return min(time.Duration(ttl)*time.Second, c.cfg.MaxTTL)
		}
	case dns.RcodeNameError:
	default:
		return 0
	}
	// NXDOMAIN or NODATA: the SOA in the authority section says how long.
	for _, rr := range m.Ns {
		if soa, ok := rr.(*dns.SOA); ok {
			ttl := min(soa.Hdr.Ttl, soa.Minttl)
			return min(time.Duration(ttl)*time.Second, c.cfg.MaxNegTTL)
		}
	}
	return 0
}

func minTTL(rrs []dns.RR) uint32 {
	ttl := ^uint32(0)
	for _, rr := range rrs {
		if rr.Header().Rrtype == dns.TypeOPT {
			continue
		}
		ttl = min(ttl, rr.Header().Ttl)
	}
	return ttl
}

// Put stores reply as the answer for name and qtype if its TTLs allow.
func (c *Cache) Put(name string, qtype uint16, reply *dns.Msg) {
	c.PutWith(name, qtype, QueryOptions{}, reply)
}

// PutWith is Put for the answer to a query made with opts: answers to
// DO queries (signatures) and CD queries (unvalidated data) differ and are
// kept apart from plain ones. AD only asks for the AD bit, so it does not
// split the cache; a forwarder that wants AD in its answers should set it
// on every query and clear the bit for clients that did not ask.
func (c *Cache) PutWith(name string, qtype uint16, opts QueryOptions, reply *dns.Msg) {
	ttl := c.cacheTTL(reply)
	if ttl <= 0 {
		return
	}
	name, ok := canonicalName(name)
	if !ok {
		return
	}
	now := c.cfg.Clock.Now()
	opts.AD = false
	e := &cacheEntry{key: cacheKey{name, qtype, opts}, msg: reply.Copy(), stored: now, expires: now.Add(ttl)}
	c.mu.Lock()
	defer c.mu.Unlock()
	if el, ok := c.index[e.key]; ok {
		el.Value = e
		c.lru.MoveToFront(el)
		return
	}
	c.index[e.key] = c.lru.PushFront(e)
	for c.lru.Len() > c.cfg.Size {
		old := c.lru.Back()
		c.lru.Remove(old)
		delete(c.index, old.Value.(*cacheEntry).key)
		c.stats.Evictions++
	}
}

// Get returns a copy of the answer stored for name and qtype, or nil.
// Every TTL in the copy is reduced by the time the answer has spent in the
// cache and capped at the time it has left there.
func (c *Cache) Get(name string, qtype uint16) *dns.Msg {
	return c.GetWith(name, qtype, QueryOptions{})
}

// GetWith is Get for the answer to a query made with opts.
func (c *Cache) GetWith(name string, qtype uint16, opts QueryOptions) *dns.Msg {
	name, ok := canonicalName(name)
	if !ok {
		return nil
	}
	now := c.cfg.Clock.Now()
	c.mu.Lock()
	opts.AD = false
	el, ok := c.index[cacheKey{name, qtype, opts}]
	if !ok {
		c.stats.Misses++
		c.mu.Unlock()
		return nil
	}
	e := el.Value.(*cacheEntry)
	if !now.Before(e.expires) {
		c.lru.Remove(el)
		delete(c.index, e.key)
		c.stats.Misses++
		c.mu.Unlock()
		return nil
	}
	c.lru.MoveToFront(el)
	c.stats.Hits++
	c.mu.Unlock()

	m := e.msg.Copy()
	age := uint32(now.Sub(e.stored) / time.Second)
	// No record outlives the entry: cap TTLs at the time left, rounded up.
	left := uint32((e.expires.Sub(now) + time.Second - 1) / time.Second)
	for _, sec := range [][]dns.RR{m.Answer, m.Ns, m.Extra} {
		for _, rr := range sec {
			h := rr.Header()
			if h.Rrtype == dns.TypeOPT {
				continue
			}
			if h.Ttl > age {
				h.Ttl = min(h.Ttl-age, left)
			} else {
				h.Ttl = 0
			}
		}
	}
	return m
}

// Flush empties the cache.
func (c *Cache) Flush() {
	c.mu.Lock()
	c.lru.Init()
	clear(c.index)
	c.mu.Unlock()
}

// Len returns the number of answers stored, expired ones included until
// a Get finds them.
func (c *Cache) Len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.lru.Len()
}

// Stats returns the cache's counters.
func (c *Cache) Stats() CacheStats {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.stats
}
