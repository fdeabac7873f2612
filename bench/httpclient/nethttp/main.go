// Command nethttp is Go's net/http Client in the HTTP client benchmark:
// -conns goroutines share one http.Client whose Transport keeps up to
// -conns idle keep-alive connections to the server, and each goroutine
// sends GET / back to back for -dur, reading and checking every reply
// (status 200, body "Hello, World!"). run.sh pins it to one CPU, and
// GOMAXPROCS follows the affinity mask.
package main

import (
	"bytes"
	"fmt"
	"net/http"

	"github.com/goevent/goevent/bench/httpclient/internal/clientrun"
)

func main() {
	f := clientrun.ParseFlags()
	tr := &http.Transport{
		MaxIdleConns:        f.Conns,
		MaxIdleConnsPerHost: f.Conns,
		MaxConnsPerHost:     f.Conns,
		DisableCompression:  true,
	}
	client := &http.Client{Transport: tr}
	url := "http://" + f.Addr + "/"
	bufs := make([]bytes.Buffer, f.Conns)
	r := clientrun.RunWorkers(f, func(w int) error {
		resp, err := client.Get(url)
		if err != nil {
			return fmt.Errorf("nethttp: %w", err)
		}
		b := &bufs[w]
		b.Reset()
		_, err = b.ReadFrom(resp.Body)
		resp.Body.Close()
		if err != nil {
			return fmt.Errorf("nethttp: reading the body: %w", err)
		}
		return clientrun.Check(resp.StatusCode, b.Bytes())
	})
	tr.CloseIdleConnections()
	clientrun.Finish("nethttp", r)
}
