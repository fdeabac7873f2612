package bufferevent

import (
	"github.com/goevent/goevent/core"
)

// pairBev is one end of a pair: libevent's bufferevent_pair.c. Bytes
// added to one end's Output move (segments, not copies) to the other end's
// Input, respecting that Input's high watermark.
type pairBev struct {
	bev     *BufferEvent
	partner *pairBev // nil once either end is freed
	timers  genericTimers
	kick    core.Deferred // moves data after the current batch
}

// NewPair returns two BufferEvents linked in memory: what one writes, the
// other reads (libevent's bufferevent_pair_new). Pairs always run their
// callbacks deferred (DeferCallbacks), so no callback re-enters another.
// Freeing one end unlinks the other, which gets no event; Flush(Write,
// Finished) gives the partner an EOF. Both ends belong to base's loop
// goroutine (other goroutines: Base.Post).
func NewPair(base *core.Base, opts Options) (*BufferEvent, *BufferEvent, error) {
	if base == nil {
		return nil, nil, ErrInvalid
	}
	opts |= DeferCallbacks
	a, b := newPairEnd(base, opts), newPairEnd(base, opts)
	pa, pb := a.ops.(*pairBev), b.ops.(*pairBev)
	pa.partner, pb.partner = pb, pa
	return a, b, nil
}

func newPairEnd(base *core.Base, opts Options) *BufferEvent {
	bev := new(BufferEvent)
	p := &pairBev{bev: bev}
	bev.init(base, opts, p)
	p.timers.init(bev)
	p.kick.Init(base, p.run)
	return bev
}

// Partner returns the other end of a pair, or nil when it was freed or bev
// is not a pair (libevent's bufferevent_pair_get_partner). Loop goroutine
// only (other goroutines: Base.Post).
func (bev *BufferEvent) Partner() *BufferEvent {
	if p, ok := bev.ops.(*pairBev); ok && p.partner != nil {
		return p.partner.bev
	}
	return nil
}

func (p *pairBev) fd() int                  { return -1 }
func (p *pairBev) underlying() *BufferEvent { return nil }

func (p *pairBev) updateRead() {
	p.timers.adjust(false, false)
	if p.bev.readActive() && p.partner != nil {
		p.kick.Schedule()
	}
}

func (p *pairBev) updateWrite() {
	p.timers.adjust(false, false)
	if p.bev.writeActive() && p.bev.output.Len() > 0 {
		p.kick.Schedule()
	}
}

func (p *pairBev) outputAdded() { p.updateWrite() }

func (p *pairBev) adjTimeouts() { p.timers.adjust(true, true) }

// run moves data both ways, from the loop's deferred queue.
func (p *pairBev) run() {
	q := p.partner
	if q == nil || p.bev.freed {
		return
	}
	p.bev.incref()
	q.bev.incref()
	defer q.bev.decref()
	defer p.bev.decref()
	if p.bev.writeActive() && q.bev.readActive() {
		transfer(p, q, false)
	}
	if p.partner != nil && q.bev.writeActive() && p.bev.readActive() {
		transfer(q, p, false)
	}
}

// transfer moves src's Output to dst's Input (libevent's
// be_pair_transfer), up to dst's high watermark unless ignoreWM.
func transfer(src, dst *pairBev, ignoreWM bool) {
	s, d := src.bev, dst.bev
	n := s.output.Len()
	if n == 0 {
		return
	}
	if room := d.readRoom(); room >= 0 && !ignoreWM {
		n = min(n, room)
	}
	if n == 0 {
		return
	}
	moved, _ := s.output.RemoveBuffer(&d.input, n)
	if moved == 0 {
		return
	}
	dst.timers.adjust(true, false)
	src.timers.adjust(false, true)
	d.dataRead()
	s.dataWritten()
}

func (p *pairBev) flush(what Direction, mode FlushMode) error {
	if mode == Normal || p.partner == nil {
		return nil
	}
	q := p.partner
	q.bev.incref()
	defer q.bev.decref()
	if what&Read != 0 {
		transfer(q, p, true)
	}
	if what&Write != 0 && p.partner != nil {
		transfer(p, q, true)
	}
	if mode == Finished && p.partner != nil {
		ev := EOF
		if what&Write != 0 {
			ev |= Reading
		}
		if what&Read != 0 {
			ev |= Writing
		}
		q.bev.runEventCB(ev, nil, false)
	}
	return nil
}

func (p *pairBev) destruct() {
	if q := p.partner; q != nil {
		q.partner = nil
		p.partner = nil
	}
	p.kick.Cancel()
	p.timers.stop()
}
