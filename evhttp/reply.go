package evhttp

import (
	"errors"
	"fmt"
	"strconv"

	"github.com/goevent/goevent/bufferevent"
	"github.com/goevent/goevent/evbuffer"
)

// Errors of the reply methods.
var (
	// ErrRequestDone: the request's reply is complete, or the connection
	// went away (the cancel callback ran), or it was hijacked.
	ErrRequestDone = errors.New("evhttp: request finished")
	// ErrReplyStarted: SendReply, SendError or SendReplyStart after a
	// reply was started.
	ErrReplyStarted = errors.New("evhttp: reply already started")
	// ErrReplyNotStarted: SendReplyChunk or SendReplyEnd without
	// SendReplyStart.
	ErrReplyNotStarted = errors.New("evhttp: reply not started")
	// ErrBodyLength: a streamed reply's chunks exceed the Content-Length
	// the handler set.
	ErrBodyLength = errors.New("evhttp: reply body longer than its Content-Length")
	// ErrInvalidField: a reply header field with an invalid name or
	// value was left out.
	ErrInvalidField = errors.New("evhttp: invalid reply header field")
	// ErrHijack: Hijack when the connection cannot be handed over.
	ErrHijack = errors.New("evhttp: connection cannot be hijacked")
)

func (r *Request) checkOpen() error {
	if r.c == nil || r.c.bev == nil || r.reply == replyDone || r.reply == replyCanceled || r.reply == replyHijacked {
		return ErrRequestDone
	}
	return nil
}

// SendReply sends the whole reply: status code, reason phrase (""
// for the standard one), the OutputHeaders, and body, which is moved (not
// copied) into the connection's output after whatever OutputBuffer holds;
// body may be nil. The Server adds Content-Length (a HEAD request gets the
// length without the body; 1xx, 204 and 304 get neither), Date, a default
// Content-Type and Connection as needed. After a 101 Switching Protocols,
// call Hijack before returning to the loop. The Request is finished when
// SendReply returns, even when it returns an error wrapping
// ErrInvalidField (the reply went out without that field).
func (r *Request) SendReply(code int, reason string, body *evbuffer.Buffer) error {
	if err := r.checkOpen(); err != nil {
		return err
	}
	if r.reply != replyNone {
		return ErrReplyStarted
	}
	if code < 100 || code > 999 {
		return fmt.Errorf("evhttp: invalid status code %d", code)
	}
	if body != nil && body != &r.out {
		if err := r.out.AddBuffer(body); err != nil {
			return fmt.Errorf("%w: %w", ErrBuffer, err)
		}
	}
	c := r.c
	r.code = code
	if err := r.compressWhole(code); err != nil {
		r.keepAlive = false
		return r.sendError(StatusInternalServerError, "", err)
	}
	withBody := bodyAllowed(code) && r.p.method != "HEAD"
	err := c.writeHead(r, code, reason, int64(r.out.Len()), false, false)
	out := c.bev.Output()
	if withBody {
		if e := out.AddBuffer(&r.out); e != nil && err == nil {
			err = fmt.Errorf("%w: %w", ErrBuffer, e)
		}
	} else {
		r.out.Reset()
	}
	r.reply = replyDone
	if code == StatusSwitchingProtocols {
		// The caller hijacks next, possibly from a callback outside the
		// connection's own (a proxy answering from its upstream's): let it,
		// and close the connection only if nobody has by the end of the
		// pass.
		c.upgraded = true
		if !c.inProcess {
			c.ls.base.Post(c.schedule)
		}
		return err
	}
	c.schedule()
	return err
}

// SendError sends an error reply with a small HTML body naming the status
// (libevent's evhttp_send_error). reason replaces the standard phrase when
// not empty. It clears OutputHeaders and OutputBuffer first.
func (r *Request) SendError(code int, reason string) error {
	if err := r.checkOpen(); err != nil {
		return err
	}
	if r.reply != replyNone {
		return ErrReplyStarted
	}
	return r.sendError(code, reason, nil)
}

// sendError sends the error page; the server's own errors come here.
func (r *Request) sendError(code int, reason string, _ error) error {
	allow := r.outHeaders.Get("Allow")
	r.outHeaders.Reset()
	r.out.Reset()
	if code == StatusMethodNotAllowed && allow != "" {
		r.outHeaders.Add("Allow", allow)
	}
	if reason == "" || !validFieldValue(reason) {
		reason = StatusText(code)
	}
	r.outHeaders.Add("Content-Type", "text/html; charset=utf-8")
	if !r.keepAlive {
		r.outHeaders.Add("Connection", "close")
	}
	phrase := HTMLEscape(strconv.Itoa(code) + " " + reason)
	r.out.AddString("<html><head><title>")
	r.out.AddString(phrase)
	r.out.AddString("</title></head><body><h1>")
	r.out.AddString(phrase)
	r.out.AddString("</h1>")
	if code == StatusNotFound {
		r.out.AddString("<p>The requested URL ")
		r.out.AddString(HTMLEscape(r.path))
		r.out.AddString(" was not found on this server.</p>")
	}
	r.out.AddString("</body></html>\n")
	return r.SendReply(code, reason, nil)
}

// SendReplyStart starts a streamed reply (libevent's
// evhttp_send_reply_start): the head goes out now, the body follows with
// SendReplyChunk and ends with SendReplyEnd. If OutputHeaders holds a valid
// Content-Length the body is sent as is and must be exactly that long;
// otherwise an HTTP/1.1 client gets chunked framing and an HTTP/1.0 client
// gets the body until the connection closes.
func (r *Request) SendReplyStart(code int, reason string) error {
	if err := r.checkOpen(); err != nil {
		return err
	}
	if r.reply != replyNone {
		return ErrReplyStarted
	}
	if code < 200 || code > 999 {
		return fmt.Errorf("evhttp: invalid status code %d for a streamed reply", code)
	}
	r.code = code
	r.startStreamCompression(code)
	r.respLength = -1
	if v := r.outHeaders.Get("Content-Length"); v != "" {
		if n, ok := parseContentLength([]byte(v)); ok {
			r.respLength = n
		}
	}
	if r.respLength < 0 && bodyAllowed(code) && r.p.method != "HEAD" {
		if r.p.minor >= 1 {
			r.respChunk = true
		} else {
			r.keepAlive = false
		}
	}
	err := r.c.writeHead(r, code, reason, r.respLength, r.respChunk, true)
	r.reply = replyStarted
	return err
}

// SendReplyChunk queues body as the next part of a streamed reply, moving
// its bytes. drained, when not nil, runs once the connection's output has
// drained (everything queued so far is written), which is how a handler
// producing a large body keeps memory bounded: send the next chunk from
// drained.
func (r *Request) SendReplyChunk(body *evbuffer.Buffer, drained func(*Request)) error {
	if err := r.checkOpen(); err != nil {
		return err
	}
	if r.reply != replyStarted {
		return ErrReplyNotStarted
	}
	c := r.c
	out := c.bev.Output()
	if r.zw != nil && body != nil && body.Len() > 0 {
		if err := r.compressChunk(body, false); err != nil {
			return fmt.Errorf("%w: compressing: %w", ErrBuffer, err)
		}
		body = &r.zbuf
	}
	n := 0
	if body != nil {
		n = body.Len()
	}
	var err error
	switch {
	case n == 0:
	case !bodyAllowed(r.code) || r.p.method == "HEAD":
		body.Reset()
	case r.respChunk:
		var sz [20]byte
		out.Add(strconv.AppendInt(sz[:0], int64(n), 16))
		out.AddString("\r\n")
		out.AddBuffer(body)
		out.AddString("\r\n")
	case r.respLength >= 0 && r.respSent+int64(n) > r.respLength:
		body.Reset()
		r.keepAlive = false
		err = ErrBodyLength
	default:
		out.AddBuffer(body)
	}
	r.respSent += int64(n)
	if drained != nil {
		if out.Len() == 0 {
			// Nothing to wait for; run it from the loop, not from here.
			c.ls.base.Post(func() {
				if r.c == c && r.reply == replyStarted {
					drained(r)
				}
			})
		} else {
			r.drained = drained
			c.bev.SetWatermark(bufferevent.Write, 0, 0)
		}
	}
	return err
}

// SendReplyEnd ends a streamed reply (the last chunk for chunked framing).
// A reply shorter than the Content-Length it declared closes the
// connection, so the client sees it was cut short.
func (r *Request) SendReplyEnd() error {
	if err := r.checkOpen(); err != nil {
		return err
	}
	if r.reply != replyStarted {
		return ErrReplyNotStarted
	}
	c := r.c
	if r.zw != nil {
		// The compressed stream's trailer goes out as the last chunk.
		if err := r.compressChunk(nil, true); err == nil && r.zbuf.Len() > 0 {
			if err := r.SendReplyChunk(&r.zbuf, nil); err != nil {
				return err
			}
		}
	}
	if r.respChunk {
		out := c.bev.Output()
		out.AddString("0\r\n")
		h := &r.outTrailers
		for _, f := range h.fields {
			name, value := h.name(f), h.value(f)
			if !isToken(name) || !validFieldValue(value) || isFramingField(name) {
				continue
			}
			out.Add(name)
			out.AddString(": ")
			out.Add(value)
			out.AddString("\r\n")
		}
		out.AddString("\r\n")
	} else if r.respLength >= 0 && r.respSent < r.respLength && bodyAllowed(r.code) && r.p.method != "HEAD" {
		r.keepAlive = false
	}
	r.drained = nil
	r.reply = replyDone
	c.schedule()
	return nil
}

// OutputTrailers returns the trailer fields sent after the body of a
// streamed reply that uses chunked framing (SendReplyEnd writes them; other
// replies have no trailer section, and these fields are dropped). Fields
// that frame the message (Content-Length, Transfer-Encoding, Host...) and
// invalid ones are not sent. Announce them with a Trailer field in
// OutputHeaders if the client needs to know in advance.
func (r *Request) OutputTrailers() *Header { return &r.outTrailers }

// isFramingField reports whether a field may not appear in a trailer
// (RFC 9110 §6.5.1: framing, routing, authentication, controls).
func isFramingField(name []byte) bool {
	for _, n := range [...]string{"Content-Length", "Transfer-Encoding", "Host", "Content-Encoding",
		"Content-Type", "Content-Range", "Trailer", "Authorization", "Set-Cookie", "Cache-Control",
		"Expect", "Max-Forwards", "TE", "Connection"} {
		if equalFold(name, n) {
			return true
		}
	}
	return false
}

// SendInformational sends an interim 1xx response (103 Early Hints with
// the OutputHeaders' Link fields, or 100 Continue, 102 Processing) before
// the final reply, to an HTTP/1.1 client; the OutputHeaders are sent with
// it and then cleared for the final reply. 101 is not interim: use
// SendReply and Hijack. An HTTP/1.0 client gets nothing (RFC 9110 §15.2).
func (r *Request) SendInformational(code int) error {
	if err := r.checkOpen(); err != nil {
		return err
	}
	if r.reply != replyNone {
		return ErrReplyStarted
	}
	if code < 100 || code > 199 || code == StatusSwitchingProtocols {
		return fmt.Errorf("evhttp: invalid informational status %d", code)
	}
	if r.p.minor == 0 {
		r.outHeaders.Reset()
		return nil
	}
	b := r.c.ls.scratch[:0]
	b = append(b, "HTTP/1.1 "...)
	b = strconv.AppendInt(b, int64(code), 10)
	b = append(b, ' ')
	b = append(b, StatusText(code)...)
	b = append(b, "\r\n"...)
	h := &r.outHeaders
	var err error
	for _, f := range h.fields {
		name, value := h.name(f), h.value(f)
		if !isToken(name) || !validFieldValue(value) {
			err = fmt.Errorf("%w: %q", ErrInvalidField, name)
			continue
		}
		b = append(b, name...)
		b = append(b, ": "...)
		b = append(b, value...)
		b = append(b, "\r\n"...)
	}
	b = append(b, "\r\n"...)
	r.c.ls.scratch = b[:0]
	r.outHeaders.Reset()
	if e := r.c.bev.Output().Add(b); e != nil {
		return fmt.Errorf("%w: %w", ErrBuffer, e)
	}
	if code == StatusContinue {
		r.expect100 = false // owed no more
	}
	return err
}

// Abort ends the request's connection without a reply, or without the
// rest of a started one: what was already queued is still written, then
// the connection closes, so the client sees a reply cut short (no last
// chunk, or fewer bytes than the Content-Length). It is for a handler that
// cannot finish a reply it started (an upstream failing mid-body). The
// Request is finished.
func (r *Request) Abort() error {
	if r.c == nil || r.c.bev == nil || r.reply == replyCanceled || r.reply == replyHijacked || r.reply == replyDone {
		return ErrRequestDone
	}
	r.reply = replyCanceled
	r.c.closeWith(ErrAborted)
	return nil
}

// Hijack takes the connection away from the Server and returns its
// BufferEvent, with whatever the client sent after the request head still
// in its Input and the callbacks and timeouts cleared: the caller now owns
// it and must Free it. It is for protocols that replace HTTP on the
// connection: call it before any reply (the caller writes its own, as for
// CONNECT), or right after SendReply with 101 Switching Protocols, in the
// same callback (a connection upgraded but not hijacked by the end of the
// loop pass is closed). The Request is finished.
func (r *Request) Hijack() (*bufferevent.BufferEvent, error) {
	if r.c == nil || r.c.bev == nil || r.reply == replyCanceled || r.reply == replyHijacked {
		return nil, ErrRequestDone
	}
	c := r.c
	if !(r.reply == replyNone || r.reply == replyDone && r.code == StatusSwitchingProtocols && c.req == r) {
		return nil, ErrHijack
	}
	if !r.bodyDone && r.handled && r.route.opts.StreamBody && r.in.Len() > 0 {
		return nil, fmt.Errorf("%w: part of the body was already read", ErrHijack)
	}
	bev := c.bev
	r.reply = replyHijacked
	c.req = nil
	r.c = nil
	c.detach(nil)
	c.unlink()
	bev.SetTimeouts(0, 0)
	return bev, nil
}

// writeHead writes the status line and header section of r's reply to the
// connection's output. bodyLen is the body's length, or -1 when unknown
// (chunked or until close).
func (c *conn) writeHead(r *Request, code int, reason string, bodyLen int64, chunked, streamed bool) error {
	if reason == "" || !validFieldValue(reason) {
		reason = StatusText(code)
	}
	b := c.ls.scratch[:0]
	b = append(b, "HTTP/1.1 "...)
	b = strconv.AppendInt(b, int64(code), 10)
	b = append(b, ' ')
	b = append(b, reason...)
	b = append(b, "\r\n"...)

	var err error
	var hasDate, hasType, userLength bool
	head := r.p.method == "HEAD"
	tunnel := r.p.method == "CONNECT" && code >= 200 && code < 300
	framed := bodyAllowed(code) && !tunnel
	h := &r.outHeaders
	for _, f := range h.fields {
		name, value := h.name(f), h.value(f)
		if !isToken(name) || !validFieldValue(value) {
			err = fmt.Errorf("%w: %q", ErrInvalidField, name)
			continue
		}
		switch {
		case equalFold(name, "Connection"):
			if hasTokenBytes(value, "close") {
				r.keepAlive = false
			}
			if code != StatusSwitchingProtocols {
				continue // ours follows
			}
		case equalFold(name, "Content-Length"):
			// Ours is the body's true length; the handler's stands for a
			// HEAD or 304 (the length of what a GET would get) and for a
			// streamed body that declared it.
			if !(head || code == StatusNotModified || streamed && bodyLen >= 0) {
				continue
			}
			userLength = true
		case equalFold(name, "Transfer-Encoding"):
			continue // framing is the Server's
		case equalFold(name, "Date"):
			hasDate = true
		case equalFold(name, "Content-Type"):
			hasType = true
		}
		b = append(b, name...)
		b = append(b, ": "...)
		b = append(b, value...)
		b = append(b, "\r\n"...)
	}
	if !hasDate {
		b = append(b, "Date: "...)
		b = append(b, c.ls.dateHeader()...)
		b = append(b, "\r\n"...)
	}
	if framed {
		if !hasType && (bodyLen > 0 || bodyLen < 0) {
			b = append(b, "Content-Type: "...)
			b = append(b, c.srv.cfg.DefaultContentType...)
			b = append(b, "\r\n"...)
		}
		switch {
		case chunked:
			b = append(b, "Transfer-Encoding: chunked\r\n"...)
		case userLength:
		case bodyLen >= 0:
			b = append(b, "Content-Length: "...)
			b = strconv.AppendInt(b, bodyLen, 10)
			b = append(b, "\r\n"...)
		}
	}
	if code != StatusSwitchingProtocols {
		switch {
		case !r.keepAlive || c.ls.draining:
			r.keepAlive = false
			b = append(b, "Connection: close\r\n"...)
		case r.p.minor == 0:
			b = append(b, "Connection: keep-alive\r\n"...)
		}
	}
	b = append(b, "\r\n"...)
	c.ls.scratch = b[:0]
	if e := c.bev.Output().Add(b); e != nil {
		return fmt.Errorf("%w: %w", ErrBuffer, e)
	}
	return err
}

// validFieldValue reports whether v may be sent as a field value or a
// reason phrase: HT, SP, VCHAR and obs-text only, so no CR, LF or NUL
// (no header injection).
func validFieldValue[T string | []byte](v T) bool {
	for i := 0; i < len(v); i++ {
		if c := v[i]; c < ' ' && c != '\t' || c == 0x7f {
			return false
		}
	}
	return true
}
