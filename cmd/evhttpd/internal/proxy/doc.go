// Package proxy is evhttpd's reverse proxy: it forwards the requests
// whose path starts with a configured prefix to an upstream HTTP server
// (http://, https:// or a unix socket) through evhttp's client, and
// streams the reply back.
//
// Bodies stream in both directions with backpressure: a chunk of the
// request body is read from the client only once the previous one is
// written to the upstream, and the upstream's response is read only while
// the client's connection keeps up, so an upload or download of any size
// holds a bounded amount of memory.
//
// Header fields: the hop-by-hop fields (Connection and the names it lists,
// Keep-Alive, TE, Trailer, Transfer-Encoding, Upgrade, Proxy-*) are
// removed both ways; X-Forwarded-For gets the client's address appended,
// X-Forwarded-Proto and X-Forwarded-Host are set; Host goes to the
// upstream as the client sent it, so name-based virtual hosts upstream see
// the name the client asked for (an HTTP/1.0 request without Host gets the
// upstream's host:port). The request-target is forwarded unchanged, its
// prefix included. No Via field is added.
//
// Failures: an upstream that refuses the connection, resets it or sends
// a malformed response before the reply started is answered 502, one that
// times out 504; after the reply started the client's connection is cut
// (its reply ends short). A client that goes away cancels its upstream
// request. A request asking to upgrade (WebSocket) is forwarded with its
// Upgrade field and, when the upstream answers 101, both connections are
// taken over and bytes pumped between them until either side closes.
package proxy
