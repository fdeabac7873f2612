package bufferevent

import (
	"os"
	"runtime"
	"runtime/pprof"
	"testing"

	"github.com/goevent/goevent/core"
	"golang.org/x/sys/unix"
)

// TestIdleMemory measures the live heap of an idle socket BufferEvent that
// has echoed one 64-byte message, as bench/bufferevent's idle test does:
// N BufferEvents on socketpairs, runtime.GC, HeapAlloc delta / N. Set
// IDLE_HEAP_PROFILE=file to write an exact heap profile.
//
// The bound is what the parts cost, measured at 704 B (838 B before the
// output hook and the slimmer BufferEvent, 1,223 B before the first
// slimming): 576 B for the socket BufferEvent (one allocation: 568 B and
// the malloc header of objects above 512 B; one more field pushes it into
// the 640 B class), 32 B for two method values (the read event's and the
// Deferred's; Output's change hook, evbuffer.SetNotify, is a plain
// function and allocates nothing), 80 B for the segment slice that an
// evbuffer keeps once emptied (evbuffer's resetSegs), and the rest is
// core's per-fd event list. Timeouts are kept in the BufferEvent as
// milliseconds (two uint32s, paid for by moving the rare deferred error
// into the extra state), so a connection with timeouts, as every evhttp
// connection has, allocates no extra state for them.
func TestIdleMemory(t *testing.T) {
	if raceEnabled {
		t.Skip("the race detector changes allocation sizes")
	}
	const n = 2000 // 2 fds each; the fd limit is 20000
	if os.Getenv("IDLE_HEAP_PROFILE") != "" {
		runtime.MemProfileRate = 1
	}
	base := newBase(t)
	fds := make([][2]int, n)
	bevs := make([]*BufferEvent, n)
	echo := func(bev *BufferEvent) { _ = bev.Output().AddBuffer(bev.Input()) }
	msg := make([]byte, 64)
	buf := make([]byte, 128)
	// Grow the Base's per-fd tables first, so they do not count.
	for i := range fds {
		p, err := unix.Socketpair(unix.AF_UNIX, unix.SOCK_STREAM, 0)
		if err != nil {
			t.Fatal(err)
		}
		unix.SetNonblock(p[0], true)
		unix.SetNonblock(p[1], true)
		fds[i] = [2]int{p[0], p[1]}
		t.Cleanup(func() { unix.Close(p[1]) })
	}
	warm, err := NewSocket(base, fds[n-1][0], 0)
	if err != nil {
		t.Fatal(err)
	}
	warm.Enable(Read)
	warm.Free()
	var before, after runtime.MemStats
	gc := func() { // twice: sync.Pool keeps a victim cache for one GC
		runtime.GC()
		runtime.GC()
	}
	gc()
	runtime.ReadMemStats(&before)
	for i := range bevs {
		bev, err := NewSocket(base, fds[i][0], CloseOnFree)
		if err != nil {
			t.Fatal(err)
		}
		bev.SetCallbacks(echo, nil, nil)
		bev.Enable(Read)
		bevs[i] = bev
		if _, err := unix.Write(fds[i][1], msg); err != nil {
			t.Fatal(err)
		}
	}
	for got := 0; got < n; {
		if err := base.Loop(core.LoopNonblock); err != nil {
			t.Fatal(err)
		}
		got = 0
		for i := range bevs {
			unix.Read(fds[i][1], buf)
			if bevs[i].Output().Len() == 0 && bevs[i].Input().Len() == 0 {
				got++
			}
		}
	}
	gc()
	runtime.ReadMemStats(&after)
	if p := os.Getenv("IDLE_HEAP_PROFILE"); p != "" {
		f, _ := os.Create(p)
		pprof.Lookup("heap").WriteTo(f, 0)
		f.Close()
	}
	per := (int64(after.HeapAlloc) - int64(before.HeapAlloc)) / n
	t.Logf("live heap per idle socket BufferEvent: %d B", per)
	runtime.KeepAlive(bevs)
	for _, bev := range bevs {
		bev.Free()
	}
	if per >= 768 {
		t.Errorf("idle socket BufferEvent holds %d B of live heap, want < 768", per)
	}
}
