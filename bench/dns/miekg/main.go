// Command miekg is the miekg/dns v1.1.73 server in the DNS benchmark: a
// dns.Server on a UDP socket answering A queries for the benchmark's names
// from the same map in memory as goevent's server, with the same replies
// (authoritative; NXDOMAIN for other names in the zone, REFUSED outside
// it). run.sh pins it to one CPU, and GOMAXPROCS follows the affinity mask.
// It is also the loopback server of the resolver test.
package main

import (
	"flag"
	"fmt"
	"os"
	"strings"

	"github.com/miekg/dns"

	"github.com/goevent/goevent/bench/dns/internal/udpsock"
	"github.com/goevent/goevent/bench/dns/internal/zone"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:5353", "UDP listen address host:port")
	names := flag.Int("names", 10000, "names in the zone")
	rcvbuf := flag.Int("rcvbuf", 16<<20, "socket buffer size in bytes")
	flag.Parse()
	tab, err := zone.New(*names)
	if err != nil {
		fatal(err)
	}
	pc, err := udpsock.Listen(*addr, *rcvbuf)
	if err != nil {
		fatal(err)
	}
	srv := &dns.Server{PacketConn: pc, Handler: handler{tab}}
	if err := srv.ActivateAndServe(); err != nil {
		fatal(err)
	}
}

type handler struct{ tab zone.Table }

// ServeDNS answers one query from the table.
func (h handler) ServeDNS(w dns.ResponseWriter, r *dns.Msg) {
	m := new(dns.Msg)
	m.SetReply(r)
	m.Authoritative = true
	if len(r.Question) != 1 {
		m.SetRcode(r, dns.RcodeFormatError)
	} else {
		q := r.Question[0]
		switch a, ok := h.tab.Lookup(q.Name); {
		case !dns.IsSubDomain(zone.Domain, strings.ToLower(q.Name)):
			m.Authoritative = false
			m.SetRcode(r, dns.RcodeRefused)
		case !ok:
			m.SetRcode(r, dns.RcodeNameError)
		case q.Qtype == dns.TypeA && q.Qclass == dns.ClassINET:
			m.Answer = append(m.Answer, &dns.A{
				Hdr: dns.RR_Header{Name: q.Name, Rrtype: dns.TypeA, Class: dns.ClassINET, Ttl: zone.TTL},
				A:   a.AsSlice(),
			})
		}
	}
	m.Compress = true
	if err := w.WriteMsg(m); err != nil {
		fmt.Fprintln(os.Stderr, "miekg:", err)
	}
}

func fatal(err error) {
	fmt.Fprintln(os.Stderr, "miekg:", err)
	os.Exit(1)
}
