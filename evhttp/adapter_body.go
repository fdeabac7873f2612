package evhttp

import (
	"fmt"
	"io"
	"net/http"
	"net/textproto"
	"sync"

	"github.com/goevent/goevent/evbuffer"
)

// adapterBody is the request body a HandlerAdapter's handler reads: the
// loop moves body bytes in as they arrive (feed) and pauses the request
// while more than limit bytes wait; the handler's reads resume it.
type adapterBody struct {
	c     *adapterCall // immutable
	limit int          // immutable

	mu     sync.Mutex
	cond   sync.Cond       // signalled when buf, err or closed change
	buf    evbuffer.Buffer // bytes not read yet; guarded by mu
	err    error           // io.EOF or why the body ended; guarded by mu
	closed bool            // the handler closed the body; guarded by mu
	paused bool            // the loop paused the request; guarded by mu
	peak   int             // the most bytes buf held (for tests); guarded by mu
}

func newAdapterBody(c *adapterCall, limit int) *adapterBody {
	b := &adapterBody{c: c, limit: limit}
	b.cond.L = &b.mu
	return b
}

// feed takes the body bytes waiting in r's InputBuffer (loop goroutine; the
// Request's body callback).
func (b *adapterBody) feed(r *Request) {
	in := r.InputBuffer()
	b.mu.Lock()
	if b.closed || b.err != nil {
		in.Drain(in.Len())
		b.mu.Unlock()
		return
	}
	in.RemoveBuffer(&b.buf, in.Len())
	if b.buf.Len() > b.peak {
		b.peak = b.buf.Len()
	}
	pause := b.buf.Len() >= b.limit && !b.paused
	if pause {
		b.paused = true
	}
	b.mu.Unlock()
	b.cond.Broadcast()
	if pause {
		r.PauseBody()
	}
}

// end marks the body complete (err nil: the trailer is copied into the
// http.Request's Trailer) or failed (loop goroutine; the Request's body-end
// callback, also called when the request ends early, then with r nil).
func (b *adapterBody) end(r *Request, err error) {
	b.mu.Lock()
	if b.err == nil {
		if err == nil {
			if r != nil && r.Trailers().Len() > 0 {
				hreq := b.c.req
				if hreq.Trailer == nil {
					hreq.Trailer = make(http.Header)
				}
				r.Trailers().Range(func(name, value string) bool {
					k := textproto.CanonicalMIMEHeaderKey(name)
					hreq.Trailer[k] = append(hreq.Trailer[k], value)
					return true
				})
			}
			b.err = io.EOF
		} else {
			b.err = fmt.Errorf("evhttp: request body: %w", err)
		}
	}
	b.mu.Unlock()
	b.cond.Broadcast()
}

// Read reads body bytes, waiting for the loop to deliver them.
func (b *adapterBody) Read(p []byte) (int, error) {
	b.mu.Lock()
	for b.buf.Len() == 0 && b.err == nil && !b.closed {
		b.cond.Wait()
	}
	if b.closed {
		b.mu.Unlock()
		return 0, http.ErrBodyReadAfterClose
	}
	if b.buf.Len() == 0 {
		err := b.err
		b.mu.Unlock()
		return 0, err
	}
	n, _ := b.buf.Remove(p)
	resume := b.paused && b.buf.Len() <= b.limit/2
	if resume {
		b.paused = false
	}
	b.mu.Unlock()
	if resume {
		b.c.post((*Request).ResumeBody)
	}
	return n, nil
}

// Close discards what is left of the body; later reads fail with
// http.ErrBodyReadAfterClose.
func (b *adapterBody) Close() error {
	b.mu.Lock()
	if b.closed {
		b.mu.Unlock()
		return nil
	}
	b.closed = true
	b.buf.Reset()
	resume := b.paused
	b.paused = false
	b.mu.Unlock()
	b.cond.Broadcast()
	if resume {
		b.c.post((*Request).ResumeBody)
	}
	return nil
}

// takeBuffered removes and returns the bytes not read yet and ends the body
// with err (loop goroutine, for Hijack).
func (b *adapterBody) takeBuffered(err error) []byte {
	b.mu.Lock()
	p := make([]byte, b.buf.Len())
	b.buf.Remove(p)
	if b.err == nil {
		b.err = err
	}
	b.mu.Unlock()
	b.cond.Broadcast()
	return p
}
