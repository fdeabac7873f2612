// Command upstream is the authoritative nameserver behind the forwarders
// of the dnsd benchmark: an evdns.ServerPort on one core.Base answering A
// queries for N names hI.bench.test. (I from 0), each with one A record in
// 198.18.0.0/15 (RFC 2544's benchmarking range; nothing connects to it),
// TTL 300, NXDOMAIN for other names in bench.test. and REFUSED outside it.
//
// It counts the queries it answers, so the benchmark can tell that the
// measured phase was served from the forwarders' caches: a TXT query for
// count.stats.invalid. returns the count so far (the query itself is not
// counted).
//
// With -queries it writes dnsperf's query file (one "NAME A" line per
// name) and with -expect the names run.sh checks with dig, with their
// addresses ("NAME ADDR" lines: the first, middle and last names); with
// -addr "" it only writes them.
package main

import (
	"bufio"
	"flag"
	"fmt"
	"net"
	"net/netip"
	"os"
	"strconv"
	"strings"

	"github.com/miekg/dns"

	"github.com/goevent/goevent/core"
	"github.com/goevent/goevent/evdns"
)

// domain is the zone of the names, ttl their records' TTL.
const (
	domain   = "bench.test."
	ttl      = 300
	maxNames = 1 << 17 // what 198.18.0.0/15 holds
)

// countName is the name whose TXT record is the query count.
const countName = "count.stats.invalid."

func main() {
	addr := flag.String("addr", "127.0.0.1:5300", "UDP listen address host:port; empty: only write the files")
	names := flag.Int("names", 10000, "names in the zone")
	queries := flag.String("queries", "", "write dnsperf's query file here")
	expect := flag.String("expect", "", "write the names to check and their addresses here")
	flag.Parse()
	if *names < 1 || *names > maxNames {
		fatal(fmt.Errorf("-names %d: want 1 to %d", *names, maxNames))
	}
	if *queries != "" {
		if err := writeLines(*queries, *names, queryLines); err != nil {
			fatal(err)
		}
	}
	if *expect != "" {
		if err := writeLines(*expect, *names, expectLines); err != nil {
			fatal(err)
		}
	}
	if *addr == "" {
		return
	}
	z := newZone(*names)
	pc, err := net.ListenPacket("udp", *addr)
	if err != nil {
		fatal(err)
	}
	base, err := core.NewBase()
	if err != nil {
		fatal(err)
	}
	port, err := evdns.NewServerPort(base, pc, evdns.HandlerFunc(z.serve))
	if err != nil {
		fatal(err)
	}
	pc.Close() // the ServerPort holds its own duplicate
	defer port.Close()
	if err := base.Dispatch(); err != nil {
		fatal(err)
	}
}

// name returns the i-th name, fully qualified and lower case.
func name(i int) string { return "h" + strconv.Itoa(i) + "." + domain }

// addrOf returns the address of the i-th name.
func addrOf(i int) netip.Addr {
	return netip.AddrFrom4([4]byte{198, 18 + byte(i>>16&1), byte(i >> 8), byte(i)})
}

// zone answers the names; its count belongs to the loop goroutine.
type zone struct {
	addrs map[string]netip.Addr
	count int
}

func newZone(n int) *zone {
	z := &zone{addrs: make(map[string]netip.Addr, n)}
	for i := range n {
		z.addrs[name(i)] = addrOf(i)
	}
	return z
}

// serve answers one query. Loop goroutine.
func (z *zone) serve(req *evdns.Request) {
	q := req.Question()
	lower := strings.ToLower(q.Name)
	switch a, ok := z.addrs[lower]; {
	case lower == countName && q.Qtype == dns.TypeTXT:
		req.AddAnswer(&dns.TXT{
			Hdr: dns.RR_Header{Name: q.Name, Rrtype: dns.TypeTXT, Class: dns.ClassINET},
			Txt: []string{strconv.Itoa(z.count)},
		})
		respond(req)
		return
	case !dns.IsSubDomain(domain, lower):
		req.SetRcode(dns.RcodeRefused)
	case !ok:
		req.Reply.Authoritative = true
		req.SetRcode(dns.RcodeNameError)
	case q.Qtype == dns.TypeA && q.Qclass == dns.ClassINET:
		req.Reply.Authoritative = true
		req.AddAnswer(&dns.A{
			Hdr: dns.RR_Header{Name: q.Name, Rrtype: dns.TypeA, Class: dns.ClassINET, Ttl: ttl},
			A:   a.AsSlice(),
		})
	default: // another type of a name that exists: NODATA
		req.Reply.Authoritative = true
	}
	z.count++
	respond(req)
}

func respond(req *evdns.Request) {
	if err := req.Respond(); err != nil {
		fmt.Fprintln(os.Stderr, "upstream:", err)
	}
}

func queryLines(w *bufio.Writer, n int) {
	for i := range n {
		fmt.Fprintf(w, "%s A\n", name(i))
	}
}

func expectLines(w *bufio.Writer, n int) {
	for _, i := range []int{0, n / 2, n - 1} {
		fmt.Fprintf(w, "%s %s\n", name(i), addrOf(i))
	}
}

func writeLines(path string, n int, fill func(*bufio.Writer, int)) error {
	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("upstream: %w", err)
	}
	w := bufio.NewWriter(f)
	fill(w, n)
	if err := w.Flush(); err != nil {
		f.Close()
		return fmt.Errorf("upstream: %w", err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("upstream: %w", err)
	}
	return nil
}

func fatal(err error) {
	fmt.Fprintln(os.Stderr, "upstream:", err)
	os.Exit(1)
}
