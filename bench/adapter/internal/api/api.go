// Package api is the http.Handler both servers of the adapter benchmark
// serve: a small JSON API. GET /json encodes a fixed ~100-byte document
// with encoding/json on every request; GET /hello answers plain text.
// Anything else is 404, a method other than GET or HEAD is 405.
package api

import (
	"encoding/json"
	"net/http"
)

// Hello is the body of GET /hello.
const Hello = "Hello, World!"

// Paths the handler serves.
const (
	PathJSON  = "/json"
	PathHello = "/hello"
)

// Item is the document GET /json returns.
type Item struct {
	ID      int      `json:"id"`
	Name    string   `json:"name"`
	Price   float64  `json:"price"`
	Tags    []string `json:"tags"`
	InStock bool     `json:"in_stock"`
}

// Handler returns the benchmark's handler. Each call builds its own mux
// and document, so handlers never share state.
func Handler() http.Handler {
	item := Item{
		ID:      4711,
		Name:    "event loop, one core, no waiting",
		Price:   12.5,
		Tags:    []string{"go", "libevent", "bench"},
		InStock: true,
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET "+PathJSON, func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		// The encoder writes the document and a newline in one Write;
		// an error here means the client went away.
		_ = json.NewEncoder(w).Encode(&item)
	})
	mux.HandleFunc("GET "+PathHello, func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		_, _ = w.Write([]byte(Hello))
	})
	return mux
}
