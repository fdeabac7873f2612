// Command check verifies one subject of the static-file benchmark before
// run.sh measures it, so a broken server is never measured. It waits up
// to -wait for the server to accept, then sends -n GET requests for -url
// one after another on one keep-alive connection. Every reply must be 200
// with a Content-Length (not chunked) equal to the size of -file and a
// body whose SHA-256 is the file's, and every request after the first
// must reuse the connection. It prints the first reply's status line and
// header fields and exits 0, or says what is wrong and exits 1.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"time"
)

func main() {
	url := flag.String("url", "http://127.0.0.1:8080/", "URL to fetch")
	file := flag.String("file", "", "the file the body must equal")
	n := flag.Int("n", 3, "requests on one connection")
	wait := flag.Duration("wait", 5*time.Second, "how long to wait for the server to accept")
	flag.Parse()
	want, err := digestFile(*file)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	ctx, cancel := context.WithTimeout(context.Background(), *wait+10*time.Second)
	defer cancel()
	head, err := check(ctx, *url, want, *n, *wait)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	fmt.Print(head)
}
