package main

import (
	"encoding/json"
	"strconv"
	"sync/atomic"

	"github.com/goevent/goevent/cmd/evhttpd/internal/proxy"
	"github.com/goevent/goevent/evhttp"
)

// stats are the counters -status serves. Every loop updates them with
// atomics; no lock is taken on the request path.
type stats struct {
	connections atomic.Int64
	requests    atomic.Int64
	bytes       atomic.Int64
	byCode      [600]atomic.Int64 // index: status code
}

// record counts one answered request.
func (s *stats) record(code int, n int64) {
	s.requests.Add(1)
	s.bytes.Add(n)
	if code >= 100 && code < len(s.byCode) {
		s.byCode[code].Add(1)
	}
}

// statusReport is the JSON document of -status.
type statusReport struct {
	Connections     int64            `json:"connections"`
	OpenConnections int              `json:"open_connections"`
	Requests        int64            `json:"requests"`
	RequestsByCode  map[string]int64 `json:"requests_by_code"`
	Bytes           int64            `json:"bytes"`
	UpstreamErrors  int64            `json:"upstream_errors"`
}

// report snapshots the counters (each read atomically; the set is not a
// single snapshot, which counters do not need).
func (s *stats) report(open int, upstreamErrors int64) statusReport {
	rep := statusReport{
		Connections:     s.connections.Load(),
		OpenConnections: open,
		Requests:        s.requests.Load(),
		RequestsByCode:  map[string]int64{},
		Bytes:           s.bytes.Load(),
		UpstreamErrors:  upstreamErrors,
	}
	for code := range s.byCode {
		if n := s.byCode[code].Load(); n > 0 {
			rep.RequestsByCode[strconv.Itoa(code)] = n
		}
	}
	return rep
}

// serveStatus answers a -status request with the counters as JSON and
// returns the status code and body length. px (nil without -proxy)
// gives the upstream error count.
func (s *stats) serveStatus(r *evhttp.Request, srv *evhttp.Server, px *proxy.Proxy) (int, int64) {
	out := r.OutputHeaders()
	if m := r.Method(); m != "GET" && m != "HEAD" {
		out.Set("Allow", "GET, HEAD")
		r.SendError(evhttp.StatusMethodNotAllowed, "")
		return evhttp.StatusMethodNotAllowed, 0
	}
	var upstreamErrors int64
	if px != nil {
		upstreamErrors = px.UpstreamErrors()
	}
	body, err := json.Marshal(s.report(srv.ConnectionCount(), upstreamErrors))
	if err != nil {
		r.SendError(evhttp.StatusInternalServerError, "")
		return evhttp.StatusInternalServerError, 0
	}
	body = append(body, '\n')
	out.Set("Content-Type", "application/json")
	out.Set("Cache-Control", "no-store")
	r.OutputBuffer().Add(body)
	r.SendReply(evhttp.StatusOK, "", nil)
	if r.Method() == "HEAD" {
		return evhttp.StatusOK, 0
	}
	return evhttp.StatusOK, int64(len(body))
}
