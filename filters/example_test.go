package filters_test

import (
	"fmt"

	"github.com/goevent/goevent/bufferevent"
	"github.com/goevent/goevent/evbuffer"
	"github.com/goevent/goevent/filters"
)

// A compress filter and its decompress counterpart, as a filter bufferevent
// would drive them: Flush makes all written so far decodable at the peer.
func ExampleGzipCompress() {
	compress, _ := filters.GzipCompress(filters.BestSpeed)
	decompress := filters.GzipDecompress(filters.WithMaxRatio(100))

	var app, wire, peer evbuffer.Buffer
	app.AddString("hello, ")
	compress(&app, &wire, -1, bufferevent.Normal) // may hold the data back
	app.AddString("world")
	compress(&app, &wire, -1, bufferevent.Flush) // sync flush
	decompress(&wire, &peer, -1, bufferevent.Normal)
	fmt.Printf("%d bytes decoded\n", peer.Len())

	compress(&app, &wire, -1, bufferevent.Finished) // trailer
	res, err := decompress(&wire, &peer, -1, bufferevent.Finished)
	fmt.Println(res, err)
	// Output:
	// 12 bytes decoded
	// FilterOK <nil>
}

// evhttp-style use: encode response bodies with pooled writers.
func ExamplePool() {
	pool, _ := filters.NewPool(filters.Zstd, filters.DefaultLevel)
	for i := range 2 {
		var body evbuffer.Buffer
		w := pool.Get(&body)
		fmt.Fprintf(w, "response %d", i)
		w.Close()
		pool.Put(w)

		var plain evbuffer.Buffer
		d := filters.NewZstdDecompressor()
		d.Decode(&body, &plain, -1, true)
		p, _ := plain.Pullup(-1)
		fmt.Println(string(p))
	}
	// Output:
	// response 0
	// response 1
}

// Decoding a stream that arrives in pieces, with a limit on the output taken
// per call.
func ExampleDecompressor() {
	var z evbuffer.Buffer
	w, _ := filters.NewZlibWriter(&z, filters.DefaultLevel)
	fmt.Fprint(w, "0123456789")
	w.Close()

	d := filters.NewZlibDecompressor()
	var src, out evbuffer.Buffer
	for z.Len() > 0 {
		z.RemoveBuffer(&src, 3) // three bytes arrive
		n, err := d.Decode(&src, &out, 4, false)
		if err != nil {
			fmt.Println(err)
			return
		}
		_ = n
	}
	for {
		n, _ := d.Decode(&src, &out, 4, true)
		if n == 0 {
			break
		}
	}
	p, _ := out.Pullup(-1)
	fmt.Println(string(p))
	// Output: 0123456789
}

// LineFramer normalises line ends and passes whole lines only.
func ExampleLineFramer() {
	f := filters.LineFramer(1024)
	var in, out evbuffer.Buffer
	in.AddString("GET / HTTP/1.0\r\nHost: x\r\npart")
	f(&in, &out, -1, bufferevent.Normal)
	p, _ := out.Pullup(-1)
	fmt.Printf("%q, %d waiting\n", p, in.Len())
	// Output: "GET / HTTP/1.0\nHost: x\n", 4 waiting
}
