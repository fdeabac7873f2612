// Command gofs is Go's http.FileServer in the static-file benchmark: an
// http.Server whose handler is http.FileServer over http.Dir(-root). It
// sends a regular file's body with sendfile(2) through the connection's
// ReadFrom. One goroutine per connection; run.sh pins the process to one
// CPU and GOMAXPROCS follows the affinity mask.
package main

import (
	"flag"
	"fmt"
	"net/http"
	"os"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:8080", "listen address host:port")
	root := flag.String("root", ".", "directory to serve")
	flag.Parse()
	srv := &http.Server{Addr: *addr, Handler: http.FileServer(http.Dir(*root))}
	fmt.Fprintln(os.Stderr, "gofs:", srv.ListenAndServe())
	os.Exit(1)
}
