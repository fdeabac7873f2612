package evhttp_test

import (
	"fmt"
	"io"
	"net/http"

	"github.com/goevent/goevent/core"
	"github.com/goevent/goevent/evhttp"
)

// A server answering one path, on a loop run by this goroutine; a client
// on another goroutine asks it once.
func ExampleServer() {
	base, err := core.NewBase()
	if err != nil {
		panic(err)
	}
	defer base.Close()
	srv := evhttp.New(base, nil)
	srv.SetCallback("/hello", func(r *evhttp.Request) {
		r.OutputHeaders().Set("Content-Type", "text/plain")
		r.OutputBuffer().AddString("Hello, " + r.Query().Get("name") + "!")
		r.SendReply(evhttp.StatusOK, "", nil)
	})
	bs, err := srv.Bind("127.0.0.1:0")
	if err != nil {
		panic(err)
	}
	go func() {
		resp, err := http.Get("http://" + bs.Addr().String() + "/hello?name=goevent")
		if err == nil {
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			fmt.Println(resp.Status, string(body))
		}
		base.Post(func() { // Shutdown from the loop, then stop it when done
			done := srv.Shutdown(0)
			go func() { <-done; base.LoopBreak() }()
		})
	}()
	base.Loop(core.LoopNoExitOnEmpty)
	// Output: 200 OK Hello, goevent!
}
