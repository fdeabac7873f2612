package proxy

import (
	"strings"

	"github.com/goevent/goevent/evhttp"
)

// hopByHop are the fields RFC 9110 §7.6.1 names as describing a
// connection rather than the message.
var hopByHop = [...]string{"Connection", "Keep-Alive", "TE", "Trailer", "Transfer-Encoding", "Upgrade"}

// isHopByHop reports whether name is a hop-by-hop field, one that
// describes a connection rather than the message (RFC 9110 §7.6.1):
// Connection, Keep-Alive, TE, Trailer, Transfer-Encoding, Upgrade, a
// Proxy-* field, or a name the message's Connection field lists (listed).
// Names compare case-insensitively, without allocating.
func isHopByHop(name string, listed []string) bool {
	if len(name) >= len("proxy-") && strings.EqualFold(name[:len("proxy-")], "proxy-") {
		return true
	}
	for _, h := range hopByHop {
		if strings.EqualFold(name, h) {
			return true
		}
	}
	return hasToken(listed, name)
}

// connectionTokens returns the options of h's Connection fields (RFC 9110
// §7.6.1): the names of more hop-by-hop fields, trimmed, in the case
// sent. It allocates only when there is a Connection field.
func connectionTokens(h *evhttp.Header) []string {
	if !h.Has("Connection") {
		return nil
	}
	var toks []string
	for _, v := range h.Values("Connection") {
		for t := range strings.SplitSeq(v, ",") {
			if t = strings.TrimSpace(t); t != "" {
				toks = append(toks, t)
			}
		}
	}
	return toks
}

// hasToken reports whether toks holds tok, compared case-insensitively.
func hasToken(toks []string, tok string) bool {
	for _, t := range toks {
		if strings.EqualFold(t, tok) {
			return true
		}
	}
	return false
}

// copyEndToEnd adds to dst the fields of src that are not hop-by-hop,
// leaving out those skip names too (compared case-insensitively).
func copyEndToEnd(dst, src *evhttp.Header, skip ...string) {
	listed := connectionTokens(src)
	src.Range(func(name, value string) bool {
		if !isHopByHop(name, listed) && !hasToken(skip, name) {
			dst.Add(name, value)
		}
		return true
	})
}

// Forwarded is what the X-Forwarded-* fields say of the client.
type Forwarded struct {
	For   string // the client's address ("" for a unix-socket client: not added)
	Proto string // "http" or "https"
	Host  string // the Host field the client sent ("" if none)
}

// requestHeader builds the upstream request's header from the client's:
// end-to-end fields as sent (Host included: the upstream sees the name
// the client asked for), framing fields and Expect left to the client
// connection, X-Forwarded-For extended with the client's address and
// X-Forwarded-Proto and X-Forwarded-Host set. For an upgrade, Upgrade and
// "Connection: Upgrade" are kept.
func requestHeader(dst, src *evhttp.Header, fw Forwarded, upgrade string) {
	copyEndToEnd(dst, src, "content-length", "expect", "x-forwarded-for", "x-forwarded-proto", "x-forwarded-host")
	var xff []string
	for _, v := range src.Values("X-Forwarded-For") {
		if v = strings.TrimSpace(v); v != "" {
			xff = append(xff, v)
		}
	}
	if fw.For != "" {
		xff = append(xff, fw.For)
	}
	if len(xff) > 0 {
		dst.Set("X-Forwarded-For", strings.Join(xff, ", "))
	}
	dst.Set("X-Forwarded-Proto", fw.Proto)
	if fw.Host != "" {
		dst.Set("X-Forwarded-Host", fw.Host)
	}
	if upgrade != "" {
		dst.Set("Connection", "Upgrade")
		dst.Set("Upgrade", upgrade)
	}
}

// upgradeOf returns the protocol a request asks to upgrade to (its
// Upgrade field, when Connection lists "upgrade"), or "".
func upgradeOf(h *evhttp.Header) string {
	if !hasToken(connectionTokens(h), "upgrade") {
		return ""
	}
	return strings.TrimSpace(h.Get("Upgrade"))
}

// responseHeader builds the client's reply header from the upstream's
// response: its end-to-end fields. Content-Length is kept (the reply is
// streamed with that length, or is the answer to a HEAD); framing is
// otherwise the server's. A 101 keeps Upgrade with "Connection: Upgrade".
func responseHeader(dst, src *evhttp.Header, switching bool) {
	copyEndToEnd(dst, src)
	if switching {
		dst.Set("Connection", "Upgrade")
		if u := src.Get("Upgrade"); u != "" {
			dst.Set("Upgrade", u)
		}
	}
}
