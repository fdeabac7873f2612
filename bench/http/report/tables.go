package main

import (
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/goevent/goevent/bench/internal/stats"
)

func printMain(w io.Writer, res results, depth int) {
	fmt.Fprintln(w, "### Throughput and server CPU per request")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "wrk is the limit for the fastest servers, so req/s alone cannot rank them; server CPU µs per request can. "+
		"goevent ÷ this: ratio of medians, below 1 means goevent spends less.")
	fmt.Fprintln(w)
	fmt.Fprintf(w, "| server | plain req/s | CPU µs/req | goevent ÷ this | pipelined ×%d req/s | CPU µs/req | goevent ÷ this | idle B/conn (RSS) | goevent ÷ this | rounds |\n", depth)
	fmt.Fprintln(w, "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
	for _, s := range servers {
		plain, pipe, idle := res.get("plain", s.name), res.get("pipeline", s.name), res.get("idle", s.name)
		if plain == nil && pipe == nil && idle == nil {
			continue
		}
		cells := []string{s.title}
		for _, t := range []struct {
			r    *runs
			test string
		}{{plain, "plain"}, {pipe, "pipeline"}} {
			if t.r == nil {
				cells = append(cells, "–", "–", "–")
				continue
			}
			cells = append(cells,
				stats.Cell(t.r.rps, stats.Group),
				stats.Cell(t.r.cpuPerReq, micro),
				res.ratio(t.test, s.name, func(r *runs) []float64 { return r.cpuPerReq }))
		}
		if idle == nil {
			cells = append(cells, "–", "–")
		} else {
			cells = append(cells, stats.Cell(idle.mem["rss"], stats.Group),
				res.ratio("idle", s.name, func(r *runs) []float64 { return r.mem["rss"] }))
		}
		cells = append(cells, roundsOf(plain, pipe, idle))
		fmt.Fprintln(w, "| "+strings.Join(cells, " | ")+" |")
	}
	fmt.Fprintln(w)
}

func printLatency(w io.Writer, res results, depth int) {
	if res["plain"] == nil && res["pipeline"] == nil {
		return
	}
	fmt.Fprintln(w, "### Latency (wrk --latency, µs)")
	fmt.Fprintln(w)
	fmt.Fprintf(w, "| server | plain p50 | plain p99 | pipelined ×%d p50 | pipelined ×%d p99 |\n", depth, depth)
	fmt.Fprintln(w, "|---|---:|---:|---:|---:|")
	for _, s := range servers {
		plain, pipe := res.get("plain", s.name), res.get("pipeline", s.name)
		if plain == nil && pipe == nil {
			continue
		}
		cells := []string{s.title}
		for _, r := range []*runs{plain, pipe} {
			if r == nil {
				cells = append(cells, "–", "–")
				continue
			}
			cells = append(cells, stats.Cell(r.p50, stats.Group), stats.Cell(r.p99, stats.Group))
		}
		fmt.Fprintln(w, "| "+strings.Join(cells, " | ")+" |")
	}
	fmt.Fprintln(w)
}

func printIdle(w io.Writer, res results) {
	if res["idle"] == nil {
		return
	}
	fmt.Fprintln(w, "### Memory per idle keep-alive connection")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "(after − before) / N with N connections open, one request answered on each. RSS is VmRSS "+
		"(nginx: its worker); for the Go servers both readings come after runtime.GC and debug.FreeOSMemory, "+
		"with the Go heap beside it: heap in use is MemStats.HeapInuse (spans), live heap HeapAlloc, stacks "+
		"StackInuse (not in the heap figures). Target for goevent: under 1 KiB.")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "| server | RSS B/conn | goevent ÷ this | heap in use B/conn | live heap B/conn | stacks B/conn | server RSS after, MiB | rounds |")
	fmt.Fprintln(w, "|---|---:|---:|---:|---:|---:|---:|---:|")
	for _, s := range servers {
		r := res.get("idle", s.name)
		if r == nil {
			continue
		}
		fmt.Fprintln(w, "| "+strings.Join([]string{
			s.title,
			stats.Cell(r.mem["rss"], stats.Group),
			res.ratio("idle", s.name, func(r *runs) []float64 { return r.mem["rss"] }),
			stats.Cell(r.mem["heap_inuse"], stats.Group),
			stats.Cell(r.mem["heap_alloc"], stats.Group),
			stats.Cell(r.mem["stack_inuse"], stats.Group),
			stats.Cell(r.mem["rss_after_mib"], tenth),
			strconv.Itoa(len(r.mem["rss"])),
		}, " | ")+" |")
	}
	fmt.Fprintln(w)
}

// printErrors lists every server and test where wrk saw socket errors or
// replies other than 2xx/3xx; such a row's figures are suspect.
func printErrors(w io.Writer, res results) {
	var lines []string
	for _, test := range res.wrkTests() {
		for _, s := range servers {
			r := res.get(test, s.name)
			if r != nil && (r.socketErrors > 0 || r.non2xx > 0) {
				lines = append(lines, fmt.Sprintf("- %s, %s: wrk counted %s socket errors and %s non-2xx/3xx replies over all rounds.",
					s.title, test, stats.Group(r.socketErrors), stats.Group(r.non2xx)))
			}
			if r != nil && r.idleRuns > 0 {
				lines = append(lines, fmt.Sprintf("- %s, %s: %d of %d wrk runs counted no request at all.",
					s.title, test, r.idleRuns, len(r.rps)))
			}
		}
	}
	if len(lines) == 0 {
		fmt.Fprintln(w, "wrk counted no socket errors, no non-2xx/3xx replies and no run without requests.")
		return
	}
	fmt.Fprintln(w, strings.Join(lines, "\n"))
}

// wrkTests are the tests of res that ran wrk, plain and pipeline first,
// then the scaling points in order.
func (res results) wrkTests() []string {
	tests := []string{"plain", "pipeline"}
	tests = append(tests, res.scalePoints("scale-c")...)
	return append(tests, res.scalePoints("scale-l")...)
}

func (res results) get(test, server string) *runs {
	return res[test][server]
}

// ratio is goevent's median over server's for the figure fig, empty on
// goevent's own row.
func (res results) ratio(test, server string, fig func(*runs) []float64) string {
	if server == ours {
		return ""
	}
	o, p := res.get(test, ours), res.get(test, server)
	if o == nil || p == nil {
		return "–"
	}
	return stats.Ratio(stats.Median(fig(o)), stats.Median(fig(p)))
}

// roundsOf is the number of rounds of each test present, "plain/pipeline/idle".
func roundsOf(plain, pipe, idle *runs) string {
	n := func(r *runs, f func(*runs) []float64) string {
		if r == nil {
			return "0"
		}
		return strconv.Itoa(len(f(r)))
	}
	return n(plain, func(r *runs) []float64 { return r.rps }) + "/" +
		n(pipe, func(r *runs) []float64 { return r.rps }) + "/" +
		n(idle, func(r *runs) []float64 { return r.mem["rss"] })
}

// micro formats CPU microseconds: two decimals below 10, one above.
func micro(x float64) string {
	if x < 10 {
		return strconv.FormatFloat(x, 'f', 2, 64)
	}
	return strconv.FormatFloat(x, 'f', 1, 64)
}

func tenth(x float64) string { return strconv.FormatFloat(x, 'f', 1, 64) }
