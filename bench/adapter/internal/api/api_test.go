package api

import (
	"net/http/httptest"
	"strings"
	"testing"
)

func TestHandler(t *testing.T) {
	tests := []struct {
		method, path string
		code         int
		ctype        string
		body         string
	}{
		{"GET", PathHello, 200, "text/plain; charset=utf-8", Hello},
		{"GET", PathJSON, 200, "application/json",
			`{"id":4711,"name":"event loop, one core, no waiting","price":12.5,"tags":["go","libevent","bench"],"in_stock":true}` + "\n"},
		{"GET", "/nope", 404, "text/plain; charset=utf-8", "404 page not found\n"},
		{"POST", PathJSON, 405, "text/plain; charset=utf-8", "Method Not Allowed\n"},
	}
	h := Handler()
	for _, tt := range tests {
		t.Run(tt.method+" "+tt.path, func(t *testing.T) {
			w := httptest.NewRecorder()
			h.ServeHTTP(w, httptest.NewRequest(tt.method, tt.path, strings.NewReader("")))
			if w.Code != tt.code || w.Header().Get("Content-Type") != tt.ctype || w.Body.String() != tt.body {
				t.Errorf("got %d %q %q, want %d %q %q", w.Code, w.Header().Get("Content-Type"), w.Body.String(),
					tt.code, tt.ctype, tt.body)
			}
		})
	}
	if n := len(tests[1].body); n < 90 || n > 130 {
		t.Errorf("JSON document is %d bytes, want about 100", n)
	}
}
