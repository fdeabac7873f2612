// Command zonegen writes the DNS benchmark's data for the tools that are
// not Go: unbound's server clauses with one local-data line per name, and
// dnsperf's query file (one "NAME A" line per name).
//
// Usage: zonegen -names N [-unbound FILE -addr HOST -port P -dir DIR] [-queries FILE]
package main

import (
	"bufio"
	"flag"
	"fmt"
	"os"

	"github.com/goevent/goevent/bench/dns/internal/zone"
)

func main() {
	names := flag.Int("names", 10000, "names in the zone")
	unbound := flag.String("unbound", "", "write an unbound.conf here")
	host := flag.String("addr", "127.0.0.1", "unbound's interface")
	port := flag.Int("port", 5353, "unbound's port")
	dir := flag.String("dir", ".", "unbound's working directory")
	queries := flag.String("queries", "", "write a dnsperf query file here")
	flag.Parse()
	if _, err := zone.New(*names); err != nil {
		fatal(err)
	}
	if *unbound != "" {
		if err := write(*unbound, func(w *bufio.Writer) { unboundConf(w, *names, *host, *port, *dir) }); err != nil {
			fatal(err)
		}
	}
	if *queries != "" {
		if err := write(*queries, func(w *bufio.Writer) {
			for i := range *names {
				fmt.Fprintf(w, "%s A\n", zone.Name(i))
			}
		}); err != nil {
			fatal(err)
		}
	}
}

// unboundConf is a foreground unbound with one thread, no chroot, no
// privilege drop, no remote control and no outgoing queries, answering the
// zone from local-data (a static local zone: NXDOMAIN for other names).
func unboundConf(w *bufio.Writer, n int, host string, port int, dir string) {
	fmt.Fprintf(w, `server:
	interface: %s
	port: %d
	num-threads: 1
	do-daemonize: no
	chroot: ""
	username: ""
	directory: "%s"
	pidfile: ""
	logfile: ""
	use-syslog: no
	verbosity: 0
	do-ip6: no
	do-tcp: yes
	so-reuseport: no
	access-control: 127.0.0.0/8 allow
	outgoing-range: 64
	so-rcvbuf: 16m
	so-sndbuf: 16m
	local-zone: "%s" static
`, host, port, dir, zone.Domain)
	for i := range n {
		fmt.Fprintf(w, "\tlocal-data: \"%s %d IN A %s\"\n", zone.Name(i), zone.TTL, zone.Addr(i))
	}
	fmt.Fprint(w, "remote-control:\n\tcontrol-enable: no\n")
}

func write(path string, fill func(*bufio.Writer)) error {
	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("zonegen: %w", err)
	}
	w := bufio.NewWriter(f)
	fill(w)
	if err := w.Flush(); err != nil {
		f.Close()
		return fmt.Errorf("zonegen: %w", err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("zonegen: %w", err)
	}
	return nil
}

func fatal(err error) {
	fmt.Fprintln(os.Stderr, "zonegen:", err)
	os.Exit(1)
}
