package bufferevent_test

import (
	"fmt"
	"strings"

	"github.com/goevent/goevent/bufferevent"
	"github.com/goevent/goevent/core"
	"github.com/goevent/goevent/evbuffer"
)

// Two linked in-memory ends: what one writes, the other reads. Finishing
// the writer's output delivers EOF to the reader.
func ExampleNewPair() {
	base, err := core.NewBase()
	if err != nil {
		panic(err)
	}
	defer base.Close()
	a, b, err := bufferevent.NewPair(base, 0)
	if err != nil {
		panic(err)
	}
	b.SetCallbacks(func(bev *bufferevent.BufferEvent) {
		for {
			line, ok := bev.Input().ReadLine(evbuffer.EOLLF)
			if !ok {
				return
			}
			fmt.Printf("got %q\n", line)
		}
	}, nil, func(bev *bufferevent.BufferEvent, what bufferevent.What, err error) {
		fmt.Println("event:", what)
		a.Free()
		bev.Free()
	})
	b.Enable(bufferevent.Read)
	a.Output().AddString("hello\nworld\n")
	a.Flush(bufferevent.Write, bufferevent.Finished)
	base.Dispatch()
	// Output:
	// got "hello"
	// got "world"
	// event: Reading|EOF
}

// A filter bufferevent transforms bytes on their way in and out. This one
// upper-cases everything written through it.
func ExampleNewFilter() {
	base, _ := core.NewBase()
	defer base.Close()
	a, b, _ := bufferevent.NewPair(base, 0)
	upper := func(src, dst *evbuffer.Buffer, limit int, mode bufferevent.FlushMode) (bufferevent.FilterResult, error) {
		if src.Len() == 0 {
			return bufferevent.FilterNeedMore, nil
		}
		p := make([]byte, src.Len())
		src.Remove(p)
		dst.AddString(strings.ToUpper(string(p)))
		return bufferevent.FilterOK, nil
	}
	f, _ := bufferevent.NewFilter(a, nil, upper, bufferevent.CloseOnFree)
	b.SetCallbacks(func(bev *bufferevent.BufferEvent) {
		p := make([]byte, bev.Input().Len())
		bev.Input().Remove(p)
		fmt.Printf("%s\n", p)
		f.Free()
		bev.Free()
	}, nil, nil)
	b.Enable(bufferevent.Read)
	f.Output().AddString("quiet words")
	base.Dispatch()
	// Output:
	// QUIET WORDS
}
