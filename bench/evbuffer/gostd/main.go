// Command gostd runs the evbuffer benchmark's workloads on the standard
// library's buffers, for orientation beside libevent and goevent:
// -impl bytes uses bytes.Buffer for all six, -impl bufio uses bufio.Writer
// and bufio.Reader for the three where they fit (small, large, readln).
// README.md beside this directory says how each maps.
package main

import (
	"bufio"
	"bytes"
	"flag"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/goevent/goevent/bench/evbuffer/internal/workload"
	"golang.org/x/sys/unix"
)

func main() {
	impl := flag.String("impl", "bytes", "bytes or bufio")
	cfg := workload.Parse()
	var run func() float64
	var closeSink func()
	switch *impl + "/" + cfg.Workload {
	case "bytes/small":
		run = bytesAddDrain(workload.SmallSize, workload.SmallOps, workload.SmallBatch)
	case "bytes/large":
		run = bytesAddDrain(workload.LargeSize, workload.LargeOps, workload.LargeBatch)
	case "bytes/move":
		run = bytesMove()
	case "bytes/readln":
		run = bytesReadln()
	case "bytes/search":
		run = bytesSearch()
	case "bytes/writev":
		run, closeSink = bytesWrite()
	case "bufio/small":
		run = bufioAddFlush(workload.SmallSize, workload.SmallOps, workload.SmallBatch)
	case "bufio/large":
		run = bufioAddFlush(workload.LargeSize, workload.LargeOps, workload.LargeBatch)
	case "bufio/readln":
		run = bufioReadln()
	default:
		fmt.Fprintf(os.Stderr, "gostd: no %s variant of %s\n", *impl, cfg.Workload)
		os.Exit(3) // run.sh: not applicable, no column entry
	}
	fmt.Fprintf(os.Stderr, "Go %s\n", *impl)
	for range cfg.Rounds {
		workload.Print(run())
	}
	if closeSink != nil {
		closeSink()
	}
}

// bytesAddDrain: Write size bytes, Next(size*batch) every batch writes.
func bytesAddDrain(size, ops, batch int) func() float64 {
	var b bytes.Buffer
	p := make([]byte, size)
	return func() float64 {
		start := time.Now()
		for i := range ops {
			b.Write(p)
			if (i+1)%batch == 0 {
				b.Next(size * batch)
			}
		}
		d := time.Since(start)
		workload.Check(b.Len() == 0, "buffer not empty")
		return workload.PerOp(d, ops)
	}
}

// bytesMove: bytes.Buffer cannot move storage, so the closest is copying
// 16 KiB out through a second buffer and back in.
func bytesMove() func() float64 {
	var a, tmp bytes.Buffer
	a.Write(make([]byte, workload.MoveChunk*workload.MoveChains))
	return func() float64 {
		start := time.Now()
		for range workload.MoveOps {
			tmp.Write(a.Next(workload.MoveChunk))
			a.Write(tmp.Next(workload.MoveChunk))
		}
		d := time.Since(start)
		workload.Check(a.Len() == workload.MoveChunk*workload.MoveChains, "move: wrong length")
		return workload.PerOp(d, workload.MoveOps)
	}
}

// bytesReadln: IndexByte on Bytes, then Next: no copy, no allocation.
func bytesReadln() func() float64 {
	data := workload.Lines()
	var b bytes.Buffer
	return func() float64 {
		workload.Chunks(data, func(p []byte) { b.Write(p) }) // not timed
		lines, total := 0, 0
		start := time.Now()
		for {
			s := b.Bytes()
			i := bytes.IndexByte(s, '\n')
			if i < 0 {
				break
			}
			line := s[:i]
			if i > 0 && line[i-1] == '\r' {
				line = line[:i-1]
			}
			lines++
			total += len(line)
			b.Next(i + 1)
		}
		d := time.Since(start)
		workload.Check(lines == workload.ReadlnLines && total == lines*workload.LinePayload,
			"readln: %d lines, %d bytes", lines, total)
		return workload.PerOp(d, workload.ReadlnLines)
	}
}

func bytesSearch() func() float64 {
	var b bytes.Buffer
	workload.Chunks(workload.SearchData(), func(p []byte) { b.Write(p) })
	return func() float64 {
		start := time.Now()
		for range workload.SearchOps {
			i := bytes.Index(b.Bytes(), workload.Needle)
			workload.Check(i == workload.SearchSize-4, "search: found at %d", i)
		}
		return workload.PerOp(time.Since(start), workload.SearchOps)
	}
}

// bytesWrite: one contiguous buffer, so write(2) (x/sys/unix, the ordinary
// syscall path) instead of writev.
func bytesWrite() (func() float64, func()) {
	sink, err := workload.NewSink()
	if err != nil {
		workload.Fatal(err)
	}
	var b bytes.Buffer
	chunk := make([]byte, workload.WritevChunk)
	return func() float64 {
			var d time.Duration
			for range workload.WritevOps {
				for range workload.WritevSize / workload.WritevChunk { // not timed
					b.Write(chunk)
				}
				start := time.Now()
				for b.Len() > 0 {
					n, err := unix.Write(sink.FD, b.Bytes())
					if n > 0 {
						b.Next(n)
					}
					if err == unix.EAGAIN {
						sink.WaitWritable()
					} else if err != nil && err != unix.EINTR {
						workload.Fatal(err)
					}
				}
				d += time.Since(start)
			}
			return workload.PerOp(d, workload.WritevOps)
		}, func() {
			if err := sink.Close(); err != nil {
				workload.Fatal(err)
			}
		}
}

// bufioAddFlush: a bufio.Writer over io.Discard sized to hold one batch;
// Flush stands for the drain.
func bufioAddFlush(size, ops, batch int) func() float64 {
	w := bufio.NewWriterSize(io.Discard, size*batch)
	p := make([]byte, size)
	return func() float64 {
		start := time.Now()
		for i := range ops {
			w.Write(p)
			if (i+1)%batch == 0 {
				w.Flush()
			}
		}
		d := time.Since(start)
		workload.Check(w.Buffered() == 0, "bufio: not flushed")
		return workload.PerOp(d, ops)
	}
}

// bufioReadln: ReadSlice over a bytes.Reader of the data. Unlike the
// others, the copy of the data into the reader's 4 KiB buffer is timed (it
// stands for the untimed fill of the others).
func bufioReadln() func() float64 {
	data := workload.Lines()
	src := bytes.NewReader(data)
	r := bufio.NewReader(src)
	return func() float64 {
		src.Reset(data)
		r.Reset(src)
		lines, total := 0, 0
		start := time.Now()
		for {
			line, err := r.ReadSlice('\n')
			if err != nil {
				break
			}
			line = line[:len(line)-1]
			if n := len(line); n > 0 && line[n-1] == '\r' {
				line = line[:n-1]
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
