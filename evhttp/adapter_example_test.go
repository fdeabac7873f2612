package evhttp_test

import (
	"fmt"
	"io"
	"net/http"

	"github.com/goevent/goevent/core"
	"github.com/goevent/goevent/evhttp"
)

// ExampleHandlerAdapter serves a net/http handler on an evhttp Server.
func ExampleHandlerAdapter() {
	base, err := core.NewBase()
	if err != nil {
		fmt.Println(err)
		return
	}
	defer base.Close()
	mux := http.NewServeMux()
	mux.HandleFunc("/hello", func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		fmt.Fprintf(w, "Hello, %s! (%s)", body, r.Method)
	})
	a := evhttp.NewHandlerAdapter(mux, nil)
	srv := evhttp.New(base, nil)
	srv.SetGenCallbackWith(a.Serve, evhttp.RouteOptions{StreamBody: true})
	bs, err := srv.Bind("127.0.0.1:0")
	if err != nil {
		fmt.Println(err)
		return
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		base.Loop(core.LoopNoExitOnEmpty)
	}()

	tr := &http.Transport{}
	client := &http.Client{Transport: tr}
	resp, err := client.Post("http://"+bs.Addr().String()+"/hello", "text/plain", stringReader("gopher"))
	if err != nil {
		fmt.Println(err)
	} else {
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		fmt.Println(resp.Status, resp.Header.Get("Content-Type"))
		fmt.Println(string(b))
	}
	tr.CloseIdleConnections()
	<-srv.Shutdown(0)
	base.LoopBreak()
	<-done
	// Output:
	// 200 OK text/plain; charset=utf-8
	// Hello, gopher! (POST)
}

func stringReader(s string) io.Reader { return &stringSource{s: s} }

// stringSource is a minimal io.Reader (strings.NewReader would let the
// client set Content-Length; this one makes the upload chunked).
type stringSource struct{ s string }

func (r *stringSource) Read(p []byte) (int, error) {
	if r.s == "" {
		return 0, io.EOF
	}
	n := copy(p, r.s)
	r.s = r.s[n:]
	return n, nil
}
