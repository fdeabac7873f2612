// Command goevent is goevent's DNS server in the DNS benchmark: an
// evdns.ServerPort on one core.Base (one event loop; run.sh pins it to one
// CPU and GOMAXPROCS follows the affinity mask) answering A queries for the
// benchmark's names from a map in memory, authoritatively, and NXDOMAIN for
// any other name in the zone (REFUSED outside it). It uses only the public
// API; the reply is built the way any Handler would build it. With
// -cpuprofile it writes a CPU profile until it is stopped (not used by
// run.sh).
package main

import (
	"flag"
	"fmt"
	"os"
	"os/signal"
	"runtime/pprof"
	"strings"
	"syscall"

	"github.com/miekg/dns"

	"github.com/goevent/goevent/bench/dns/internal/udpsock"
	"github.com/goevent/goevent/bench/dns/internal/zone"
	"github.com/goevent/goevent/core"
	"github.com/goevent/goevent/evdns"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:5353", "UDP listen address host:port")
	names := flag.Int("names", 10000, "names in the zone")
	rcvbuf := flag.Int("rcvbuf", 16<<20, "socket buffer size in bytes")
	cpuprofile := flag.String("cpuprofile", "", "write a CPU profile here, until SIGTERM or SIGINT")
	flag.Parse()
	if *cpuprofile != "" {
		if err := profile(*cpuprofile); err != nil {
			fatal(err)
		}
	}
	tab, err := zone.New(*names)
	if err != nil {
		fatal(err)
	}
	pc, err := udpsock.Listen(*addr, *rcvbuf)
	if err != nil {
		fatal(err)
	}
	base, err := core.NewBase()
	if err != nil {
		fatal(err)
	}
	port, err := evdns.NewServerPort(base, pc, evdns.HandlerFunc(func(req *evdns.Request) { serve(tab, req) }))
	if err != nil {
		fatal(err)
	}
	pc.Close() // the ServerPort holds its own duplicate
	defer port.Close()
	if err := base.Dispatch(); err != nil {
		fatal(err)
	}
}

// serve answers one query from tab.
func serve(tab zone.Table, req *evdns.Request) {
	q := req.Question()
	req.Reply.Authoritative = true
	switch a, ok := tab.Lookup(q.Name); {
	case !dns.IsSubDomain(zone.Domain, strings.ToLower(q.Name)):
		req.Reply.Authoritative = false
		req.SetRcode(dns.RcodeRefused)
	case !ok:
		req.SetRcode(dns.RcodeNameError)
	case q.Qtype == dns.TypeA && q.Qclass == dns.ClassINET:
		req.AddAnswer(&dns.A{
			Hdr: dns.RR_Header{Name: q.Name, Rrtype: dns.TypeA, Class: dns.ClassINET, Ttl: zone.TTL},
			A:   a.AsSlice(),
		})
	}
	// Any other type of a name that exists: NODATA (NOERROR, no answer).
	if err := req.Respond(); err != nil {
		fmt.Fprintln(os.Stderr, "goevent:", err)
	}
}

// profile writes a CPU profile to path until SIGTERM or SIGINT, then exits.
func profile(path string) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		return err
	}
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGTERM, syscall.SIGINT)
	go func() {
		<-sig
		pprof.StopCPUProfile()
		if err := f.Close(); err != nil {
			fatal(err)
		}
		os.Exit(0)
	}()
	return nil
}

func fatal(err error) {
	fmt.Fprintln(os.Stderr, "goevent:", err)
	os.Exit(1)
}
