package filters_test

import (
	"crypto/rand"
	"crypto/sha256"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/goevent/goevent/bufferevent"
	"github.com/goevent/goevent/core"
	"github.com/goevent/goevent/filters"
)

// A filter chain compress -> socket -> decompress carries 100 MB of random
// data byte-exact (8 MB under -short or -race), with watermarks bounding
// what each side buffers, for every format.
func TestChainOverSocket(t *testing.T) {
	total := 100 << 20
	if testing.Short() || raceEnabled {
		total = 8 << 20
	}
	formats := []struct {
		name string
		comp func() (bufferevent.FilterFunc, error)
		dec  func() bufferevent.FilterFunc
	}{
		{"gzip", func() (bufferevent.FilterFunc, error) { return filters.GzipCompress(1) },
			func() bufferevent.FilterFunc { return filters.GzipDecompress() }},
		{"zlib", func() (bufferevent.FilterFunc, error) { return filters.ZlibCompress(1) },
			func() bufferevent.FilterFunc { return filters.ZlibDecompress() }},
		{"zstd", func() (bufferevent.FilterFunc, error) { return filters.ZstdCompress(1) },
			func() bufferevent.FilterFunc { return filters.ZstdDecompress() }},
	}
	for _, f := range formats {
		t.Run(f.name, func(t *testing.T) {
			if f.name != "gzip" && (testing.Short() || raceEnabled) {
				t.Skip("one format is enough under -short and -race")
			}
			runChain(t, total, f.comp, f.dec)
		})
	}
}

func runChain(t *testing.T, total int, comp func() (bufferevent.FilterFunc, error), dec func() bufferevent.FilterFunc) {
	base, err := core.NewBase()
	if err != nil {
		t.Fatal(err)
	}
	defer base.Close()
	fds, err := unix.Socketpair(unix.AF_UNIX, unix.SOCK_STREAM, 0)
	if err != nil {
		t.Fatal(err)
	}
	for _, fd := range fds {
		unix.SetNonblock(fd, true)
	}
	sa, err := bufferevent.NewSocket(base, fds[0], bufferevent.CloseOnFree)
	if err != nil {
		t.Fatal(err)
	}
	sb, err := bufferevent.NewSocket(base, fds[1], bufferevent.CloseOnFree)
	if err != nil {
		t.Fatal(err)
	}
	cf, err := comp()
	if err != nil {
		t.Fatal(err)
	}
	w, err := bufferevent.NewFilter(sa, nil, cf, bufferevent.CloseOnFree)
	if err != nil {
		t.Fatal(err)
	}
	r, err := bufferevent.NewFilter(sb, dec(), nil, bufferevent.CloseOnFree)
	if err != nil {
		t.Fatal(err)
	}

	// Random data, in 64 KiB pieces, hashed on both sides.
	chunk := make([]byte, 64<<10)
	sent, got := 0, 0
	hw, hr := sha256.New(), sha256.New()
	var failed error
	fill := func() {
		for sent < total && w.Output().Len() < 256<<10 {
			n := min(len(chunk), total-sent)
			rand.Read(chunk[:n])
			hw.Write(chunk[:n])
			w.Output().Add(chunk[:n])
			sent += n
		}
		if sent == total {
			w.Flush(bufferevent.Write, bufferevent.Finished)
		}
	}
	w.SetCallbacks(nil, func(*bufferevent.BufferEvent) { fill() }, func(_ *bufferevent.BufferEvent, what bufferevent.What, err error) {
		failed = err
		base.LoopBreak()
	})
	w.SetWatermark(bufferevent.Write, 64<<10, 0)
	buf := make([]byte, 64<<10)
	r.SetCallbacks(func(bev *bufferevent.BufferEvent) {
		for bev.Input().Len() > 0 {
			n, _ := bev.Input().Remove(buf)
			hr.Write(buf[:n])
			got += n
		}
		if got == total {
			base.LoopBreak()
		}
	}, nil, func(_ *bufferevent.BufferEvent, what bufferevent.What, err error) {
		if what&bufferevent.EOF == 0 || got != total {
			failed = err
			if failed == nil {
				t.Errorf("reader event %v after %d of %d bytes", what, got, total)
			}
		}
		base.LoopBreak()
	})
	r.SetWatermark(bufferevent.Read, 0, 256<<10) // decoded data waits in the kernel, not in memory
	w.Enable(bufferevent.Write)
	r.Enable(bufferevent.Read)
	fill()

	done := make(chan struct{})
	watchdog := time.AfterFunc(2*time.Minute, func() { base.LoopBreak(); close(done) })
	defer watchdog.Stop()
	if err := base.Loop(core.LoopNoExitOnEmpty); err != nil {
		t.Fatal(err)
	}
	select {
	case <-done:
		t.Fatalf("timed out after %d of %d bytes", got, total)
	default:
	}
	if failed != nil {
		t.Fatalf("chain failed after %d of %d bytes: %v", got, total, failed)
	}
	if got != total {
		t.Fatalf("got %d of %d bytes", got, total)
	}
	if string(hw.Sum(nil)) != string(hr.Sum(nil)) {
		t.Fatal("data differs after compress -> socket -> decompress")
	}
	r.Free()
	w.Free()
}
