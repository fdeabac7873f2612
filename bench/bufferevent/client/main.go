// Command client is the load generator of the bufferevent benchmark (run.sh
// pins it to CPU 0, the server to CPU 1). It prints one line of key=value
// figures on stdout for report to read. Server CPU time is utime+stime of
// -pid from /proc/PID/stat, read just before and just after the measured
// window.
//
//	-mode echo:     -conns connections each ping-pong a -size byte message
//	                (write, read the echo back in full, repeat) for -dur;
//	                requests/s, p50/p99 round trip, server CPU µs/request.
//	-mode stream:   one connection, a writer sending 64 KiB writes and a
//	                reader taking the echo; MB/s echoed over -dur (after a
//	                200 ms warm-up) and server CPU µs per MB.
//	-mode sendfile: connect, read to EOF (must be exactly the size of -file),
//	                repeat until -dur has passed; MB/s and server CPU ms/GiB.
//	-mode idle:     ask the server for its memory figures (SIGUSR1, answer
//	                in -stats), open -conns connections, send -size bytes on
//	                each and read the echo, wait -settle, ask again; print
//	                (after - before) / conns for RSS, live heap and stacks.
package main

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

var (
	addr   = flag.String("addr", "", "server address")
	mode   = flag.String("mode", "echo", "echo, stream, sendfile or idle")
	conns  = flag.Int("conns", 1, "connections (echo, idle)")
	size   = flag.Int("size", 64, "message size in bytes (echo, idle)")
	dur    = flag.Duration("dur", 5*time.Second, "measured duration (echo, stream, sendfile)")
	pid    = flag.Int("pid", 0, "server process id, for its CPU time and memory figures")
	file   = flag.String("file", "", "the file the server sends (sendfile: its size is checked)")
	stats  = flag.String("stats", "", "file the server writes its memory figures to on SIGUSR1 (idle)")
	settle = flag.Duration("settle", time.Second, "wait before the second memory reading (idle)")
)

func main() {
	flag.Parse()
	raiseNoFile()
	if *addr == "" || *pid == 0 {
		fatal(errors.New("-addr and -pid are required"))
	}
	switch *mode {
	case "echo":
		echo()
	case "stream":
		stream()
	case "sendfile":
		sendfile()
	case "idle":
		idle()
	default:
		fatal(fmt.Errorf("unknown -mode %q", *mode))
	}
}

// dial connects, retrying refused connects for up to 5 s while the server
// starts.
func dial() net.Conn {
	deadline := time.Now().Add(5 * time.Second)
	for {
		c, err := net.Dial("tcp4", *addr)
		if err == nil {
			return c
		}
		if time.Now().After(deadline) {
			fatal(err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func echo() {
	cs := make([]net.Conn, *conns)
	msg := bytes.Repeat([]byte{'x'}, *size)
	for i := range cs {
		cs[i] = dial()
		pingPong(cs[i], msg, make([]byte, *size)) // warm-up: the server has the connection set up
	}
	lats := make([][]time.Duration, len(cs))
	start := make(chan struct{})
	var wg sync.WaitGroup
	var end time.Time
	for i, c := range cs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			buf := make([]byte, *size)
			lat := make([]time.Duration, 0, 1024)
			<-start
			for {
				t0 := time.Now()
				if !t0.Before(end) {
					break
				}
				pingPong(c, msg, buf)
				lat = append(lat, time.Since(t0))
			}
			lats[i] = lat
		}()
	}
	cpu0 := cpuTime(*pid)
	t0 := time.Now()
	end = t0.Add(*dur)
	close(start)
	wg.Wait()
	elapsed := time.Since(t0)
	cpu1 := cpuTime(*pid)
	var all []time.Duration
	for _, l := range lats {
		all = append(all, l...)
	}
	slices.Sort(all)
	n := len(all)
	if n == 0 {
		fatal(errors.New("no requests completed"))
	}
	fmt.Printf("mode=echo conns=%d reqs=%d secs=%.3f rps=%.0f p50_us=%.1f p99_us=%.1f cpu_us_per_req=%.3f\n",
		*conns, n, elapsed.Seconds(), float64(n)/elapsed.Seconds(),
		us(all[n/2]), us(all[min(n-1, n*99/100)]), (cpu1-cpu0).Seconds()*1e6/float64(n))
	for _, c := range cs {
		c.Close()
	}
}

func pingPong(c net.Conn, msg, buf []byte) {
	if _, err := c.Write(msg); err != nil {
		fatal(err)
	}
	if _, err := io.ReadFull(c, buf); err != nil {
		fatal(err)
	}
}

func stream() {
	c := dial()
	var got atomic.Int64
	var stop atomic.Bool
	go func() {
		out := bytes.Repeat([]byte{'y'}, 64<<10)
		for !stop.Load() {
			if _, err := c.Write(out); err != nil {
				return
			}
		}
	}()
	go func() {
		buf := make([]byte, 256<<10)
		for {
			n, err := c.Read(buf)
			got.Add(int64(n))
			if err != nil {
				return
			}
		}
	}()
	time.Sleep(200 * time.Millisecond) // warm-up
	b0, cpu0, t0 := got.Load(), cpuTime(*pid), time.Now()
	time.Sleep(*dur)
	b1, cpu1, elapsed := got.Load(), cpuTime(*pid), time.Since(t0)
	stop.Store(true)
	c.Close()
	mb := float64(b1-b0) / 1e6
	if mb <= 0 {
		fatal(errors.New("nothing echoed"))
	}
	fmt.Printf("mode=stream bytes=%d secs=%.3f mbps=%.1f cpu_us_per_mb=%.2f\n",
		b1-b0, elapsed.Seconds(), mb/elapsed.Seconds(), (cpu1-cpu0).Seconds()*1e6/mb)
}

func sendfile() {
	st, err := os.Stat(*file)
	if err != nil {
		fatal(err)
	}
	want := st.Size()
	buf := make([]byte, 1<<20)
	var total int64
	transfers := 0
	cpu0, t0 := cpuTime(*pid), time.Now()
	for transfers == 0 || time.Since(t0) < *dur {
		c := dial()
		var n int64
		for {
			k, err := c.Read(buf)
			n += int64(k)
			if err == io.EOF {
				break
			}
			if err != nil {
				fatal(err)
			}
		}
		c.Close()
		if n != want {
			fatal(fmt.Errorf("transfer %d: got %d bytes, want %d", transfers, n, want))
		}
		total += n
		transfers++
	}
	elapsed, cpu1 := time.Since(t0), cpuTime(*pid)
	fmt.Printf("mode=sendfile bytes=%d transfers=%d secs=%.3f mbps=%.1f cpu_ms_per_gib=%.2f\n",
		total, transfers, elapsed.Seconds(), float64(total)/1e6/elapsed.Seconds(),
		(cpu1-cpu0).Seconds()*1e3/(float64(total)/(1<<30)))
}

func idle() {
	if *stats == "" {
		fatal(errors.New("-mode idle needs -stats"))
	}
	c := dial() // the server is up
	c.Close()
	time.Sleep(100 * time.Millisecond)
	before := memStats()
	cs := make([]net.Conn, *conns)
	msg := bytes.Repeat([]byte{'z'}, *size)
	buf := make([]byte, *size)
	for i := range cs {
		cs[i] = dial()
		pingPong(cs[i], msg, buf)
	}
	time.Sleep(*settle)
	after := memStats()
	n := float64(*conns)
	per := func(k string) float64 { return float64(after[k]-before[k]) / n }
	fmt.Printf("mode=idle conns=%d rss_before=%d rss_after=%d rss_per_conn=%.0f heap_per_conn=%.0f heap_inuse_per_conn=%.0f stack_per_conn=%.0f goroutines=%d\n",
		*conns, before["rss"], after["rss"], per("rss"), per("heap_alloc"), per("heap_inuse"), per("stack_inuse"), after["goroutines"])
	for _, c := range cs {
		c.Close()
	}
}

// memStats signals the server and reads the figures it writes to -stats.
func memStats() map[string]int64 {
	os.Remove(*stats)
	if err := syscall.Kill(*pid, syscall.SIGUSR1); err != nil {
		fatal(err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		b, err := os.ReadFile(*stats)
		if err == nil {
			m := map[string]int64{}
			for _, kv := range strings.Fields(string(b)) {
				k, v, _ := strings.Cut(kv, "=")
				m[k], _ = strconv.ParseInt(v, 10, 64)
			}
			return m
		}
		if time.Now().After(deadline) {
			fatal(fmt.Errorf("no memory figures in %s after SIGUSR1", *stats))
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// cpuTime is utime+stime of process pid, from /proc/PID/stat.
func cpuTime(pid int) time.Duration {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		fatal(err)
	}
	// Fields after the command name (which may hold spaces) in parentheses.
	f := strings.Fields(string(b[bytes.LastIndexByte(b, ')')+1:]))
	// f[0] is field 3 (state); utime and stime are fields 14 and 15.
	ut, _ := strconv.ParseInt(f[11], 10, 64)
	st, _ := strconv.ParseInt(f[12], 10, 64)
	const hz = 100 // USER_HZ: sysconf(_SC_CLK_TCK) is 100 on Linux
	return time.Duration(ut+st) * time.Second / hz
}

func raiseNoFile() {
	var r syscall.Rlimit
	if syscall.Getrlimit(syscall.RLIMIT_NOFILE, &r) == nil {
		r.Cur = r.Max
		_ = syscall.Setrlimit(syscall.RLIMIT_NOFILE, &r)
	}
}

func us(d time.Duration) float64 { return float64(d) / 1e3 }

func fatal(err error) {
	fmt.Fprintln(os.Stderr, "client:", err)
	os.Exit(1)
}
