package evdns

import (
	"bufio"
	"fmt"
	"io"
	"net/netip"
	"os"
	"strings"
)

// hostsTable is a parsed hosts(5) file: names to addresses and addresses
// to names, names stored fully qualified and lower-case.
type hostsTable struct {
	byName map[string][]netip.Addr
	byAddr map[netip.Addr][]string
}

func newHostsTable() *hostsTable {
	return &hostsTable{byName: map[string][]netip.Addr{}, byAddr: map[netip.Addr][]string{}}
}

// parse adds the entries of hosts(5) syntax to h: an address, then one or more names,
// '#' to the end of the line a comment. Lines with a bad address or no
// valid name are skipped; IPv4-mapped IPv6 addresses are stored as IPv4.
func (h *hostsTable) parse(r io.Reader) error {
	sc := bufio.NewScanner(io.LimitReader(r, maxConfigFile))
	sc.Buffer(make([]byte, 0, 4096), 64<<10)
	for sc.Scan() {
		line := sc.Text()
		if i := strings.IndexByte(line, '#'); i >= 0 {
			line = line[:i]
		}
		f := strings.Fields(line)
		if len(f) < 2 {
			continue
		}
		addr, err := netip.ParseAddr(f[0])
		if err != nil {
			continue
		}
		addr = addr.Unmap().WithZone("")
		for _, n := range f[1:] {
			name, ok := canonicalName(n)
			if !ok || name == "." {
				continue
			}
			h.add(name, addr)
		}
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("evdns: reading hosts file: %w", err)
	}
	return nil
}

func (h *hostsTable) add(name string, addr netip.Addr) {
	for _, a := range h.byName[name] {
		if a == addr {
			return
		}
	}
	h.byName[name] = append(h.byName[name], addr)
	h.byAddr[addr] = append(h.byAddr[addr], name)
}

// lookup returns the addresses of the fully qualified lower-case name
// that belong to family (afInet, afInet6 or afUnspec), IPv4 first.
func (h *hostsTable) lookup(name string, family int) []netip.Addr {
	var out []netip.Addr
	for _, want4 := range []bool{true, false} {
		if (want4 && family == afInet6) || (!want4 && family == afInet) {
			continue
		}
		for _, a := range h.byName[name] {
			if a.Is4() == want4 {
				out = append(out, a)
			}
		}
	}
	return out
}

// ParseHosts reads the hosts(5) file at path; its entries are merged into
// the Resolver's hosts table, which LookupHost, ResolveIPv4, ResolveIPv6
// and ResolveReverse consult before any query. Call it on the loop
// goroutine or before the loop runs.
func (r *Resolver) ParseHosts(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("evdns: %w", err)
	}
	defer f.Close()
	return r.hosts.parse(f)
}

// AddHost adds one entry to the hosts table, as a hosts file line would.
// Call it on the loop goroutine or before the loop runs.
func (r *Resolver) AddHost(name string, addr netip.Addr) error {
	n, ok := canonicalName(name)
	if !ok || n == "." {
		return fmt.Errorf("%w: %q", ErrInvalidName, name)
	}
	r.hosts.add(n, addr.Unmap().WithZone(""))
	return nil
}

// ClearHosts empties the hosts table.
func (r *Resolver) ClearHosts() { r.hosts = newHostsTable() }
