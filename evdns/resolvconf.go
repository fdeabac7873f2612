package evdns

import (
	"bufio"
	"fmt"
	"io"
	"net/netip"
	"os"
	"strings"
)

// maxConfigFile bounds the resolv.conf and hosts files read, as libevent
// refuses files over 64 KiB (resolv.conf) or reads them in one piece.
const maxConfigFile = 16 << 20

// resolvConf is what a resolv.conf file says.
type resolvConf struct {
	nameservers []netip.AddrPort
	search      []string
	hasSearch   bool // a search or domain line was present
	options     [][2]string
}

// parseResolvConf reads resolv.conf(5) syntax: nameserver, domain, search
// and options lines; '#' and ';' start comments; unknown keywords and
// malformed nameserver addresses are ignored, as the C resolvers do.
func parseResolvConf(r io.Reader) (*resolvConf, error) {
	rc := &resolvConf{}
	sc := bufio.NewScanner(io.LimitReader(r, maxConfigFile))
	sc.Buffer(make([]byte, 0, 4096), 64<<10)
	for sc.Scan() {
		line := sc.Text()
		if i := strings.IndexAny(line, "#;"); i >= 0 {
			line = line[:i]
		}
		f := strings.Fields(line)
		if len(f) == 0 {
			continue
		}
		switch f[0] {
		case "nameserver":
			if len(f) < 2 {
				continue
			}
			if ap, ok := parseNameserver(f[1]); ok {
				rc.nameservers = append(rc.nameservers, ap)
			}
		case "domain":
			if len(f) < 2 {
				continue
			}
			rc.search, rc.hasSearch = []string{f[1]}, true
		case "search":
			rc.search, rc.hasSearch = append([]string(nil), f[1:]...), true
		case "options":
			for _, o := range f[1:] {
				name, val, _ := strings.Cut(o, ":")
				rc.options = append(rc.options, [2]string{name, val})
			}
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("evdns: reading resolv.conf: %w", err)
	}
	return rc, nil
}

// parseNameserver parses "ip", "ip:port", "[ipv6]:port" or "ip%zone";
// the port defaults to 53.
func parseNameserver(s string) (netip.AddrPort, bool) {
	if ap, err := netip.ParseAddrPort(s); err == nil {
		if ap.Port() == 0 {
			ap = netip.AddrPortFrom(ap.Addr(), 53)
		}
		return netip.AddrPortFrom(ap.Addr().Unmap(), ap.Port()), true
	}
	if a, err := netip.ParseAddr(s); err == nil {
		return netip.AddrPortFrom(a.Unmap(), 53), true
	}
	return netip.AddrPort{}, false
}

// ParseResolvConf reads the resolv.conf(5) file at path and applies it:
// its nameservers are added, its search (or domain) line replaces the
// search list, and its options are set as SetOption would. Options evdns
// does not know (inet6, debug...) are skipped and reported in the error,
// which then wraps ErrBadOption; everything else still applies. A file
// without nameserver lines adds none (libevent would add 127.0.0.1).
// Call it on the loop goroutine or before the loop runs.
func (r *Resolver) ParseResolvConf(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("evdns: %w", err)
	}
	defer f.Close()
	rc, err := parseResolvConf(f)
	if err != nil {
		return err
	}
	for _, ns := range rc.nameservers {
		r.addNameserver(ns)
	}
	if rc.hasSearch {
		r.SetSearch(rc.search...)
	}
	var bad []string
	for _, o := range rc.options {
		if err := r.SetOption(o[0], o[1]); err != nil {
			bad = append(bad, o[0])
		}
	}
	if len(bad) > 0 {
		return fmt.Errorf("%w in %s: %s", ErrBadOption, path, strings.Join(bad, ", "))
	}
	return nil
}
