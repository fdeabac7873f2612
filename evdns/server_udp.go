package evdns

import (
	"errors"
	"net/netip"
	"os"

	"github.com/goevent/goevent/core"
	"github.com/goevent/goevent/internal/sys"
	"golang.org/x/sys/unix"
)

// UDP batching: a ServerPort drains up to udpBatch datagrams per
// readiness with one receive call (recvmmsg on Linux), hands each to the
// Handler, and sends the replies answered meanwhile with one send call
// (sendmmsg). A reply that cannot leave because the socket buffer is full
// stays queued; the port then stops reading until the socket is writable
// and the queue has drained, so at most udpBatch replies ever wait.
const (
	udpBatch   = 32   // datagrams per receive or send call
	udpBatches = 2    // receive calls per readiness, at most
	udpSlot    = 4096 // bytes per datagram buffer; longer queries are dropped
)

// udpQueue is a ServerPort's UDP I/O state. Loop-owned.
type udpQueue struct {
	in  *sys.Batch // receive buffers
	out *sys.Batch // replies: out.Msgs[head:tail] wait to be sent

	head, tail int
	answering  bool        // readUDP is running the Handler: Respond queues
	blocked    bool        // the socket is full: reading is paused
	wEv        *core.Event // write readiness while blocked
}

func newUDPQueue() udpQueue {
	return udpQueue{in: sys.NewBatch(udpBatch, udpSlot), out: sys.NewBatch(udpBatch, udpSlot)}
}

// readUDP reads the queries waiting on the UDP socket, a batch at a time,
// and sends the replies the Handler gave at once.
func (p *ServerPort) readUDP() {
	q := &p.udp
	for range udpBatches {
		if p.udpFD < 0 || q.blocked {
			return
		}
		n, err := sys.RecvBatch(p.udpFD, q.in)
		if err != nil {
			return // EAGAIN, or an error the next datagram may not have
		}
		q.answering = true
		for i := range n {
			d := &q.in.Msgs[i]
			ap := netip.AddrPortFrom(d.Addr.Addr().Unmap(), d.Addr.Port())
			if d.Truncated || !ap.IsValid() || ap.Port() == 0 {
				continue
			}
			p.handle(d.Data(), ap, nil)
			if p.udpFD < 0 {
				break // the Handler closed the port
			}
		}
		q.answering = false
		_ = p.flushUDP()
		if n < udpBatch {
			return
		}
	}
}

// queueUDP packs r's reply into the send queue and, unless readUDP will
// send it with the rest of its batch, sends what is queued. A reply that
// finds the queue full sends what is queued first; if the socket is full
// too, the reply is dropped with EAGAIN.
func (p *ServerPort) queueUDP(r *Request) error {
	if p.udpFD < 0 {
		return ErrServerClosed
	}
	q := &p.udp
	if q.tail == len(q.out.Msgs) && !q.blocked {
		_ = p.flushUDP()
	}
	if q.tail == len(q.out.Msgs) {
		return os.NewSyscallError("sendmmsg", unix.EAGAIN)
	}
	d := &q.out.Msgs[q.tail]
	b, err := r.pack(d.Buf[:cap(d.Buf)])
	if err != nil {
		return err
	}
	if cap(b) > cap(d.Buf) {
		d.Buf = b // the reply outgrew the slot; keep the larger buffer
	}
	d.N, d.Addr = len(b), r.RemoteAddr
	q.tail++
	if q.answering || q.blocked {
		return nil
	}
	return p.flushUDP()
}

// flushUDP sends the queued replies. A reply the kernel refuses is
// dropped (its error returned if no other error came first); when the
// socket is full the rest stay queued and the port waits for
// writability with reading paused.
func (p *ServerPort) flushUDP() error {
	q := &p.udp
	var first error
	for q.head < q.tail && p.udpFD >= 0 {
		n, err := sys.SendBatch(p.udpFD, q.out, q.head, q.tail, p.udp6)
		if errors.Is(err, unix.EAGAIN) {
			p.pauseUDP()
			return nil
		}
		if err != nil {
			if first == nil {
				first = os.NewSyscallError("sendmmsg", err)
			}
			n = 1 // drop the reply the kernel refused
		}
		q.head += n
	}
	q.head, q.tail = 0, 0
	if q.blocked {
		p.resumeUDP()
	}
	return first
}

// pauseUDP stops reading until the socket is writable again.
func (p *ServerPort) pauseUDP() {
	q := &p.udp
	if q.blocked {
		_ = q.wEv.Add()
		return
	}
	q.blocked = true
	_ = p.udpEv.Del()
	if q.wEv == nil {
		q.wEv = p.base.NewEvent(p.udpFD, core.Write, func(int, core.Flags) { _ = p.flushUDP() })
	}
	_ = q.wEv.Add()
}

// resumeUDP reads again once the queue has drained.
func (p *ServerPort) resumeUDP() {
	p.udp.blocked = false
	if p.udpEv != nil {
		_ = p.udpEv.Add()
	}
}

// closeUDP releases the UDP socket and its events.
func (p *ServerPort) closeUDP() {
	q := &p.udp
	if q.wEv != nil {
		q.wEv.Free()
		q.wEv = nil
	}
	if p.udpEv != nil {
		p.udpEv.Free()
		p.udpEv = nil
	}
	if p.udpFD >= 0 {
		closeFD(p.udpFD)
		p.udpFD = -1
	}
	q.head, q.tail, q.blocked = 0, 0, false
}
