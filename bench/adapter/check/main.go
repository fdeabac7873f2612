// Command check tests a server of the adapter benchmark before it is
// measured: for GET /json, GET /hello and GET of a path the handler does
// not serve, the server's status, Content-Type, Content-Length and body
// must equal what the benchmark's handler (package api) produces when
// called directly through httptest. Both servers are held to that one
// reference, so they answer identically. The requests share one keep-alive
// connection, and the second and later must reuse it.
//
// It prints each reply's status line, Content-Type and body, and exits 1
// with the first difference on stderr.
//
// Usage: check -addr HOST:PORT [-wait D]
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/http/httptrace"
	"os"
	"strconv"
	"time"

	"github.com/goevent/goevent/bench/adapter/internal/api"
)

// errMismatch: the server's reply differs from the handler's own.
var errMismatch = errors.New("check: reply differs from the handler's")

func main() {
	addr := flag.String("addr", "127.0.0.1:8080", "server address host:port")
	wait := flag.Duration("wait", 5*time.Second, "how long to wait for the server to accept connections")
	flag.Parse()
	if err := run(*addr, *wait); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

func run(addr string, wait time.Duration) error {
	if err := waitListen(addr, wait); err != nil {
		return err
	}
	tr := &http.Transport{MaxIdleConnsPerHost: 1, DisableCompression: true}
	defer tr.CloseIdleConnections()
	client := &http.Client{Transport: tr, Timeout: 5 * time.Second}
	h := api.Handler()
	for i, path := range []string{api.PathJSON, api.PathHello, "/missing", api.PathJSON} {
		want := httptest.NewRecorder()
		h.ServeHTTP(want, httptest.NewRequest("GET", path, nil))
		got, reused, err := get(client, "http://"+addr+path)
		if err != nil {
			return err
		}
		if err := compare(path, got, want.Result()); err != nil {
			return err
		}
		if i > 0 && !reused {
			return fmt.Errorf("%w: GET %s: keep-alive connection not reused", errMismatch, path)
		}
		fmt.Printf("GET %s: %s\nContent-Type: %s\nContent-Length: %d\n\n%s\n", path, got.status,
			got.header.Get("Content-Type"), got.length, got.body)
	}
	return nil
}

// reply is what check compares of a response.
type reply struct {
	status string
	code   int
	header http.Header
	length int64
	body   string
}

// get sends one GET and reads the whole reply; reused tells whether it
// went over a connection used before.
func get(client *http.Client, url string) (r reply, reused bool, err error) {
	req, err := http.NewRequest("GET", url, nil)
	if err != nil {
		return r, false, fmt.Errorf("check: %w", err)
	}
	trace := &httptrace.ClientTrace{GotConn: func(info httptrace.GotConnInfo) { reused = info.Reused }}
	req = req.WithContext(httptrace.WithClientTrace(req.Context(), trace))
	resp, err := client.Do(req)
	if err != nil {
		return r, false, fmt.Errorf("check: GET %s: %w", url, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return r, false, fmt.Errorf("check: GET %s: body: %w", url, err)
	}
	return reply{resp.Status, resp.StatusCode, resp.Header, resp.ContentLength, string(b)}, reused, nil
}

// compare checks got against the handler's own response want.
func compare(path string, got reply, want *http.Response) error {
	wantBody, err := io.ReadAll(want.Body)
	if err != nil {
		return fmt.Errorf("check: %w", err)
	}
	switch {
	case got.code != want.StatusCode:
		return fmt.Errorf("%w: GET %s: status %d, want %d", errMismatch, path, got.code, want.StatusCode)
	case got.header.Get("Content-Type") != want.Header.Get("Content-Type"):
		return fmt.Errorf("%w: GET %s: Content-Type %q, want %q", errMismatch, path,
			got.header.Get("Content-Type"), want.Header.Get("Content-Type"))
	case got.body != string(wantBody):
		return fmt.Errorf("%w: GET %s: body %q, want %q", errMismatch, path, got.body, wantBody)
	case got.length != int64(len(wantBody)):
		return fmt.Errorf("%w: GET %s: Content-Length %s, want %d (a length, not chunked)", errMismatch, path,
			strconv.FormatInt(got.length, 10), len(wantBody))
	case got.header.Get("Date") == "":
		return fmt.Errorf("%w: GET %s: no Date field", errMismatch, path)
	}
	return nil
}

// waitListen waits until addr accepts a TCP connection.
func waitListen(addr string, wait time.Duration) error {
	deadline := time.Now().Add(wait)
	for {
		c, err := net.DialTimeout("tcp", addr, time.Second)
		if err == nil {
			return c.Close()
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("check: %s not accepting after %v: %w", addr, wait, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
