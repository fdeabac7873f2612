package main

import (
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/goevent/goevent/bench/internal/stats"
)

func printServer(w io.Writer, res results, dur, names int) {
	if res["server"] == nil {
		return
	}
	fmt.Fprintln(w, "### Server: dnsperf against each server answering from memory")
	fmt.Fprintln(w)
	fmt.Fprintf(w, "`dnsperf -s 127.0.0.1 -p PORT -d QUERIES -l %d -c 4 -q 200 -T 1`, QUERIES holding one `NAME A` line "+
		"for each of the %s names (all in the zone). Server CPU is utime+stime of the server process from "+
		"/proc/PID/stat over the dnsperf run, divided by the queries dnsperf completed. goevent ÷ this: ratio of "+
		"medians, below 1 means goevent spends less. Target (issue 9): ServerPort at or below 6 µs/query.\n\n",
		dur, stats.Group(float64(names)))
	fmt.Fprintln(w, "| server | queries/s | server CPU µs/query | goevent ÷ this | lost | not NOERROR | rounds |")
	fmt.Fprintln(w, "|---|---:|---:|---:|---:|---:|---:|")
	for _, s := range servers {
		r := res["server"][s.name]
		if r == nil {
			continue
		}
		fmt.Fprintln(w, "| "+strings.Join([]string{
			s.title,
			stats.Cell(r.rate, stats.Group),
			stats.Cell(r.cpuPer, micro),
			res.ratio("server", s.name, func(r *runs) []float64 { return r.cpuPer }),
			stats.Group(r.lost),
			stats.Group(r.notNoError),
			strconv.Itoa(len(r.rate)),
		}, " | ")+" |")
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, "lost and not NOERROR are totals over all rounds; both should be 0.")
	fmt.Fprintln(w)
}

// upstreams are the titles of the servers the resolver test may ask.
var upstreams = map[string]string{
	"goevent": "goevent evdns.ServerPort",
	"miekg":   "miekg/dns server",
	"unbound": "unbound (local-data)",
}

func printResolver(w io.Writer, res results, dur, names int, upstream string) {
	if res["resolver"] == nil {
		return
	}
	fmt.Fprintln(w, "### Resolver: lookups with many in flight against a loopback server")
	fmt.Fprintln(w)
	title := upstreams[upstream]
	if title == "" {
		title = upstream
	}
	fmt.Fprintf(w, "Each resolver keeps the given number of A lookups in flight for %d s against the same server, %s "+
		"(on its own core), each answer checked, cycling through %s fully qualified names; the machine's "+
		"resolv.conf nameservers are never asked. Client CPU is the resolver process's utime+stime over the window "+
		"divided by the lookups completed in it; server CPU is the server's over the whole run, per lookup. Memory "+
		"is per lookup in flight: (figure with the lookups in flight − figure before the first) / lookups in "+
		"flight, both after runtime.GC; peak RSS is the resolver process's VmHWM at the end of the run (its "+
		"most resident memory, lookups in flight included).\n\n", dur, title, stats.Group(float64(names)))
	fmt.Fprintln(w, "| resolver | lookups/s | client CPU µs/lookup | goevent ÷ this | server CPU µs/lookup | "+
		"peak RSS MiB | RSS B/lookup | heap in use B/lookup | live heap B/lookup | stacks B/lookup | goroutines | rounds |")
	fmt.Fprintln(w, "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
	for _, s := range resolvers {
		r := res["resolver"][s.name]
		if r == nil {
			continue
		}
		fmt.Fprintln(w, "| "+strings.Join([]string{
			s.title,
			stats.Cell(r.rate, stats.Group),
			stats.Cell(r.cpuPer, micro),
			res.ratio("resolver", s.name, func(r *runs) []float64 { return r.cpuPer }),
			stats.Cell(r.srvPer, micro),
			stats.Cell(r.peakRSS, oneDecimal),
			stats.Cell(r.mem["rss"], stats.Group),
			stats.Cell(r.mem["heap_inuse"], stats.Group),
			stats.Cell(r.mem["heap_alloc"], stats.Group),
			stats.Cell(r.mem["stack_inuse"], stats.Group),
			stats.Cell(r.goroutines, stats.Group),
			strconv.Itoa(len(r.rate)),
		}, " | ")+" |")
	}
	fmt.Fprintln(w)
	var bad []string
	for _, s := range resolvers {
		if r := res["resolver"][s.name]; r != nil && r.failed > 0 {
			bad = append(bad, fmt.Sprintf("- %s: %s lookups failed or were wrong over all rounds.", s.title, stats.Group(r.failed)))
		}
	}
	if len(bad) == 0 {
		fmt.Fprintln(w, "Every lookup of every run was checked: none failed.")
	} else {
		fmt.Fprintln(w, strings.Join(bad, "\n"))
	}
	fmt.Fprintln(w)
}

// ratio is goevent's median over name's for the figure fig, empty on
// goevent's own row.
func (res results) ratio(test, name string, fig func(*runs) []float64) string {
	if name == ours {
		return ""
	}
	o, p := res[test][ours], res[test][name]
	if o == nil || p == nil {
		return "–"
	}
	return stats.Ratio(stats.Median(fig(o)), stats.Median(fig(p)))
}

// micro formats CPU microseconds: two decimals below 10, one above.
func micro(x float64) string {
	if x < 10 {
		return strconv.FormatFloat(x, 'f', 2, 64)
	}
	return strconv.FormatFloat(x, 'f', 1, 64)
}

// oneDecimal formats x with one decimal.
func oneDecimal(x float64) string { return strconv.FormatFloat(x, 'f', 1, 64) }
