package proxy

import (
	"fmt"
	"strings"
	"time"

	"github.com/goevent/goevent/bufferevent"
	"github.com/goevent/goevent/evhttp"
)

// tunnelHighWater is how many bytes may wait in one side's output before
// the tunnel stops reading the other side; reading resumes once the
// output drained to tunnelLowWater.
const (
	tunnelHighWater = 256 << 10
	tunnelLowWater  = 64 << 10
)

// switchProtocols completes an upgrade the upstream accepted (101): the
// upstream connection and the client's are taken from their HTTP
// machinery, the 101 with the upstream's end-to-end fields is written to
// the client, and a tunnel joins the two connections.
//
// The client's connection is taken before anything is sent on it and the
// 101 written by hand: evhttp's Server hands a connection over after
// SendReply(101) only from inside the handler, and this runs later, in
// the upstream's callback.
func (x *exchange) switchProtocols(cr *evhttp.ClientRequest) {
	if x.upgrade == "" {
		x.upstreamFailed(fmt.Errorf("%w: 101 to a request that asked for no upgrade", evhttp.ErrBadResponse))
		cr.Cancel()
		return
	}
	up, err := cr.Hijack()
	if err != nil {
		x.upstreamFailed(err)
		return
	}
	client, err := x.r.Hijack()
	if err != nil {
		up.Free()
		x.res.Code = evhttp.StatusBadGateway
		x.r.SendError(evhttp.StatusBadGateway, "")
		x.end(err)
		return
	}
	var h evhttp.Header
	responseHeader(&h, cr.ResponseHeader(), true)
	reason := cr.Reason()
	if reason == "" || strings.ContainsAny(reason, "\r\n") {
		reason = evhttp.StatusText(evhttp.StatusSwitchingProtocols)
	}
	client.Output().AddString("HTTP/1.1 101 " + reason + "\r\n" + h.String() + "\r\n")
	x.res.Code = evhttp.StatusSwitchingProtocols
	x.end(nil)
	newTunnel(client, up)
}

// tunnel pumps bytes both ways between two connections until either side
// closes: what the closing side sent is still delivered to the other,
// which is then closed too. Each direction stops reading while the other
// side's output holds tunnelHighWater bytes (backpressure). It lives on
// the loop goroutine of both connections.
type tunnel struct {
	a, b   *bufferevent.BufferEvent
	closed bool
}

func newTunnel(a, b *bufferevent.BufferEvent) *tunnel {
	t := &tunnel{a: a, b: b}
	t.wire(a, b)
	t.wire(b, a)
	a.SetTimeouts(0, 0)
	b.SetTimeouts(0, 0)
	// Bytes that arrived with the heads (already in Input) go first.
	t.pump(a, b)
	t.pump(b, a)
	if !t.closed {
		a.Enable(bufferevent.Read | bufferevent.Write)
		b.Enable(bufferevent.Read | bufferevent.Write)
	}
	return t
}

// wire sets src's callbacks: its input goes to dst, its drained output
// lets dst read again.
func (t *tunnel) wire(src, dst *bufferevent.BufferEvent) {
	src.SetWatermark(bufferevent.Write, tunnelLowWater, 0)
	src.SetCallbacks(
		func(*bufferevent.BufferEvent) { t.pump(src, dst) },
		func(*bufferevent.BufferEvent) {
			if !t.closed {
				dst.Enable(bufferevent.Read)
			}
		},
		func(_ *bufferevent.BufferEvent, what bufferevent.What, _ error) {
			if what&(bufferevent.EOF|bufferevent.Error|bufferevent.Timeout) != 0 {
				t.pump(src, dst)
				t.close()
			}
		},
	)
}

// pump moves src's input to dst's output and stops reading src while
// dst's output is full.
func (t *tunnel) pump(src, dst *bufferevent.BufferEvent) {
	if t.closed {
		return
	}
	if in := src.Input(); in.Len() > 0 {
		dst.Output().AddBuffer(in)
	}
	if dst.Output().Len() >= tunnelHighWater {
		src.Disable(bufferevent.Read)
	}
}

// close ends both sides, each after its queued output is written (or
// its peer is gone).
func (t *tunnel) close() {
	if t.closed {
		return
	}
	t.closed = true
	t.a.Close(tunnelLinger, nil)
	t.b.Close(tunnelLinger, nil)
}

// tunnelLinger bounds how long a closing tunnel keeps writing what one
// side sent last to the other.
const tunnelLinger = 10 * time.Second
