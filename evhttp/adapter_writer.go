package evhttp

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"runtime/debug"
	"sort"
	"strconv"
	"strings"

	"github.com/goevent/goevent/evbuffer"
)

// ErrHijackAfterHeader is returned by the adapter's Hijack once the
// handler has called WriteHeader or Write (other than with 101 Switching
// Protocols).
var ErrHijackAfterHeader = errors.New("evhttp: Hijack after WriteHeader")

// sniffLen is how much of the body http.DetectContentType looks at.
const sniffLen = 512

// adapterWriter is the http.ResponseWriter of a HandlerAdapter's handler.
// It belongs to the worker goroutine running the handler; it reaches the
// loop only through its adapterCall.
type adapterWriter struct {
	c      *adapterCall
	header http.Header // the handler's map
	snap   http.Header // header as of WriteHeader
	code   int
	isHead bool
	buf    *evbuffer.Buffer // body bytes not handed to the loop yet

	wroteHeader bool  // WriteHeader was called or implied
	committed   bool  // the head was handed to the loop
	finished    bool  // the handler returned
	hijacked    bool  // Hijack succeeded
	written     int64 // body bytes accepted
	declared    int64 // the handler's Content-Length, -1 when none

	upConn net.Conn          // after a 101, the connection taken over
	upRW   *bufio.ReadWriter // and its buffered view
}

func newAdapterWriter(c *adapterCall) *adapterWriter {
	return &adapterWriter{
		c:        c,
		header:   make(http.Header),
		isHead:   c.req.Method == "HEAD",
		buf:      new(evbuffer.Buffer),
		declared: -1,
	}
}

// Header returns the header map the response will carry, as in net/http:
// changes after WriteHeader have no effect.
func (w *adapterWriter) Header() http.Header { return w.header }

// WriteHeader sends the status code with the header (when the first body
// bytes are flushed or the handler returns). It follows net/http: a second
// call is logged and ignored, a code outside 100-999 panics, and 1xx codes
// other than 101 are not final (here they are not sent at all).
func (w *adapterWriter) WriteHeader(code int) {
	if w.hijacked {
		w.c.a.cfg.ErrorLog.Warn("evhttp: WriteHeader on a hijacked connection")
		return
	}
	if w.wroteHeader {
		w.c.a.cfg.ErrorLog.Warn("evhttp: superfluous WriteHeader call", "code", code)
		return
	}
	if code < 100 || code > 999 {
		// net/http's contract for a programming error in the handler;
		// the adapter recovers it like any handler panic.
		panic(fmt.Sprintf("invalid WriteHeader code %v", code))
	}
	if code < 200 && code != StatusSwitchingProtocols {
		return
	}
	w.wroteHeader = true
	w.code = code
	w.snap = w.header.Clone()
	if w.snap == nil {
		w.snap = make(http.Header)
	}
	if v := w.snap.Get("Content-Length"); v != "" {
		if n, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64); err == nil && n >= 0 {
			w.declared = n
		} else {
			w.c.a.cfg.ErrorLog.Warn("evhttp: invalid Content-Length in response", "value", v)
			w.snap.Del("Content-Length")
		}
	}
}

// Write queues body bytes; the first ones imply WriteHeader(200). It waits
// while more than MaxPendingOutput bytes are queued for the client.
func (w *adapterWriter) Write(p []byte) (int, error) {
	if w.hijacked {
		return 0, http.ErrHijacked
	}
	if w.finished {
		return 0, fmt.Errorf("%w: Write after the handler returned", ErrRequestDone)
	}
	if !w.wroteHeader {
		w.WriteHeader(StatusOK)
	}
	if !bodyAllowed(w.code) {
		return 0, http.ErrBodyNotAllowed
	}
	if err := w.c.failed(); err != nil {
		return 0, err
	}
	if w.declared >= 0 && w.written+int64(len(p)) > w.declared {
		return 0, http.ErrContentLength
	}
	w.written += int64(len(p))
	if w.committed && w.isHead {
		return len(p), nil
	}
	w.buf.Add(p)
	if !w.committed {
		if w.buf.Len() <= w.c.a.cfg.WriteBufferSize {
			return len(p), nil
		}
		w.commit()
		if w.isHead {
			w.buf.Reset()
			return len(p), nil
		}
	}
	if w.buf.Len() >= adapterChunkSize {
		if err := w.sendChunk(); err != nil {
			return 0, err
		}
	}
	return len(p), nil
}

// WriteString is Write for a string.
func (w *adapterWriter) WriteString(s string) (int, error) {
	return w.Write([]byte(s))
}

// Flush sends the head, if not sent yet, and the bytes written so far.
func (w *adapterWriter) Flush() { w.FlushError() }

// FlushError is Flush returning the error that ended the request, for
// http.ResponseController.
func (w *adapterWriter) FlushError() error {
	if w.hijacked {
		return http.ErrHijacked
	}
	if w.finished {
		return ErrRequestDone
	}
	if !w.wroteHeader {
		w.WriteHeader(StatusOK)
	}
	if w.code == StatusSwitchingProtocols {
		return w.upgrade()
	}
	if !w.committed {
		w.commit()
	}
	if w.isHead {
		w.buf.Reset()
	}
	return w.sendChunk()
}

// EnableFullDuplex reports success: the request body can always be read
// while the response is written (http.ResponseController).
func (w *adapterWriter) EnableFullDuplex() error { return nil }

// Hijack takes the connection over (http.Hijacker). It must come before
// WriteHeader, or after WriteHeader(101). The returned ReadWriter's Reader
// holds the request body bytes the handler had not read, then what the
// client sends next; the caller must Close the net.Conn.
func (w *adapterWriter) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	switch {
	case w.hijacked:
		return nil, nil, http.ErrHijacked
	case w.finished:
		return nil, nil, ErrRequestDone
	case w.wroteHeader && w.code == StatusSwitchingProtocols:
		if err := w.upgrade(); err != nil {
			return nil, nil, err
		}
		w.hijacked = true
		conn, rw := w.upConn, w.upRW
		w.upConn, w.upRW = nil, nil
		return conn, rw, nil
	case w.wroteHeader:
		return nil, nil, ErrHijackAfterHeader
	}
	conn, rw, err := w.takeOver(false)
	if err != nil {
		return nil, nil, err
	}
	w.hijacked = true
	return conn, rw, nil
}

// upgrade sends the 101 head and takes the connection over, once.
func (w *adapterWriter) upgrade() error {
	if w.committed {
		if w.upConn == nil {
			return ErrRequestDone
		}
		return nil
	}
	w.committed = true
	conn, rw, err := w.takeOver(true)
	if err != nil {
		return err
	}
	w.upConn, w.upRW = conn, rw
	return nil
}

// hijackResult carries a Hijack done on the loop back to the worker.
type hijackResult struct {
	conn net.Conn
	left []byte // body bytes read from the connection but not by the handler
	err  error
}

// takeOver hijacks the connection on the loop, after sending the 101 head
// when send101 is set, and waits for the result.
func (w *adapterWriter) takeOver(send101 bool) (net.Conn, *bufio.ReadWriter, error) {
	c := w.c
	fields := w.fields(false)
	ch := make(chan hijackResult, 1)
	err := c.base.Post(func() {
		r := c.r
		if r == nil {
			err := c.failed()
			if err == nil {
				err = ErrRequestDone
			}
			ch <- hijackResult{err: err}
			return
		}
		if send101 {
			setOutputHeaders(r, fields)
			if err := r.SendReply(StatusSwitchingProtocols, "", nil); err != nil && !errors.Is(err, ErrInvalidField) {
				ch <- hijackResult{err: err}
				return
			}
		}
		bev, err := r.Hijack()
		if err != nil {
			ch <- hijackResult{err: err}
			return
		}
		c.r = nil
		var left []byte
		if c.body != nil {
			left = c.body.takeBuffered(http.ErrHijacked)
		}
		ch <- hijackResult{conn: bev.AsNetConn(), left: left}
	})
	if err != nil {
		return nil, nil, fmt.Errorf("%w: %w", ErrRequestDone, err)
	}
	res := <-ch
	if res.err != nil {
		return nil, nil, res.err
	}
	var rd io.Reader = res.conn
	if len(res.left) > 0 {
		rd = io.MultiReader(bytes.NewReader(res.left), res.conn)
	}
	return res.conn, bufio.NewReadWriter(bufio.NewReader(rd), bufio.NewWriter(res.conn)), nil
}

// adapterField is one reply header field handed to the loop.
type adapterField struct{ name, value string }

// fields returns the header as of WriteHeader in a stable order (sorted by
// name, values in order), with Content-Type sniffed from the buffered body
// when sniff is set and the handler set none, as net/http does. Trailer
// declarations are left out: the server sends no response trailers.
func (w *adapterWriter) fields(sniff bool) []adapterField {
	h := w.snap
	if h == nil {
		h = w.header
	}
	keys := make([]string, 0, len(h))
	for k := range h {
		if k == "Trailer" || strings.HasPrefix(k, http.TrailerPrefix) {
			continue
		}
		keys = append(keys, k)
	}
	sort.Strings(keys)
	out := make([]adapterField, 0, len(keys)+1)
	for _, k := range keys {
		for _, v := range h[k] {
			out = append(out, adapterField{k, v})
		}
	}
	_, haveType := h["Content-Type"]
	if sniff && !haveType && h.Get("Transfer-Encoding") == "" && bodyAllowed(w.code) && w.buf.Len() > 0 {
		var p [sniffLen]byte
		n, _ := w.buf.CopyOut(p[:])
		out = append(out, adapterField{"Content-Type", http.DetectContentType(p[:n])})
	}
	return out
}

// setOutputHeaders puts fields in r's OutputHeaders (loop goroutine).
func setOutputHeaders(r *Request, fields []adapterField) {
	oh := r.OutputHeaders()
	oh.Reset()
	for _, f := range fields {
		oh.Add(f.name, f.value)
	}
}

// commit hands the head of a streamed reply to the loop.
func (w *adapterWriter) commit() {
	w.committed = true
	c, code, fields := w.c, w.code, w.fields(true)
	c.post(func(r *Request) {
		setOutputHeaders(r, fields)
		r.SendReplyStart(code, "")
	})
}

// sendChunk hands the buffered body bytes to the loop and waits while too
// many are queued.
func (w *adapterWriter) sendChunk() error {
	c := w.c
	n := w.buf.Len()
	if n > 0 {
		b := w.buf
		w.buf = new(evbuffer.Buffer)
		c.mu.Lock()
		c.posted += int64(n)
		c.mu.Unlock()
		c.post(func(r *Request) {
			c.queued += int64(n)
			r.SendReplyChunk(b, c.onDrained)
		})
	}
	return c.waitOutput()
}

// finish completes the reply after the handler returned (worker).
func (w *adapterWriter) finish() {
	if w.hijacked {
		w.finished = true
		return
	}
	if !w.wroteHeader {
		w.WriteHeader(StatusOK)
	}
	w.finished = true
	c := w.c
	switch {
	case w.upConn != nil:
		// A 101 the handler never took over.
		w.upConn.Close()
		w.upConn, w.upRW = nil, nil
		return
	case w.committed:
	case w.declared >= 0 && w.written < w.declared && bodyAllowed(w.code) && !w.isHead:
		// Shorter than declared: stream it, so the server closes the
		// connection after it and the client sees the body cut short.
		w.commit()
	default:
		code, fields, body := w.code, w.fields(true), w.buf
		w.buf = nil
		c.post(func(r *Request) {
			c.r = nil
			setOutputHeaders(r, fields)
			r.SendReply(code, "", body)
		})
		return
	}
	if !w.isHead {
		w.sendChunk()
	}
	c.post(func(r *Request) {
		c.r = nil
		r.SendReplyEnd()
	})
}

// panicked ends the reply of a handler that panicked with v (worker): a 500
// when nothing was sent yet, else the connection is aborted so the client
// cannot take the truncated reply for a complete one.
func (w *adapterWriter) panicked(v any) {
	c := w.c
	if v != http.ErrAbortHandler {
		c.a.cfg.ErrorLog.Error("evhttp: panic serving request", "remote", c.req.RemoteAddr,
			"method", c.req.Method, "uri", c.req.RequestURI, "panic", fmt.Sprint(v), "stack", string(debug.Stack()))
	}
	w.finished = true
	switch {
	case w.hijacked:
	case w.upConn != nil:
		w.upConn.Close()
		w.upConn, w.upRW = nil, nil
	case !w.committed:
		c.post(func(r *Request) {
			c.r = nil
			r.SendError(StatusInternalServerError, "")
		})
	default:
		// Abort once what was sent before the panic has been written.
		c.post(func(r *Request) { r.SendReplyChunk(nil, c.abort) })
	}
}
