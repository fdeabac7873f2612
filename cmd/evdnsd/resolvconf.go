package main

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"net/netip"
	"os"
	"strings"
)

// errNoNameservers: the resolv.conf has no usable nameserver line.
var errNoNameservers = errors.New("no nameserver in resolv.conf (give -upstream)")

// systemUpstreams returns the nameservers of the resolv.conf at path.
func systemUpstreams(path string) ([]netip.AddrPort, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("upstreams: %w", err)
	}
	defer f.Close()
	ns, err := parseNameservers(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if len(ns) == 0 {
		return nil, fmt.Errorf("%s: %w", path, errNoNameservers)
	}
	return ns, nil
}

// parseNameservers returns the addresses of resolv.conf(5)'s nameserver
// lines, port 53. Lines it cannot use (a scoped IPv6 address, a name) are
// skipped, as the C library skips them; other keywords are ignored.
func parseNameservers(r io.Reader) ([]netip.AddrPort, error) {
	var out []netip.AddrPort
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		line := sc.Text()
		if i := strings.IndexAny(line, "#;"); i >= 0 {
			line = line[:i]
		}
		f := strings.Fields(line)
		if len(f) < 2 || f[0] != "nameserver" {
			continue
		}
		a, err := netip.ParseAddr(f[1])
		if err != nil || a.Zone() != "" {
			continue
		}
		out = append(out, netip.AddrPortFrom(a.Unmap(), 53))
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	return out, nil
}
