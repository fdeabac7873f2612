package main

import (
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"

	"github.com/goevent/goevent/bench/internal/stats"
)

// projections are the idle connection counts the scaling test projects
// memory to: the fd limit of these machines (20,000) keeps the measured
// points at 10,000 and below.
func projections() []float64 { return []float64{100_000, 1_000_000} }

// scalePoints are the tests of res named prefix+N, in increasing N.
func (res results) scalePoints(prefix string) []string {
	var ns []int
	for t := range res {
		if n, ok := pointN(t, prefix); ok {
			ns = append(ns, n)
		}
	}
	slices.Sort(ns)
	tests := make([]string, len(ns))
	for i, n := range ns {
		tests[i] = prefix + strconv.Itoa(n)
	}
	return tests
}

// pointN is the N of a test named prefix+N.
func pointN(test, prefix string) (int, bool) {
	s, ok := strings.CutPrefix(test, prefix)
	if !ok {
		return 0, false
	}
	n, err := strconv.Atoi(s)
	return n, err == nil && n > 0
}

// printScale prints the scaling test's tables: wrk connections, loops, and
// idle memory with its projection.
func printScale(w io.Writer, res results, conns int, dur string, cpus int) {
	cs, ls, is := res.scalePoints("scale-c"), res.scalePoints("scale-l"), res.scalePoints("scale-i")
	if len(cs)+len(ls)+len(is) == 0 {
		return
	}
	fmt.Fprintln(w, "### Scaling")
	fmt.Fprintln(w)
	if len(cs) > 0 {
		fmt.Fprintf(w, "Connections: `wrk -t1 -cN -d%s --latency` (-d8s from 5,000 connections on: wrk needs seconds to connect them all), "+
			"one server loop on CPU 1, wrk on CPU 0 (as plain). "+
			"req/s, then server CPU µs/req with goevent ÷ this beside it (below 1: goevent spends less).\n\n", dur)
		head, align := []string{"server"}, "|---|"
		for _, t := range cs {
			n, _ := pointN(t, "scale-c")
			head = append(head, "c="+stats.Group(float64(n))+" req/s", "CPU µs/req")
			align += "---:|---:|"
		}
		fmt.Fprintln(w, "| "+strings.Join(head, " | ")+" |")
		fmt.Fprintln(w, align)
		for _, s := range servers {
			cells, any := []string{s.title}, false
			for _, t := range cs {
				r := res.get(t, s.name)
				if r == nil {
					cells = append(cells, "–", "–")
					continue
				}
				any = true
				cpu := stats.Cell(r.cpuPerReq, micro)
				if q := res.ratio(t, s.name, func(r *runs) []float64 { return r.cpuPerReq }); q != "" {
					cpu += " " + q
				}
				cells = append(cells, stats.Cell(r.rps, stats.Group), cpu)
			}
			if any {
				fmt.Fprintln(w, "| "+strings.Join(cells, " | ")+" |")
			}
		}
		fmt.Fprintln(w)
	}
	if len(ls) > 0 {
		fmt.Fprintf(w, "Loops: the server on all %d CPUs with N loops (goevent NewOnLoops, nginx worker_processes, "+
			"gnet multicore, nbio pollers; GOMAXPROCS=N for every Go server, the only knob of fasthttp and net/http); "+
			"`wrk -t2 -c%d -d%s`, unpinned, shares those CPUs, so req/s counts wrk's share too. "+
			"Server CPU is all its threads' (nginx: all workers').\n\n", cpus, conns, dur)
		head, align := []string{"server"}, "|---|"
		for _, t := range ls {
			n, _ := pointN(t, "scale-l")
			head = append(head, fmt.Sprintf("%d loop%s req/s", n, plural(n)), "CPU µs/req")
			align += "---:|---:|"
		}
		if len(ls) > 1 {
			head = append(head, "req/s last ÷ first")
			align += "---:|"
		}
		fmt.Fprintln(w, "| "+strings.Join(head, " | ")+" |")
		fmt.Fprintln(w, align)
		for _, s := range servers {
			cells, any := []string{s.title}, false
			for _, t := range ls {
				r := res.get(t, s.name)
				if r == nil {
					cells = append(cells, "–", "–")
					continue
				}
				any = true
				cells = append(cells, stats.Cell(r.rps, stats.Group), stats.Cell(r.cpuPerReq, micro))
			}
			if len(ls) > 1 {
				first, last := res.get(ls[0], s.name), res.get(ls[len(ls)-1], s.name)
				q := "–"
				if first != nil && last != nil {
					q = stats.Ratio(stats.Median(last.rps), stats.Median(first.rps))
				}
				cells = append(cells, q)
			}
			if any {
				fmt.Fprintln(w, "| "+strings.Join(cells, " | ")+" |")
			}
		}
		fmt.Fprintln(w)
	}
	if len(is) > 0 {
		printIdleScale(w, res, is)
	}
}

// plural is "s" unless n is 1.
func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}

// printIdleScale prints RSS per idle connection at each measured N, the
// slope between the smallest and largest N, and server RSS projected along
// that slope.
func printIdleScale(w io.Writer, res results, is []string) {
	lo, _ := pointN(is[0], "scale-i")
	hi, _ := pointN(is[len(is)-1], "scale-i")
	fmt.Fprintf(w, "Idle keep-alive connections: RSS B/conn = (after − before) / N at each N (as idle). Slope: "+
		"(server RSS at %s − at %s) / %s, the cost of one more connection. **Projected** columns are not "+
		"measured (the fd limit here is 20,000): server RSS at %s plus the slope times the extra connections.\n\n",
		stats.Group(float64(hi)), stats.Group(float64(lo)), stats.Group(float64(hi-lo)), stats.Group(float64(hi)))
	head, align := []string{"server"}, "|---|"
	for _, t := range is {
		n, _ := pointN(t, "scale-i")
		head = append(head, "RSS B/conn at "+stats.Group(float64(n)))
		align += "---:|"
	}
	head = append(head, "slope B/conn", "server RSS at "+stats.Group(float64(hi))+", MiB")
	align += "---:|---:|"
	for _, p := range projections() {
		head = append(head, "**projected** RSS at "+stats.Group(p)+", MiB")
		align += "---:|"
	}
	fmt.Fprintln(w, "| "+strings.Join(head, " | ")+" |")
	fmt.Fprintln(w, align)
	for _, s := range servers {
		cells, any := []string{s.title}, false
		for _, t := range is {
			r := res.get(t, s.name)
			if r == nil {
				cells = append(cells, "–")
				continue
			}
			any = true
			cells = append(cells, stats.Cell(r.mem["rss"], stats.Group))
		}
		if !any {
			continue
		}
		slope, top, ok := res.idleSlope(s.name, is)
		if !ok {
			cells = append(cells, "–", "–")
			for range projections() {
				cells = append(cells, "–")
			}
		} else {
			cells = append(cells, stats.Group(slope), tenth(top/(1<<20)))
			for _, p := range projections() {
				cells = append(cells, stats.Group((top+slope*(p-float64(hi)))/(1<<20)))
			}
		}
		fmt.Fprintln(w, "| "+strings.Join(cells, " | ")+" |")
	}
	fmt.Fprintln(w)
}

// idleSlope is server's RSS per extra idle connection between the first
// and last of the idle points is, from the medians of its RSS after the
// connections were open, and that median RSS at the last point, in bytes.
func (res results) idleSlope(server string, is []string) (slope, top float64, ok bool) {
	if len(is) < 2 {
		return 0, 0, false
	}
	lo, _ := pointN(is[0], "scale-i")
	hi, _ := pointN(is[len(is)-1], "scale-i")
	a, b := res.get(is[0], server), res.get(is[len(is)-1], server)
	if a == nil || b == nil || len(a.mem["rss_after_mib"]) == 0 || len(b.mem["rss_after_mib"]) == 0 {
		return 0, 0, false
	}
	ra := stats.Median(a.mem["rss_after_mib"]) * (1 << 20)
	rb := stats.Median(b.mem["rss_after_mib"]) * (1 << 20)
	return (rb - ra) / float64(hi-lo), rb, true
}
