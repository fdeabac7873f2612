// Command goevent runs the evbuffer benchmark's workloads on goevent's
// evbuffer package, the same operations ../libevent/bench.c makes on
// libevent's evbuffer (README.md beside this directory).
package main

import (
	"fmt"
	"os"
	"time"

	"github.com/goevent/goevent/bench/evbuffer/internal/workload"
	"github.com/goevent/goevent/evbuffer"
	"golang.org/x/sys/unix"
)

func main() {
	cfg := workload.Parse()
	fmt.Fprintln(os.Stderr, "goevent evbuffer")
	var run func() float64
	switch cfg.Workload {
	case "small":
		run = small()
	case "large":
		run = large()
	case "move":
		run = move()
	case "readln":
		run = readln()
	case "search":
		run = search()
	case "writev":
		var closeSink func()
		run, closeSink = writev()
		defer closeSink()
	}
	for range cfg.Rounds {
		workload.Print(run())
	}
}

func must(err error) {
	if err != nil {
		workload.Fatal(err)
	}
}

func small() func() float64 {
	b := evbuffer.New()
	p := make([]byte, workload.SmallSize)
	return func() float64 {
		start := time.Now()
		for i := range workload.SmallOps {
			b.Add(p)
			if (i+1)%workload.SmallBatch == 0 {
				b.Drain(workload.SmallSize * workload.SmallBatch)
			}
		}
		d := time.Since(start)
		workload.Check(b.Len() == 0, "small: buffer not empty")
		return workload.PerOp(d, workload.SmallOps)
	}
}

func large() func() float64 {
	b := evbuffer.New()
	p := make([]byte, workload.LargeSize)
	return func() float64 {
		start := time.Now()
		for i := range workload.LargeOps {
			b.Add(p)
			if (i+1)%workload.LargeBatch == 0 {
				b.Drain(workload.LargeSize * workload.LargeBatch)
			}
		}
		d := time.Since(start)
		workload.Check(b.Len() == 0, "large: buffer not empty")
		return workload.PerOp(d, workload.LargeOps)
	}
}

func move() func() float64 {
	a, tmp := evbuffer.New(), evbuffer.New()
	chunk := make([]byte, workload.MoveChunk)
	for range workload.MoveChains { // one segment each
		must(tmp.Add(chunk))
		must(a.AddBuffer(tmp))
	}
	return func() float64 {
		start := time.Now()
		for range workload.MoveOps {
			if n, err := a.RemoveBuffer(tmp, workload.MoveChunk); n != workload.MoveChunk || err != nil {
				workload.Fatal(fmt.Errorf("RemoveBuffer: %d, %v", n, err))
			}
			a.AddBuffer(tmp)
		}
		d := time.Since(start)
		workload.Check(a.Len() == workload.MoveChunk*workload.MoveChains, "move: wrong length")
		return workload.PerOp(d, workload.MoveOps)
	}
}

func readln() func() float64 {
	data := workload.Lines()
	b := evbuffer.New()
	return func() float64 {
		workload.Chunks(data, func(p []byte) { b.Add(p) }) // not timed
		lines, total := 0, 0
		start := time.Now()
		for {
			line, ok := b.ReadLine(evbuffer.EOLCRLF)
			if !ok {
				break
			}
			lines++
			total += len(line)
		}
		d := time.Since(start)
		workload.Check(lines == workload.ReadlnLines && total == lines*workload.LinePayload,
			"readln: %d lines, %d bytes", lines, total)
		return workload.PerOp(d, workload.ReadlnLines)
	}
}

func search() func() float64 {
	b := evbuffer.New()
	workload.Chunks(workload.SearchData(), func(p []byte) { b.Add(p) })
	return func() float64 {
		start := time.Now()
		for range workload.SearchOps {
			p := b.Search(workload.Needle, nil)
			workload.Check(p.Pos == workload.SearchSize-4, "search: found at %d", p.Pos)
		}
		return workload.PerOp(time.Since(start), workload.SearchOps)
	}
}

func writev() (func() float64, func()) {
	sink, err := workload.NewSink()
	must(err)
	b := evbuffer.New()
	chunk := make([]byte, workload.WritevChunk)
	return func() float64 {
			var d time.Duration
			for range workload.WritevOps {
				for range workload.WritevSize / workload.WritevChunk { // not timed
					b.Add(chunk)
				}
				start := time.Now()
				for b.Len() > 0 {
					if _, err := b.WriteToFD(sink.FD, -1); err != nil {
						if err != unix.EAGAIN {
							workload.Fatal(err)
						}
						sink.WaitWritable()
					}
				}
				d += time.Since(start)
			}
			return workload.PerOp(d, workload.WritevOps)
		}, func() {
			must(sink.Close())
		}
}
