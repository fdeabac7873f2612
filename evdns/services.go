package evdns

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
)

// servicesTable is a parsed services(5) file: service names and aliases,
// per protocol, to port numbers. Names are case-sensitive, as in the C
// library; the first line naming a service for a protocol wins.
type servicesTable struct {
	ports map[serviceKey]uint16
}

type serviceKey struct{ name, proto string }

func newServicesTable() *servicesTable {
	return &servicesTable{ports: map[serviceKey]uint16{}}
}

// wellKnownServices is the fallback when the table has no entry for a
// name: a few IANA assignments that every services file carries, for
// both tcp and udp. ParseServices entries take precedence.
var wellKnownServices = [...]struct {
	name string
	port uint16
}{
	{"ftp", 21}, {"ssh", 22}, {"telnet", 23}, {"smtp", 25}, {"domain", 53},
	{"http", 80}, {"pop3", 110}, {"ntp", 123}, {"imap", 143}, {"snmp", 161},
	{"ldap", 389}, {"https", 443}, {"submission", 587}, {"ldaps", 636},
	{"domain-s", 853}, {"imaps", 993}, {"pop3s", 995},
}

// parse adds the entries of services(5) syntax to s: a name, then
// port/protocol, then optional aliases, '#' to the end of the line a
// comment. Malformed lines (no port/protocol, a port that is not a
// decimal number in [0, 65535], an empty protocol) are skipped.
func (s *servicesTable) parse(r io.Reader) error {
	sc := bufio.NewScanner(io.LimitReader(r, maxConfigFile))
	sc.Buffer(make([]byte, 0, 4096), 64<<10)
	for sc.Scan() {
		name, port, proto, aliases, ok := parseServiceLine(sc.Text())
		if !ok {
			continue
		}
		s.add(name, proto, port)
		for _, a := range aliases {
			s.add(a, proto, port)
		}
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("evdns: reading services file: %w", err)
	}
	return nil
}

// parseServiceLine splits one services(5) line; ok is false for a blank,
// comment or malformed line.
func parseServiceLine(line string) (name string, port uint16, proto string, aliases []string, ok bool) {
	if i := strings.IndexByte(line, '#'); i >= 0 {
		line = line[:i]
	}
	f := strings.Fields(line)
	if len(f) < 2 {
		return "", 0, "", nil, false
	}
	num, proto, found := strings.Cut(f[1], "/")
	if !found || proto == "" || strings.Contains(proto, "/") {
		return "", 0, "", nil, false
	}
	p, ok := parsePort(num)
	if !ok {
		return "", 0, "", nil, false
	}
	return f[0], p, proto, f[2:], true
}

// parsePort parses a decimal port number in [0, 65535]: digits only, no
// sign.
func parsePort(s string) (uint16, bool) {
	if s == "" || len(s) > 5 || strings.TrimLeft(s, "0123456789") != "" {
		return 0, false
	}
	n, err := strconv.ParseUint(s, 10, 16)
	if err != nil {
		return 0, false
	}
	return uint16(n), true
}

func (s *servicesTable) add(name, proto string, port uint16) {
	k := serviceKey{name, proto}
	if _, dup := s.ports[k]; !dup {
		s.ports[k] = port
	}
}

// lookup returns the port of the service name for proto ("tcp" or
// "udp"): from the table, else from wellKnownServices.
func (s *servicesTable) lookup(name, proto string) (uint16, bool) {
	if p, ok := s.ports[serviceKey{name, proto}]; ok {
		return p, true
	}
	for _, w := range wellKnownServices {
		if w.name == name {
			return w.port, true
		}
	}
	return 0, false
}

// ParseServices reads the services(5) file at path (usually
// /etc/services); its entries are merged into the Resolver's services
// table, which GetAddrInfo consults for service names. Without it, or
// for names the file lacks, GetAddrInfo knows a few well-known names
// (ftp, ssh, telnet, smtp, domain, http, pop3, ntp, imap, snmp, ldap,
// https, submission, ldaps, domain-s, imaps, pop3s) for tcp and udp alike.
// Call it on the loop goroutine or before the loop runs.
func (r *Resolver) ParseServices(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("evdns: %w", err)
	}
	defer f.Close()
	return r.services.parse(f)
}

// AddService adds one entry to the services table, as a services file
// line "name port/proto" would. Call it on the loop goroutine or before
// the loop runs.
func (r *Resolver) AddService(name, proto string, port uint16) error {
	if name == "" || proto == "" || strings.ContainsAny(name, " \t#/") || strings.ContainsAny(proto, " \t#/") {
		return fmt.Errorf("%w: %q/%q", ErrBadService, name, proto)
	}
	r.services.add(name, proto, port)
	return nil
}
