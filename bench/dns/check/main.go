// Command check asks a DNS server of the benchmark, over UDP, for a spread
// of the zone's names and one name outside the table, and exits non-zero
// unless each answer is right: NOERROR with exactly the name's A record and
// its TTL for a name in the table, NXDOMAIN for the other. It waits up to
// -wait for the server to start answering. With -v it prints the first
// reply.
package main

import (
	"errors"
	"flag"
	"fmt"
	"net/netip"
	"os"
	"time"

	"github.com/miekg/dns"

	"github.com/goevent/goevent/bench/dns/internal/zone"
)

// errWrong is wrapped by the errors for a wrong answer.
var errWrong = errors.New("check: wrong answer")

func main() {
	addr := flag.String("addr", "127.0.0.1:5353", "server host:port")
	names := flag.Int("names", 10000, "names in the zone")
	wait := flag.Duration("wait", 5*time.Second, "how long to wait for the server")
	verbose := flag.Bool("v", false, "print the first reply")
	flag.Parse()
	if _, err := zone.New(*names); err != nil {
		fatal(err)
	}
	c := &dns.Client{Net: "udp", Timeout: 500 * time.Millisecond}
	first, err := waitFor(c, *addr, *wait)
	if err != nil {
		fatal(err)
	}
	if *verbose {
		fmt.Println(first)
	}
	for _, i := range []int{0, 1, *names / 2, *names - 1} {
		if err := checkName(c, *addr, zone.Name(i), zone.Addr(i)); err != nil {
			fatal(err)
		}
	}
	if err := checkName(c, *addr, zone.Name(*names), netip.Addr{}); err != nil {
		fatal(err)
	}
}

// waitFor asks for the first name until the server answers or wait ends.
func waitFor(c *dns.Client, addr string, wait time.Duration) (*dns.Msg, error) {
	deadline := time.Now().Add(wait)
	for {
		r, _, err := c.Exchange(query(zone.Name(0)), addr)
		if err == nil {
			return r, nil
		}
		if time.Now().After(deadline) {
			return nil, fmt.Errorf("check: no answer from %s within %v: %w", addr, wait, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func query(name string) *dns.Msg {
	m := new(dns.Msg)
	m.SetQuestion(name, dns.TypeA)
	m.RecursionDesired = false
	return m
}

// checkName asks for name; want is its address, or the zero Addr for
// NXDOMAIN.
func checkName(c *dns.Client, addr, name string, want netip.Addr) error {
	r, _, err := c.Exchange(query(name), addr)
	if err != nil {
		return fmt.Errorf("check: %s: %w", name, err)
	}
	if !want.IsValid() {
		if r.Rcode != dns.RcodeNameError || len(r.Answer) != 0 {
			return fmt.Errorf("%w for %s: want NXDOMAIN, got\n%v", errWrong, name, r)
		}
		return nil
	}
	if r.Rcode != dns.RcodeSuccess || len(r.Answer) != 1 {
		return fmt.Errorf("%w for %s: want one A record, got\n%v", errWrong, name, r)
	}
	a, ok := r.Answer[0].(*dns.A)
	if !ok || a.A.To4() == nil || dns.CanonicalName(a.Hdr.Name) != name ||
		a.Hdr.Ttl != zone.TTL || netip.AddrFrom4([4]byte(a.A.To4())) != want {
		return fmt.Errorf("%w for %s: want %s %d IN A %s, got\n%v", errWrong, name, name, zone.TTL, want, r)
	}
	return nil
}

func fatal(err error) {
	fmt.Fprintln(os.Stderr, err)
	os.Exit(1)
}
