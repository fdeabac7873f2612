// Package zone is the data every server of the DNS benchmark serves and
// every client asks for: N names hI.bench.test., each with one A record in
// 198.18.0.0/15 (RFC 2544's benchmarking range; nothing ever connects to
// these addresses).
package zone

import (
	"fmt"
	"net/netip"
	"strconv"
	"strings"
)

// Domain is the zone the names live in.
const Domain = "bench.test."

// TTL of every record, in seconds.
const TTL = 300

// MaxNames is how many names the address range holds.
const MaxNames = 1 << 17

// Name returns the i-th name, fully qualified and lower case.
func Name(i int) string {
	return "h" + strconv.Itoa(i) + "." + Domain
}

// Addr returns the address of the i-th name.
func Addr(i int) netip.Addr {
	return netip.AddrFrom4([4]byte{198, 18 + byte(i>>16&1), byte(i >> 8), byte(i)})
}

// Table maps each of the first n names to its address.
type Table map[string]netip.Addr

// New returns the table of the first n names; n must be in [1, MaxNames].
func New(n int) (Table, error) {
	if n < 1 || n > MaxNames {
		return nil, fmt.Errorf("zone: %d names: want 1 to %d", n, MaxNames)
	}
	t := make(Table, n)
	for i := range n {
		t[Name(i)] = Addr(i)
	}
	return t, nil
}

// Lookup returns the address of name, matched without regard to ASCII case
// as DNS names are.
func (t Table) Lookup(name string) (netip.Addr, bool) {
	a, ok := t[strings.ToLower(name)]
	return a, ok
}
