package evhttp

import (
	"fmt"
	"net/http"
	"net/textproto"
	"net/url"
	"strconv"
	"strings"

	"github.com/goevent/goevent/ssl"
)

// newHTTPRequest builds the *http.Request a net/http handler sees for r, as
// net/http's server would have read it (loop goroutine). Its Body is
// http.NoBody for a request without a body, else nil for the adapter to
// supply.
func newHTTPRequest(r *Request) (*http.Request, error) {
	method, target := r.Method(), r.Target()
	raw := target
	// As net/http: a CONNECT target is an authority, parsed as the host of
	// an absolute URL without its scheme.
	justAuthority := method == "CONNECT" && !strings.HasPrefix(raw, "/")
	if justAuthority {
		raw = "http://" + raw
	}
	u, err := url.ParseRequestURI(raw)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrAdapterTarget, err)
	}
	if justAuthority {
		u.Scheme = ""
	}

	in := r.InputHeaders()
	h := make(http.Header, in.Len())
	in.Range(func(name, value string) bool {
		k := textproto.CanonicalMIMEHeaderKey(name)
		h[k] = append(h[k], value)
		return true
	})
	hreq := &http.Request{
		Method:     method,
		URL:        u,
		Proto:      "HTTP/1." + strconv.Itoa(r.ProtoMinor()),
		ProtoMajor: 1,
		ProtoMinor: r.ProtoMinor(),
		Header:     h,
		Body:       http.NoBody,
		Host:       u.Host,
		RequestURI: target,
		Close:      !requestKeepAlive(r),
	}
	// The Host field moves to Request.Host (net/http removes it from
	// the map), unless the target named the host.
	if hreq.Host == "" {
		hreq.Host = h.Get("Host")
	}
	delete(h, "Host")
	// HTTP/1.0 caches: "Pragma: no-cache" means "Cache-Control: no-cache"
	// (RFC 9111 §5.4), as net/http fixes it up.
	if len(h["Pragma"]) > 0 && h.Get("Pragma") == "no-cache" && len(h["Cache-Control"]) == 0 {
		h["Cache-Control"] = []string{"no-cache"}
	}
	if ap := r.RemoteAddr(); ap.IsValid() {
		hreq.RemoteAddr = ap.String()
	}

	switch fr := r.p.framing; fr.kind {
	case framingChunked:
		hreq.ContentLength = -1
		hreq.TransferEncoding = []string{"chunked"}
		delete(h, "Transfer-Encoding")
		hreq.Body = nil // the adapter's streaming body
	case framingLength:
		hreq.ContentLength = fr.length
		if fr.length > 0 {
			hreq.Body = nil
		}
	}
	if fr := r.p.framing; fr.kind == framingChunked {
		// Declared trailer fields move from the header to Trailer, with
		// no value until the body has been read, as in net/http.
		for _, v := range h["Trailer"] {
			for _, name := range strings.Split(v, ",") {
				name = textproto.CanonicalMIMEHeaderKey(strings.TrimSpace(name))
				if name == "" {
					continue
				}
				if hreq.Trailer == nil {
					hreq.Trailer = make(http.Header)
				}
				hreq.Trailer[name] = nil
			}
		}
		delete(h, "Trailer")
	}

	if conn := r.Connection(); conn != nil {
		if bev := conn.BufferEvent(); bev != nil {
			if st, ok := ssl.ConnectionState(bev); ok {
				hreq.TLS = &st
			}
		}
	}
	return hreq, nil
}
