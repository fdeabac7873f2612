package main

import (
	"context"
	"crypto/sha256"
	"errors"
	"net"
	"net/http"
	"testing"
	"time"
)

// serve runs a net/http server on a loopback port the test picks and
// returns its base URL.
func serve(t *testing.T, h http.Handler) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: h}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	return "http://" + ln.Addr().String()
}

func TestCheck(t *testing.T) {
	body := make([]byte, 1024)
	for i := range body {
		body[i] = byte(i * 7)
	}
	want := digest{size: int64(len(body)), sum: sha256.Sum256(body)}
	other := append([]byte(nil), body...)
	other[500]++

	mux := http.NewServeMux()
	mux.HandleFunc("/good", func(w http.ResponseWriter, _ *http.Request) { w.Write(body) })
	mux.HandleFunc("/other", func(w http.ResponseWriter, _ *http.Request) { w.Write(other) })
	mux.HandleFunc("/short", func(w http.ResponseWriter, _ *http.Request) { w.Write(body[:1000]) })
	mux.HandleFunc("/missing", func(w http.ResponseWriter, _ *http.Request) { http.NotFound(w, nil) })
	mux.HandleFunc("/chunked", func(w http.ResponseWriter, _ *http.Request) {
		w.Write(body[:10])
		w.(http.Flusher).Flush() // no Content-Length: the reply goes chunked
		w.Write(body[10:])
	})
	mux.HandleFunc("/close", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Connection", "close")
		w.Write(body)
	})
	base := serve(t, mux)

	tests := []struct {
		path string
		ok   bool
	}{
		{"/good", true},
		{"/other", false},   // same length, other bytes
		{"/short", false},   // Content-Length 1000
		{"/missing", false}, // 404
		{"/chunked", false}, // no Content-Length
		{"/close", false},   // not kept alive
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			head, err := check(ctx, base+tt.path, want, 3, time.Second)
			if tt.ok {
				if err != nil {
					t.Fatalf("check: %v", err)
				}
				if head == "" || head[:8] != "HTTP/1.1" {
					t.Fatalf("head = %q, want the status line first", head)
				}
				return
			}
			if !errors.Is(err, errReply) {
				t.Fatalf("check = %v, want errReply", err)
			}
		})
	}
}

func TestCheckNoServer(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close() // nothing listens there now
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if _, err := check(ctx, "http://"+addr+"/", digest{}, 1, 200*time.Millisecond); err == nil {
		t.Fatal("check of a closed port succeeded")
	}
}
