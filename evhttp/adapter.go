package evhttp

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"runtime"
	"sync"

	"github.com/goevent/goevent/core"
)

// Errors of the HandlerAdapter.
var (
	// ErrAdapterQueueFull is the cause of the context of a request
	// refused with 503 because every worker was busy and the queue full.
	ErrAdapterQueueFull = errors.New("evhttp: handler queue full")
	// ErrHandlerPanic is the cause given to the connection a HandlerAdapter
	// aborts when a handler panicked after its reply started.
	ErrHandlerPanic = errors.New("evhttp: handler panicked")
	// ErrAdapterTarget: a request-target net/http's URL parser rejects;
	// the request is answered 400 without running the handler.
	ErrAdapterTarget = errors.New("evhttp: request-target not accepted by net/url")
)

// Default sizes of a HandlerAdapter; a zero AdapterConfig field means these.
const (
	// DefaultAdapterWorkersPerCPU times GOMAXPROCS is the default number
	// of handlers running at once.
	DefaultAdapterWorkersPerCPU = 4
	// DefaultAdapterQueuePerWorker times Workers is the default queue bound.
	DefaultAdapterQueuePerWorker = 16
	DefaultAdapterBodyBuffer     = 64 << 10
	DefaultAdapterWriteBuffer    = 2 << 10
	DefaultAdapterMaxPending     = 256 << 10
)

// adapterChunkSize is how many bytes a streaming response gathers before it
// hands them to the loop, unless the handler flushes first.
const adapterChunkSize = 32 << 10

// AdapterConfig holds a HandlerAdapter's bounds. The zero value means the
// defaults.
type AdapterConfig struct {
	// Workers bounds how many handlers run at once, each on its own
	// goroutine. Default DefaultAdapterWorkersPerCPU × GOMAXPROCS.
	Workers int
	// QueueSize bounds how many requests wait for a worker; a request
	// beyond it is answered 503 Service Unavailable. Default
	// DefaultAdapterQueuePerWorker × Workers; negative: no queue (503 as
	// soon as every worker is busy).
	QueueSize int
	// BodyBufferSize is how many request body bytes may wait for the
	// handler to read them before the connection stops reading. Default
	// DefaultAdapterBodyBuffer (64 KiB).
	BodyBufferSize int
	// WriteBufferSize is how many response bytes are held before the
	// head is sent: a handler that returns having written no more than
	// this (and never flushed) gets a Content-Length, otherwise the
	// response streams. Default DefaultAdapterWriteBuffer (2 KiB, as
	// net/http).
	WriteBufferSize int
	// MaxPendingOutput is how many response bytes may be queued for the
	// connection before the handler's Write waits for the client to take
	// them. Default DefaultAdapterMaxPending (256 KiB).
	MaxPendingOutput int
	// ErrorLog receives handler panics and misuse (a superfluous
	// WriteHeader). Default slog.Default().
	ErrorLog *slog.Logger
}

// A HandlerAdapter serves a net/http http.Handler on an evhttp Server.
// Register its Serve method as a route handler, with
// RouteOptions{StreamBody: true} so the request body streams to the handler
// rather than being read whole first:
//
//	a := evhttp.NewHandlerAdapter(http.FileServer(http.Dir("/srv")), nil)
//	srv.SetGenCallbackWith(a.Serve, evhttp.RouteOptions{StreamBody: true})
//
// Handlers run on a bounded pool of goroutines, never on the loop: Serve
// builds the *http.Request on the loop and hands it to a worker; the body
// and the response cross between the two through Base.Post, with
// backpressure both ways. Worker goroutines are started on demand, up to
// AdapterConfig.Workers, and exit when no request waits, so an idle adapter
// holds no goroutine.
//
// The http.ResponseWriter implements http.Flusher and http.Hijacker (and
// FlushError and EnableFullDuplex for http.ResponseController);
// r.Context() is cancelled when the client goes away or the handler
// returns. Differences from net/http's own server: 1xx interim responses
// other than 101 are not sent, response trailers are not sent, read and
// write deadlines are not supported, Hijack fails once WriteHeader was
// called (except after 101), and a response without Content-Type gets the
// Server's DefaultContentType when it has a body the handler did not sniff.
//
// A HandlerAdapter is safe for use by several Servers and loops at once.
type HandlerAdapter struct {
	h   http.Handler  // immutable
	cfg AdapterConfig // immutable, defaults filled in

	mu      sync.Mutex
	running int            // worker goroutines; guarded by mu
	queue   []*adapterCall // requests waiting for a worker; guarded by mu
}

// NewHandlerAdapter returns a HandlerAdapter serving h. cfg may be nil for
// the defaults.
func NewHandlerAdapter(h http.Handler, cfg *AdapterConfig) *HandlerAdapter {
	a := &HandlerAdapter{h: h}
	if cfg != nil {
		a.cfg = *cfg
	}
	c := &a.cfg
	if c.Workers <= 0 {
		c.Workers = DefaultAdapterWorkersPerCPU * runtime.GOMAXPROCS(0)
	}
	switch {
	case c.QueueSize == 0:
		c.QueueSize = DefaultAdapterQueuePerWorker * c.Workers
	case c.QueueSize < 0:
		c.QueueSize = 0
	}
	if c.BodyBufferSize <= 0 {
		c.BodyBufferSize = DefaultAdapterBodyBuffer
	}
	if c.WriteBufferSize <= 0 {
		c.WriteBufferSize = DefaultAdapterWriteBuffer
	}
	if c.MaxPendingOutput <= 0 {
		c.MaxPendingOutput = DefaultAdapterMaxPending
	}
	if c.ErrorLog == nil {
		c.ErrorLog = slog.Default()
	}
	return a
}

// Config returns the adapter's configuration with the defaults filled in.
func (a *HandlerAdapter) Config() AdapterConfig { return a.cfg }

// Serve answers r by running the adapter's http.Handler on a worker. It is
// an evhttp HandlerFunc: it runs on the loop goroutine and returns at once.
// A request arriving when every worker is busy and the queue is full is
// answered 503; a target that net/url rejects is answered 400.
func (a *HandlerAdapter) Serve(r *Request) {
	hreq, err := newHTTPRequest(r)
	if err != nil {
		r.SendError(StatusBadRequest, "")
		return
	}
	c := newAdapterCall(a, r, hreq)
	if !a.dispatch(c) {
		c.cancel(ErrAdapterQueueFull)
		c.r = nil
		r.SendError(StatusServiceUnavailable, "")
		return
	}
	r.CancelOnClose(c.onCancel)
	if c.body != nil {
		if r.BodyComplete() {
			c.body.feed(r)
			c.body.end(r, nil)
		} else {
			r.SetBodyHandler(c.body.feed, c.body.end)
		}
	}
}

// dispatch hands c to a worker, starting one if fewer than Workers run,
// or queues it; false when the queue is full.
func (a *HandlerAdapter) dispatch(c *adapterCall) bool {
	a.mu.Lock()
	defer a.mu.Unlock()
	switch {
	case a.running < a.cfg.Workers:
		a.running++
		go a.work(c)
	case len(a.queue) < a.cfg.QueueSize:
		a.queue = append(a.queue, c)
	default:
		return false
	}
	return true
}

// work runs c, then the queued requests, and returns when none is left.
func (a *HandlerAdapter) work(c *adapterCall) {
	for c != nil {
		if c.ctx.Err() == nil {
			c.run()
		}
		c.cancel(context.Canceled)
		a.mu.Lock()
		if len(a.queue) > 0 {
			c = a.queue[0]
			a.queue[0] = nil
			a.queue = a.queue[1:]
		} else {
			a.running--
			c = nil
		}
		a.mu.Unlock()
	}
}

// An adapterCall is one request on its way through the adapter.
type adapterCall struct {
	a      *HandlerAdapter
	base   *core.Base              // immutable
	req    *http.Request           // immutable pointer; the handler's
	ctx    context.Context         // immutable; req's context
	cancel context.CancelCauseFunc // immutable
	body   *adapterBody            // immutable; nil when the request has none

	// r is the evhttp Request, nil once the reply is complete, the
	// connection hijacked or gone. Loop goroutine only.
	r *Request
	// queued counts the body bytes handed to SendReplyChunk. Loop only.
	queued int64

	mu      sync.Mutex
	cond    sync.Cond // signalled when written or err change
	posted  int64     // response bytes posted to the loop; guarded by mu
	written int64     // of those, bytes the connection has sent; guarded by mu
	err     error     // why the request ended early; guarded by mu
}

func newAdapterCall(a *HandlerAdapter, r *Request, hreq *http.Request) *adapterCall {
	ctx := context.Background()
	if c := r.Connection(); c != nil && c.LocalAddr() != nil {
		ctx = context.WithValue(ctx, http.LocalAddrContextKey, c.LocalAddr())
	}
	ctx, cancel := context.WithCancelCause(ctx)
	c := &adapterCall{a: a, base: r.Base(), r: r, ctx: ctx, cancel: cancel}
	c.cond.L = &c.mu
	c.req = hreq.WithContext(ctx)
	if hreq.Body != http.NoBody {
		c.body = newAdapterBody(c, a.cfg.BodyBufferSize)
		c.req.Body = c.body
	}
	return c
}

// run calls the handler and sends what it leaves unsent (worker goroutine).
func (c *adapterCall) run() {
	w := newAdapterWriter(c)
	defer func() {
		if v := recover(); v != nil {
			w.panicked(v)
		}
	}()
	c.a.h.ServeHTTP(w, c.req)
	w.finish()
}

// onCancel is the Request's cancel callback: the connection went away
// before the reply was complete (loop goroutine).
func (c *adapterCall) onCancel(_ *Request, err error) {
	c.r = nil
	c.fail(err)
}

// fail records that the request ended early, wakes a waiting writer and
// reader, and cancels the context (any goroutine).
func (c *adapterCall) fail(err error) {
	if err == nil {
		err = ErrRequestDone
	}
	c.mu.Lock()
	if c.err == nil {
		c.err = err
	}
	c.mu.Unlock()
	c.cond.Broadcast()
	if c.body != nil {
		c.body.end(nil, err)
	}
	c.cancel(err)
}

// post runs fn on the loop with the live Request, if it is still live.
func (c *adapterCall) post(fn func(r *Request)) error {
	err := c.base.Post(func() {
		if c.r != nil {
			fn(c.r)
		}
	})
	if err != nil {
		c.fail(fmt.Errorf("%w: %w", ErrRequestDone, err))
	}
	return err
}

// onDrained is the drained callback of the reply's chunks: everything
// queued so far has been written (loop goroutine).
func (c *adapterCall) onDrained(*Request) {
	c.mu.Lock()
	c.written = c.queued
	c.mu.Unlock()
	c.cond.Broadcast()
}

// waitOutput blocks while more than MaxPendingOutput posted bytes are
// unwritten; it returns the error that ended the request, if any.
func (c *adapterCall) waitOutput() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	for c.err == nil && c.posted-c.written > int64(c.a.cfg.MaxPendingOutput) {
		c.cond.Wait()
	}
	return c.err
}

// failed returns the error that ended the request early, or nil.
func (c *adapterCall) failed() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.err
}

// abort closes the connection of a reply that cannot be completed (loop).
func (c *adapterCall) abort(r *Request) {
	c.r = nil
	r.Abort()
}
