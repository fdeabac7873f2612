// Package authority answers DNS questions from local data, with
// authority: RFC 1035 zone files first, then a hosts(5) file. It is what
// evdnsd consults before forwarding a query.
//
// A Data is immutable once loaded, so the event loops of a server may
// share one and a reload swaps in a new one.
package authority

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/miekg/dns"
)

// Errors that loading reports; each is wrapped with the file and line.
var (
	// ErrNoSOA: a zone file has no SOA record at its apex.
	ErrNoSOA = errors.New("authority: zone has no SOA record")
	// ErrOutOfZone: a zone file has a record outside its apex.
	ErrOutOfZone = errors.New("authority: record outside the zone")
	// ErrDuplicateZone: two zone files have the same apex.
	ErrDuplicateZone = errors.New("authority: zone loaded twice")
	// ErrHostsSyntax: a hosts file line does not parse.
	ErrHostsSyntax = errors.New("authority: bad hosts line")
)

// An Answer is the local reply to one question.
type Answer struct {
	Rcode  int      // dns.RcodeSuccess or dns.RcodeNameError
	Answer []dns.RR // answer section, owner names as asked
	Ns     []dns.RR // authority section: the zone's SOA for NXDOMAIN and NODATA
}

// Data is the local data: zones and hosts. The zero value answers
// nothing. It is safe for concurrent use once built.
type Data struct {
	zones []*zone // longest apex first
	hosts *hosts  // nil without a hosts file
}

// Load reads the zone files and the hosts file (empty: none).
func Load(zoneFiles []string, hostsFile string, hostsTTL uint32) (*Data, error) {
	d := &Data{}
	seen := map[string]string{}
	for _, f := range zoneFiles {
		z, err := loadZoneFile(f)
		if err != nil {
			return nil, err
		}
		if prev, ok := seen[z.apex]; ok {
			return nil, fmt.Errorf("%s: %w: %s (also in %s)", f, ErrDuplicateZone, z.apex, prev)
		}
		seen[z.apex] = f
		d.zones = append(d.zones, z)
	}
	slices.SortFunc(d.zones, func(a, b *zone) int { return dns.CountLabel(b.apex) - dns.CountLabel(a.apex) })
	if hostsFile != "" {
		h, err := loadHostsFile(hostsFile, hostsTTL)
		if err != nil {
			return nil, err
		}
		d.hosts = h
	}
	return d, nil
}

// Zones returns the apexes of the zones loaded.
func (d *Data) Zones() []string {
	out := make([]string, 0, len(d.zones))
	for _, z := range d.zones {
		out = append(out, z.apex)
	}
	return out
}

// HostNames returns the number of names the hosts file gave.
func (d *Data) HostNames() int {
	if d.hosts == nil {
		return 0
	}
	return len(d.hosts.names)
}

// Lookup answers q from the local data. ok is false when the name is
// not local and the question must go upstream. Records owned by the
// question's name carry its spelling, case included.
func (d *Data) Lookup(q dns.Question) (a Answer, ok bool) {
	if q.Qclass != dns.ClassINET && q.Qclass != dns.ClassANY {
		return Answer{}, false
	}
	name := strings.ToLower(dns.Fqdn(q.Name))
	for _, z := range d.zones {
		if dns.IsSubDomain(z.apex, name) {
			return z.lookup(q, name), true
		}
	}
	if d.hosts != nil {
		return d.hosts.lookup(q, name)
	}
	return Answer{}, false
}

// withOwner returns copies of rrs owned by owner.
func withOwner(rrs []dns.RR, owner string) []dns.RR {
	out := make([]dns.RR, len(rrs))
	for i, rr := range rrs {
		c := dns.Copy(rr)
		c.Header().Name = owner
		out[i] = c
	}
	return out
}
