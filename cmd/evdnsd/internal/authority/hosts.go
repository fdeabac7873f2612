package authority

import (
	"bufio"
	"fmt"
	"io"
	"net/netip"
	"os"
	"strings"

	"github.com/miekg/dns"
)

// hosts is a hosts(5) file's entries: forward records by lower-case name
// and PTR records by reverse name.
type hosts struct {
	names   map[string]*hostEntry
	reverse map[string][]dns.RR
}

type hostEntry struct {
	a, aaaa []dns.RR
}

// loadHostsFile reads the hosts file at path.
func loadHostsFile(path string, ttl uint32) (*hosts, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("hosts: %w", err)
	}
	defer f.Close()
	h, err := parseHosts(f, ttl)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return h, nil
}

// maxHostsLine bounds a hosts file line.
const maxHostsLine = 64 << 10

// parseHosts parses hosts(5) text: an address then one or more names per
// line, '#' starting a comment. Every line must parse: an address without
// a zone, names that are valid domain names. The first name of a line is
// the one the address's PTR record gives; an address listed on several
// lines gets a PTR for each line's first name.
func parseHosts(r io.Reader, ttl uint32) (*hosts, error) {
	h := &hosts{names: map[string]*hostEntry{}, reverse: map[string][]dns.RR{}}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 4096), maxHostsLine)
	seen := map[string]bool{} // "name addr" and "rev target", against duplicates
	for line := 1; sc.Scan(); line++ {
		text, _, _ := strings.Cut(sc.Text(), "#")
		fields := strings.Fields(text)
		if len(fields) == 0 {
			continue
		}
		if len(fields) < 2 {
			return nil, fmt.Errorf("line %d: %w: an address without a name", line, ErrHostsSyntax)
		}
		addr, err := netip.ParseAddr(fields[0])
		if err != nil || addr.Zone() != "" {
			return nil, fmt.Errorf("line %d: %w: address %q", line, ErrHostsSyntax, fields[0])
		}
		addr = addr.Unmap()
		for i, n := range fields[1:] {
			if _, ok := dns.IsDomainName(n); !ok || strings.Contains(strings.TrimSuffix(n, "."), "..") || n == "." {
				return nil, fmt.Errorf("line %d: %w: name %q", line, ErrHostsSyntax, n)
			}
			fqdn := dns.Fqdn(n)
			name := strings.ToLower(fqdn)
			if key := name + " " + addr.String(); !seen[key] {
				seen[key] = true
				h.addForward(name, addr, ttl)
			}
			if i == 0 {
				rev, _ := dns.ReverseAddr(addr.String())
				if key := rev + " " + name; !seen[key] {
					seen[key] = true
					h.reverse[rev] = append(h.reverse[rev], &dns.PTR{
						Hdr: dns.RR_Header{Name: rev, Rrtype: dns.TypePTR, Class: dns.ClassINET, Ttl: ttl},
						Ptr: fqdn,
					})
				}
			}
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrHostsSyntax, err)
	}
	return h, nil
}

func (h *hosts) addForward(name string, addr netip.Addr, ttl uint32) {
	e := h.names[name]
	if e == nil {
		e = &hostEntry{}
		h.names[name] = e
	}
	hdr := dns.RR_Header{Name: name, Class: dns.ClassINET, Ttl: ttl}
	if addr.Is4() {
		hdr.Rrtype = dns.TypeA
		e.a = append(e.a, &dns.A{Hdr: hdr, A: addr.AsSlice()})
	} else {
		hdr.Rrtype = dns.TypeAAAA
		e.aaaa = append(e.aaaa, &dns.AAAA{Hdr: hdr, AAAA: addr.AsSlice()})
	}
}

// lookup answers A, AAAA, PTR and ANY questions for names in the file: a
// name there with no address of the family asked for gets NODATA. Other
// types, and names not there, are not answered (ok false).
func (h *hosts) lookup(q dns.Question, name string) (Answer, bool) {
	owner := dns.Fqdn(q.Name)
	if ptr, ok := h.reverse[name]; ok {
		switch q.Qtype {
		case dns.TypePTR, dns.TypeANY:
			return Answer{Answer: withOwner(ptr, owner)}, true
		}
		return Answer{}, false
	}
	e, ok := h.names[name]
	if !ok {
		return Answer{}, false
	}
	switch q.Qtype {
	case dns.TypeA:
		return Answer{Answer: withOwner(e.a, owner)}, true
	case dns.TypeAAAA:
		return Answer{Answer: withOwner(e.aaaa, owner)}, true
	case dns.TypeANY:
		return Answer{Answer: withOwner(append(append([]dns.RR(nil), e.a...), e.aaaa...), owner)}, true
	}
	return Answer{}, false
}
