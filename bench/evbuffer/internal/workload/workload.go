// Package workload holds what the Go programs of the evbuffer benchmark
// share with each other and with ../libevent/bench.c: the workload names
// and sizes, the generated data (the same bytes as the C program's), the
// flags, the reader of the writev workload and the output format.
package workload

import (
	"flag"
	"fmt"
	"os"
	"os/exec"
	"time"

	"golang.org/x/sys/unix"
)

// Sizes; keep in step with the #defines of ../libevent/bench.c.
const (
	SmallSize  = 64 // small: add 64 B, drain SmallSize*SmallBatch every SmallBatch adds
	SmallOps   = 1 << 20
	SmallBatch = 16

	LargeSize  = 64 << 10 // large: add 64 KiB, drain every LargeBatch adds
	LargeOps   = 4096
	LargeBatch = 4

	MoveChunk  = 16 << 10 // move: RemoveBuffer of one 16 KiB chain, AddBuffer back
	MoveChains = 64
	MoveOps    = 1 << 16

	ReadlnLines = 1 << 20 // readln: CRLF lines of LinePayload letters
	LinePayload = 38
	FillChunk   = 4096 // readln and search fill their buffers in adds of this size

	SearchSize = 16 << 20 // search: "\r\n\r\n" at the very end of 16 MiB of CRLF lines
	SearchOps  = 4

	WritevSize  = 1 << 20 // writev: drain 1 MiB of 4 KiB adds into a socketpair
	WritevChunk = 4096
	WritevOps   = 64
)

// Needle is what the search workload looks for.
var Needle = []byte("\r\n\r\n")

// Names lists the workloads.
var Names = []string{"small", "large", "move", "readln", "search", "writev"}

// Config is the command line.
type Config struct {
	Workload string
	Rounds   int
}

// Parse reads -w and -r (after the caller has defined its own flags).
func Parse() Config {
	var c Config
	flag.StringVar(&c.Workload, "w", "", "workload: small, large, move, readln, search or writev")
	flag.IntVar(&c.Rounds, "r", 7, "rounds")
	flag.Parse()
	ok := false
	for _, n := range Names {
		ok = ok || n == c.Workload
	}
	if !ok || c.Rounds < 1 {
		fmt.Fprintln(os.Stderr, "usage: -w small|large|move|readln|search|writev [-r rounds]")
		os.Exit(2)
	}
	return c
}

// rng is xorshift32 from the same seed as bench.c's.
type rng uint32

func (r *rng) letter() byte {
	x := uint32(*r)
	x ^= x << 13
	x ^= x >> 17
	x ^= x << 5
	*r = rng(x)
	return 'a' + byte(x%26)
}

const seed = 2463534242

// Lines is the readln data: ReadlnLines lines of LinePayload letters and
// CRLF.
func Lines() []byte {
	r := rng(seed)
	p := make([]byte, 0, ReadlnLines*(LinePayload+2))
	for range ReadlnLines {
		for range LinePayload {
			p = append(p, r.letter())
		}
		p = append(p, '\r', '\n')
	}
	return p
}

// SearchData is SearchSize bytes of CRLF lines whose only "\r\n\r\n" is
// the last four bytes.
func SearchData() []byte {
	r := rng(seed)
	p := make([]byte, 0, SearchSize)
	for SearchSize-len(p) > 80 {
		for range LinePayload {
			p = append(p, r.letter())
		}
		p = append(p, '\r', '\n')
	}
	for SearchSize-len(p) > 4 {
		p = append(p, r.letter())
	}
	return append(p, Needle...)
}

// Chunks calls add with p in FillChunk pieces.
func Chunks(p []byte, add func([]byte)) {
	for len(p) > 0 {
		k := min(len(p), FillChunk)
		add(p[:k])
		p = p[k:]
	}
}

// Print writes one round's result, nanoseconds per operation, as bench.c
// does.
func Print(nsPerOp float64) { fmt.Printf("%.2f\n", nsPerOp) }

// PerOp is d over ops, in nanoseconds.
func PerOp(d time.Duration, ops int) float64 { return float64(d.Nanoseconds()) / float64(ops) }

// Fatal reports err and exits 1.
func Fatal(err error) {
	fmt.Fprintln(os.Stderr, os.Args[0]+":", err)
	os.Exit(1)
}

// Check exits 1 with msg unless ok: every program verifies its result.
func Check(ok bool, msg string, args ...any) {
	if !ok {
		Fatal(fmt.Errorf(msg, args...))
	}
}

// Sink is the writev workload's socketpair: FD is the non-blocking writing
// end; cat(1) reads the other end and writes to /dev/null, the same reader
// process bench.c starts, so only the writing side differs.
type Sink struct {
	FD  int
	cmd *exec.Cmd
}

// NewSink makes the socketpair and starts the reader.
func NewSink() (*Sink, error) {
	p, err := unix.Socketpair(unix.AF_UNIX, unix.SOCK_STREAM, 0)
	if err != nil {
		return nil, err
	}
	unix.CloseOnExec(p[0])
	unix.CloseOnExec(p[1]) // os/exec dups it onto cat's stdin
	if err := unix.SetNonblock(p[0], true); err != nil {
		return nil, err
	}
	peer := os.NewFile(uintptr(p[1]), "socketpair")
	cmd := exec.Command("cat")
	cmd.Stdin = peer // an *os.File: cat gets the fd itself, no copying goroutine
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	peer.Close()
	return &Sink{FD: p[0], cmd: cmd}, nil
}

// WaitWritable blocks in poll(2) until FD is writable.
func (s *Sink) WaitWritable() {
	pfd := []unix.PollFd{{Fd: int32(s.FD), Events: unix.POLLOUT}}
	for {
		if _, err := unix.Poll(pfd, -1); err != unix.EINTR {
			return
		}
	}
}

// Close closes the writing end and waits for the reader.
func (s *Sink) Close() error {
	unix.Close(s.FD)
	return s.cmd.Wait()
}
