package evdns

import (
	"strings"

	"github.com/miekg/dns"
)

// canonicalName returns name as a fully qualified, lower-case domain name
// (with its final dot), and whether it is a valid one: labels of 1 to 63
// bytes, 255 bytes in all on the wire.
func canonicalName(name string) (string, bool) {
	if name == "" {
		return "", false
	}
	name = dns.Fqdn(strings.ToLower(name))
	if _, ok := dns.IsDomainName(name); !ok {
		return "", false
	}
	if name != "." && strings.Contains(name, "..") {
		return "", false
	}
	return name, true
}

// searchNames returns the names to try, in order, for name with the
// search list and ndots of resolv.conf(5): a name ending in a dot is
// tried as is and nothing else; a name with at least ndots dots is tried
// as is first, then with each search domain appended; a shorter one with
// each search domain first and as is last. noSearch tries the name only.
// Every name returned is fully qualified and valid; an empty result means
// name was invalid.
func searchNames(name string, search []string, ndots int, noSearch bool) []string {
	abs, ok := canonicalName(name)
	if !ok {
		return nil
	}
	if noSearch || strings.HasSuffix(name, ".") || len(search) == 0 {
		return []string{abs}
	}
	out := make([]string, 0, len(search)+1)
	dots := strings.Count(name, ".")
	if dots >= ndots {
		out = append(out, abs)
	}
	for _, s := range search {
		if cand, ok := canonicalName(strings.TrimSuffix(name, ".") + "." + strings.Trim(s, ".")); ok {
			out = append(out, cand)
		}
	}
	if dots < ndots {
		out = append(out, abs)
	}
	return out
}
