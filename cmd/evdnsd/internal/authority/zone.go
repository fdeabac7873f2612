package authority

import (
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"

	"github.com/miekg/dns"
)

// A zone is one zone file's records, by lower-case owner name and type.
type zone struct {
	apex  string
	soa   *dns.SOA
	names map[string]map[uint16][]dns.RR
	// nonTerminal holds the names with no records of their own that lie
	// between the apex and a name that has some (empty non-terminals).
	nonTerminal map[string]bool
}

// loadZoneFile reads the zone file at path.
func loadZoneFile(path string) (*zone, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("zone: %w", err)
	}
	defer f.Close()
	return parseZone(f, path)
}

// parseZone parses a zone in RFC 1035 master file format. The apex is the
// owner of the SOA record, which must come before any other record (its
// $ORIGIN, if any, gives relative names their origin). $INCLUDE is not
// followed. Errors name file (and the line, for syntax errors).
func parseZone(r io.Reader, file string) (*zone, error) {
	z, err := parseZoneRecords(r, file)
	if err != nil {
		var pe *dns.ParseError
		if errors.As(err, &pe) {
			return nil, err // it names the file and line itself
		}
		return nil, fmt.Errorf("%s: %w", file, err)
	}
	return z, nil
}

func parseZoneRecords(r io.Reader, file string) (*zone, error) {
	zp := dns.NewZoneParser(r, "", file)
	zp.SetIncludeAllowed(false)
	var z *zone
	for rr, more := zp.Next(); more; rr, more = zp.Next() {
		h := rr.Header()
		if h.Class != dns.ClassINET {
			return nil, fmt.Errorf("%s: class %s not served", h.Name, dns.ClassToString[h.Class])
		}
		name := strings.ToLower(h.Name)
		if z == nil {
			soa, ok := rr.(*dns.SOA)
			if !ok {
				return nil, fmt.Errorf("%w: first record is %s", ErrNoSOA, dns.TypeToString[h.Rrtype])
			}
			z = &zone{apex: name, soa: soa, names: map[string]map[uint16][]dns.RR{}, nonTerminal: map[string]bool{}}
		} else if h.Rrtype == dns.TypeSOA {
			return nil, fmt.Errorf("%s: second SOA record", h.Name)
		}
		if !dns.IsSubDomain(z.apex, name) {
			return nil, fmt.Errorf("%w: %s is not under %s", ErrOutOfZone, h.Name, z.apex)
		}
		z.add(name, rr)
	}
	if err := zp.Err(); err != nil {
		return nil, err
	}
	if z == nil {
		return nil, fmt.Errorf("%w: the file has no records", ErrNoSOA)
	}
	for name, types := range z.names {
		if _, ok := types[dns.TypeCNAME]; ok && len(types) > 1 {
			return nil, fmt.Errorf("%s: CNAME and other data", name)
		}
	}
	return z, nil
}

// add stores rr under name and marks the names between it and the apex.
func (z *zone) add(name string, rr dns.RR) {
	types := z.names[name]
	if types == nil {
		types = map[uint16][]dns.RR{}
		z.names[name] = types
	}
	t := rr.Header().Rrtype
	types[t] = append(types[t], rr)
	delete(z.nonTerminal, name)
	for n := parent(name); n != "" && n != z.apex && dns.IsSubDomain(z.apex, n); n = parent(n) {
		if _, ok := z.names[n]; !ok {
			z.nonTerminal[n] = true
		}
	}
}

// parent returns name less its first label, "" for the root.
func parent(name string) string {
	if name == "." {
		return ""
	}
	i, end := dns.NextLabel(name, 0)
	if end {
		return ""
	}
	return name[i:]
}

// negativeSOA is the SOA of a negative answer: its TTL is the smaller of
// the record's TTL and its MINIMUM field (RFC 2308 section 3).
func (z *zone) negativeSOA() dns.RR {
	soa := dns.Copy(z.soa).(*dns.SOA)
	soa.Hdr.Ttl = min(soa.Hdr.Ttl, soa.Minttl)
	return soa
}

// maxCNAMEChain bounds the CNAMEs followed inside a zone.
const maxCNAMEChain = 8

// lookup answers q, for name (lower case) inside the zone.
func (z *zone) lookup(q dns.Question, name string) Answer {
	var a Answer
	owner := dns.Fqdn(q.Name)
	for range maxCNAMEChain {
		types := z.find(name)
		if types == nil {
			// The rcode is the last name's, after any CNAMEs (RFC 6604).
			if z.nonTerminal[name] {
				a.Ns = []dns.RR{z.negativeSOA()}
				return a
			}
			a.Rcode = dns.RcodeNameError
			a.Ns = []dns.RR{z.negativeSOA()}
			return a
		}
		if q.Qtype == dns.TypeANY {
			for _, t := range sortedTypes(types) {
				a.Answer = append(a.Answer, withOwner(types[t], owner)...)
			}
			return a
		}
		if rrs, ok := types[q.Qtype]; ok {
			a.Answer = append(a.Answer, withOwner(rrs, owner)...)
			return a
		}
		cname, ok := types[dns.TypeCNAME]
		if !ok {
			if len(a.Answer) == 0 {
				a.Ns = []dns.RR{z.negativeSOA()}
			}
			return a
		}
		a.Answer = append(a.Answer, withOwner(cname, owner)...)
		target := strings.ToLower(cname[0].(*dns.CNAME).Target)
		if !dns.IsSubDomain(z.apex, target) {
			return a // out of the zone: the client resolves the rest
		}
		name, owner = target, cname[0].(*dns.CNAME).Target
	}
	return a
}

// find returns the records of name, or of the wildcard that covers it
// (RFC 4592: "*." and the closest encloser, when name does not exist).
func (z *zone) find(name string) map[uint16][]dns.RR {
	if t, ok := z.names[name]; ok {
		return t
	}
	if z.nonTerminal[name] {
		return nil
	}
	for enc := parent(name); enc != "" && dns.IsSubDomain(z.apex, enc); enc = parent(enc) {
		if _, ok := z.names[enc]; ok || z.nonTerminal[enc] {
			return z.names["*."+enc]
		}
	}
	return nil
}

// sortedTypes returns the types of a name in numeric order, so that ANY
// answers are stable.
func sortedTypes(types map[uint16][]dns.RR) []uint16 {
	out := make([]uint16, 0, len(types))
	for t := range types {
		out = append(out, t)
	}
	slices.Sort(out)
	return out
}
