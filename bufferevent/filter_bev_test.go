package bufferevent

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"github.com/goevent/goevent/core"
	"github.com/goevent/goevent/evbuffer"
	"github.com/goevent/goevent/internal/looptest"
)

// mapFilter applies fn to each byte, moving at most limit bytes.
func mapFilter(fn func(byte) byte) FilterFunc {
	return func(src, dst *evbuffer.Buffer, limit int, mode FlushMode) (FilterResult, error) {
		n := src.Len()
		if limit >= 0 {
			n = min(n, limit)
		}
		if n == 0 {
			return FilterNeedMore, nil
		}
		p := make([]byte, n)
		src.Remove(p)
		for i := range p {
			p[i] = fn(p[i])
		}
		dst.Add(p)
		return FilterOK, nil
	}
}

func upper(c byte) byte {
	if 'a' <= c && c <= 'z' {
		return c - 32
	}
	return c
}

func rot13(c byte) byte {
	switch {
	case 'a' <= c && c <= 'z':
		return 'a' + (c-'a'+13)%26
	case 'A' <= c && c <= 'Z':
		return 'A' + (c-'A'+13)%26
	}
	return c
}

// lineFramer emits whole lines as "[line]"; a partial line needs more.
func lineFramer(src, dst *evbuffer.Buffer, limit int, mode FlushMode) (FilterResult, error) {
	ok := false
	for {
		line, found := src.ReadLine(evbuffer.EOLLF)
		if !found {
			break
		}
		if bytes.Contains(line, []byte("BAD")) {
			return FilterError, errors.New("bad line")
		}
		dst.AddString("[" + string(line) + "]")
		ok = true
	}
	if !ok {
		return FilterNeedMore, nil
	}
	return FilterOK, nil
}

func TestFilterSocket(t *testing.T) {
	forEachBackend(t, func(t *testing.T, base *core.Base) {
		fds := socketpair(t)
		under := mustSocket(t, base, fds[0], CloseOnFree)
		fds[0] = -1
		bev, err := NewFilter(under, mapFilter(rot13), mapFilter(upper), CloseOnFree)
		if err != nil {
			t.Fatal(err)
		}
		if bev.underlying() != under || bev.FD() != under.FD() {
			t.Fatal("underlying")
		}
		var got string
		bev.SetCallbacks(func(bev *BufferEvent) {
			got += takeAll(bev.Input())
			if got == "uryyb" {
				bev.Output().AddString("shout")
			}
		}, func(bev *BufferEvent) {
			base.LoopBreak()
		}, nil)
		bev.Enable(Read)
		looptest.WriteString(t, fds[1], "hello")
		run(t, base)
		looptest.WaitFor(t, "peer data", func() bool {
			base.Loop(core.LoopNonblock)
			s := looptest.Drain(fds[1])
			got += s
			return strings.HasSuffix(got, "SHOUT")
		})
		bev.Free() // frees under, closes the fd
	})
}

func TestFilterPairFramerAndError(t *testing.T) {
	base := newBase(t)
	a, b := mustPair(t, base)
	f, err := NewFilter(b, lineFramer, nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	var got string
	var what What
	var gotErr error
	f.SetCallbacks(func(bev *BufferEvent) { got += takeAll(bev.Input()) }, nil, func(bev *BufferEvent, w What, err error) {
		what, gotErr = w, err
		base.LoopBreak()
	})
	f.Enable(Read)
	a.Output().AddString("one\ntw")
	base.Loop(core.LoopNonblock)
	base.Loop(core.LoopNonblock)
	if got != "[one]" {
		t.Fatalf("got %q after a partial line", got)
	}
	a.Output().AddString("o\nBAD\n")
	run(t, base)
	if got != "[one][two]" || what != Error|Reading || !errors.Is(gotErr, ErrFilter) {
		t.Fatalf("got %q, event %v %v", got, what, gotErr)
	}
	f.Free()
	if b.freed {
		t.Error("underlying freed without CloseOnFree")
	}
	a.Free()
	b.Free()
}

// TestFilterHighWatermarks: a filter respects its own Input's high
// watermark and the underlying Output's write high watermark, and keeps
// draining when space frees up (libevent's filter_data_stuck).
func TestFilterHighWatermarks(t *testing.T) {
	base := newBase(t)
	a, b := mustPair(t, base)
	f, _ := NewFilter(b, mapFilter(upper), mapFilter(upper), CloseOnFree)
	const high, total = 64, 10000
	f.SetWatermark(Read, 0, high)
	b.SetWatermark(Write, 0, high)
	maxOut := 0
	b.Output().AddCallback(func(buf *evbuffer.Buffer, _ evbuffer.CallbackInfo) { maxOut = max(maxOut, buf.Len()) })
	// Read direction: a → b → f.
	gotIn := 0
	f.SetCallbacks(func(bev *BufferEvent) {
		if n := bev.Input().Len(); n > high {
			t.Fatalf("filter input %d above %d", n, high)
		}
		gotIn += bev.Input().Len()
		bev.Input().Drain(bev.Input().Len())
	}, nil, nil)
	f.Enable(Read)
	a.Output().AddString(strings.Repeat("r", total))
	// Write direction: f → b → a.
	gotOut := 0
	a.SetCallbacks(func(bev *BufferEvent) {
		gotOut += bev.Input().Len()
		bev.Input().Drain(bev.Input().Len())
		if gotOut == total && gotIn == total {
			base.LoopBreak()
		}
	}, nil, nil)
	a.Enable(Read)
	f.Output().AddString(strings.Repeat("w", total))
	base.LoopExit(loopLimit / 2)
	run(t, base)
	if gotIn != total || gotOut != total {
		t.Fatalf("in %d out %d of %d: data stuck", gotIn, gotOut, total)
	}
	if maxOut > high {
		t.Errorf("underlying output reached %d > write high watermark %d", maxOut, high)
	}
	f.Free()
	a.Free()
}

func TestFilterFlushFinished(t *testing.T) {
	base := newBase(t)
	a, b := mustPair(t, base)
	trailer := func(src, dst *evbuffer.Buffer, limit int, mode FlushMode) (FilterResult, error) {
		dst.AddBuffer(src)
		if mode == Finished {
			dst.AddString("<END>")
		}
		return FilterOK, nil
	}
	f, _ := NewFilter(b, nil, trailer, CloseOnFree)
	var got string
	var what What
	a.SetCallbacks(func(bev *BufferEvent) { got += takeAll(bev.Input()) }, nil, func(_ *BufferEvent, w What, _ error) {
		what = w
		base.LoopBreak()
	})
	a.Enable(Read)
	f.Output().AddString("body")
	if err := f.Flush(Write, Finished); err != nil {
		t.Fatal(err)
	}
	run(t, base)
	if got != "body<END>" || what != EOF|Reading {
		t.Fatalf("got %q event %v", got, what)
	}
	f.Free()
	a.Free()
}
