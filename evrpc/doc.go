// Package evrpc is RPC over evhttp, wire-compatible with libevent's evrpc
// (rpc.h, evrpc.c): a C program using libevent's evrpc can call a goevent
// server and be called by a goevent client.
//
// # Wire format
//
// An RPC named Name is a POST to /.rpc.Name whose body is the request
// struct encoded with package evtag (the struct's fields, no outer tag).
// A success is 200 with Content-Type application/octet-stream and the
// encoded reply; every failure (wrong method, empty body, a body that does
// not decode, a hook that terminates, a reply that cannot be encoded) is
// 503 with libevent's small HTML page and the connection closed. libevent's
// C client sends HTTP/1.1 without a Host field, so RPC paths accept that
// (evhttp's RouteOptions.AllowMissingHost) while the Server's other paths
// keep answering 400; a Host-less request to an RPC that is not registered
// therefore gets 400 where libevent answers 404 (its client sees
// StatusBadPayload either way).
//
// # Typed RPCs
//
// Requests and replies are Go structs with `evtag` field tags, usually
// generated from a libevent .rpc file by cmd/evrpcgen. The API is generic,
// so handlers and callbacks are typed without reflection at the call site
// (reflection stays inside evtag's cached codec):
//
//	evrpc.Register(b, "Message", func(r *evrpc.Request[Msg, Kill]) {
//		r.Reply.Weapon = "dagger"
//		r.Done() // now, or later from the loop goroutine
//	})
//
//	evrpc.MakeRequest(pool, "Message", &msg, &kill, func(err error) { ... })
//
// Decoding is evtag's: as lenient as libevent where interoperability needs
// it (non-minimal encodings) and strict elsewhere (unknown tags, repeated
// fields and missing required fields fail the call).
//
// # Client
//
// A Pool holds evhttp connections (libevent's evrpc_pool): calls are queued
// in order and each goes to the first connection with no call outstanding.
// PoolConfig.Pipeline (not in libevent) lets a connection carry several
// calls at once with HTTP/1.1 pipelining, which any evhttp server,
// libevent's included, answers in order; it defines what happens to the
// calls pipelined behind one that fails, and never sends a call twice when
// the server may have processed it. PoolConfig.Timeout bounds a call from
// the moment it is sent. A failed
// call's error is an *Error carrying libevent's status code (StatusTimeout,
// StatusBadPayload, StatusUnstarted, StatusHookAborted, plus
// StatusCancelled for Call.Cancel and Pool.Close) and the cause. Unlike
// libevent's client, which never looks at the HTTP status and reports a
// 503 as a reply that fails to decode, the client checks for 200: a
// non-200 reply is StatusBadPayload wrapping ErrServerError, with the code
// in Error.Code.
//
// # Hooks
//
// Base.AddHook and Pool.AddHook add input and output hooks (libevent's
// evrpc_add_hook) that see every call's encoded body and HTTP header and
// may rewrite them, attach meta data for the call's later hooks (never
// sent), stop the call (Terminate) or Pause it until HookContext.Resume.
// When a paused call resumes, the hooks after the paused one run too
// (libevent skips them).
//
// # Goroutines
//
// Everything runs on the loop goroutine of the evhttp connections
// involved: handlers, hooks, call callbacks, and the methods of Request,
// Pool, Call and HookContext. Other goroutines hand work over with
// core.Base.Post. Register, Unregister and AddHook/RemoveHook are safe from
// any goroutine. evrpc starts no goroutines.
package evrpc
