package evbuffer_test

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/goevent/goevent/evbuffer"
	"github.com/goevent/goevent/sendfile"
)

// A request parser reads lines as they arrive; an incomplete line waits.
func Example() {
	var in evbuffer.Buffer
	in.AddString("GET / HTTP/1.1\r\nHost: exa")
	for {
		line, ok := in.ReadLine(evbuffer.EOLCRLF)
		if !ok {
			break
		}
		fmt.Printf("line %q\n", line) // valid until in changes
	}
	in.AddString("mple.org\r\n\r\n")
	for {
		line, ok := in.ReadLine(evbuffer.EOLCRLF)
		if !ok {
			break
		}
		fmt.Printf("line %q\n", line)
	}
	fmt.Println("left:", in.Len())
	// Output:
	// line "GET / HTTP/1.1"
	// line "Host: example.org"
	// line ""
	// left: 0
}

func ExampleBuffer_AddReference() {
	static := []byte("<html>static page</html>")
	var out evbuffer.Buffer
	out.AddString("HTTP/1.1 200 OK\r\n\r\n")
	out.AddReference(static, func() { fmt.Println("static page released") })
	out.Drain(19 + 6)
	fmt.Println("still buffered:", out.Len())
	out.Drain(out.Len())
	// Output:
	// still buffered: 18
	// static page released
}

func ExampleBuffer_AddFile() {
	dir, _ := os.MkdirTemp("", "evbuffer-example")
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "body.txt")
	os.WriteFile(path, []byte("file body\n"), 0o600)
	f, err := sendfile.Open(path)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer f.Release()

	var out evbuffer.Buffer
	out.AddString("header\n")
	out.AddFile(f, 0, f.Size()) // WriteToFD would sendfile(2) it
	fmt.Println("references while buffered:", f.Refs())
	p := make([]byte, out.Len())
	n, _ := out.Remove(p) // or read it back into memory
	fmt.Printf("%q\n", p[:n])
	fmt.Println("references after:", f.Refs())
	// Output:
	// references while buffered: 2
	// "header\nfile body\n"
	// references after: 1
}

func ExampleBuffer_Search() {
	var b evbuffer.Buffer
	b.AddString("key1=a; ke")
	b.AddReference([]byte("y2=b; key3=c"), nil) // matches may straddle segments
	p := b.Search([]byte("key"), nil)
	for p.Pos >= 0 {
		fmt.Println("key at", p.Pos)
		b.PtrSet(&p, 1, evbuffer.PtrAdd)
		p = b.Search([]byte("key"), &p)
	}
	// Output:
	// key at 0
	// key at 8
	// key at 16
}

func ExampleBuffer_RemoveBuffer() {
	var in, body evbuffer.Buffer
	in.AddString("hello, world; next request")
	n, _ := in.RemoveBuffer(&body, 12) // move a 12-byte body without copying whole segments
	fmt.Println(n, body.Len(), in.Len())
	// Output:
	// 12 12 14
}

func ExampleBuffer_Peek() {
	var b evbuffer.Buffer
	b.AddString("abc")
	b.AddReference([]byte("def"), nil)
	for _, v := range b.Peek(-1, nil) { // slices valid until b changes
		fmt.Printf("%q ", v)
	}
	fmt.Println()
	// Output:
	// "abc" "def"
}

func ExampleBuffer_AddCallback() {
	var b evbuffer.Buffer
	cb := b.AddCallback(func(b *evbuffer.Buffer, info evbuffer.CallbackInfo) {
		fmt.Printf("%d -> %d (+%d -%d)\n", info.OrigSize, b.Len(), info.Added, info.Deleted)
	})
	b.AddString("hello")
	cb.Suspend()
	b.AddString(" world")
	b.Drain(3)
	cb.Unsuspend() // one report for both changes
	// Output:
	// 0 -> 5 (+5 -0)
	// 5 -> 8 (+6 -3)
}

func ExampleBuffer_Reserve() {
	var b evbuffer.Buffer
	space := b.Reserve(64) // fill in place, then publish
	n := copy(space, "written in place")
	b.Commit(n)
	fmt.Println(b.Len())
	// Output:
	// 16
}
