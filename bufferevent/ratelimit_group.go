package bufferevent

import (
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/goevent/goevent/core"
)

// A RateLimitGroup is one pair of token buckets shared by many
// BufferEvents on one Base: libevent's bufferevent_rate_limit_group. While
// the group's bucket is positive each member may transfer, per read or
// write, the larger of the bucket's level divided by the number of members
// and the minimum share (SetMinShare); when the bucket is exhausted every
// member pauses in that direction until the tick that refills it to at
// least the minimum share. Members then resume in a random order, so no
// connection is always first to the new budget. A member's own limit
// (SetRateLimit) applies as well. The group counts the bytes its members
// transfer (Totals).
//
// The group's single timer is armed only while the group is exhausted, so
// an idle group keeps no loop alive.
//
// A RateLimitGroup belongs to the loop goroutine of its Base: every method
// must be called there, and other goroutines use Base.Post.
type RateLimitGroup struct {
	base   *core.Base
	cfg    RateLimit
	bucket tokenBucket
	epoch  time.Time // tick 0

	minShare           int64 // in effect: configured, at most the rates
	configuredMinShare int64

	members []*rateLimiter

	readSuspended, writeSuspended bool

	totalRead, totalWritten int64

	refill core.Event // one-shot timer for the next tick while suspended
	armed  bool
	rng    *rand.Rand // per-group source for the resume order
	freed  bool
}

// NewRateLimitGroup returns an empty group on base whose shared buckets
// follow cfg (libevent's bufferevent_rate_limit_group_new): they start
// with one tick's worth of each rate. The minimum share starts at
// DefaultMinShare. An invalid cfg returns an error wrapping
// ErrInvalidRateLimit.
//
// NewRateLimitGroup may be called from any goroutine; the group then
// belongs to base's loop goroutine.
func NewRateLimitGroup(base *core.Base, cfg *RateLimit) (*RateLimitGroup, error) {
	if base == nil {
		return nil, fmt.Errorf("%w: nil Base", ErrInvalidRateLimit)
	}
	n, err := cfg.normalized()
	if err != nil {
		return nil, err
	}
	g := &RateLimitGroup{
		base:  base,
		cfg:   n,
		epoch: base.Now(),
		rng:   rand.New(rand.NewPCG(rand.Uint64(), rand.Uint64())),
	}
	g.bucket.init(&g.cfg, 0)
	g.refill.Assign(base, -1, 0, g.onRefill)
	g.SetMinShare(DefaultMinShare)
	return g, nil
}

// SetConfig replaces the group's configuration (libevent's
// bufferevent_rate_limit_group_set_cfg): the buckets keep their levels,
// lowered to the new bursts, and the minimum share is re-applied under the
// new rates. An invalid cfg returns an error wrapping ErrInvalidRateLimit
// and changes nothing.
//
// SetConfig belongs to the loop goroutine of the group's Base.
func (g *RateLimitGroup) SetConfig(cfg *RateLimit) error {
	if g.freed {
		return ErrRateLimitGroupFreed
	}
	n, err := cfg.normalized()
	if err != nil {
		return err
	}
	g.update()
	old := g.cfg
	g.cfg = n
	g.bucket.clip(&g.cfg)
	if old.Tick != n.Tick {
		g.epoch = g.base.Now()
		g.bucket.last = 0
		g.disarm()
	}
	g.SetMinShare(g.configuredMinShare)
	g.checkSuspended()
	return nil
}

// SetMinShare sets the least each member may transfer per operation while
// the group's bucket is positive, however many members share it
// (libevent's bufferevent_rate_limit_group_set_min_share; default
// DefaultMinShare). It is capped at the group's rates, so at least one
// member can go every tick; values below 1 count as 1.
//
// SetMinShare belongs to the loop goroutine of the group's Base.
func (g *RateLimitGroup) SetMinShare(n int64) {
	g.configuredMinShare = n
	n = min(n, g.cfg.ReadRate, g.cfg.WriteRate)
	g.minShare = max(n, 1)
}

// Totals returns how many bytes the members have read and written through
// the group since it was made or ResetTotals ran (libevent's
// bufferevent_rate_limit_group_get_totals). Bytes count while a
// BufferEvent is a member only.
//
// Totals belongs to the loop goroutine of the group's Base.
func (g *RateLimitGroup) Totals() (read, written int64) {
	return g.totalRead, g.totalWritten
}

// ResetTotals sets both totals back to zero.
//
// ResetTotals belongs to the loop goroutine of the group's Base.
func (g *RateLimitGroup) ResetTotals() { g.totalRead, g.totalWritten = 0, 0 }

// ReadLimit returns the level of the group's read bucket (negative after
// an overshoot): libevent's bufferevent_rate_limit_group_get_read_limit.
//
// ReadLimit belongs to the loop goroutine of the group's Base.
func (g *RateLimitGroup) ReadLimit() int64 {
	g.update()
	return g.bucket.read
}

// WriteLimit returns the level of the group's write bucket.
//
// WriteLimit belongs to the loop goroutine of the group's Base.
func (g *RateLimitGroup) WriteLimit() int64 {
	g.update()
	return g.bucket.write
}

// DecrementRead takes n bytes out of the group's read bucket (a negative
// n adds them), as if a member had read them, without counting them in
// the totals (libevent's bufferevent_rate_limit_group_decrement_read).
// Members pause when the bucket reaches zero or less and resume when it
// is refilled.
//
// DecrementRead belongs to the loop goroutine of the group's Base.
func (g *RateLimitGroup) DecrementRead(n int64) error { return g.decrement(n, false) }

// DecrementWrite is DecrementRead for the write bucket.
//
// DecrementWrite belongs to the loop goroutine of the group's Base.
func (g *RateLimitGroup) DecrementWrite(n int64) error { return g.decrement(n, true) }

func (g *RateLimitGroup) decrement(n int64, write bool) error {
	if g.freed {
		return ErrRateLimitGroupFreed
	}
	g.update()
	p := &g.bucket.read
	if write {
		p = &g.bucket.write
	}
	*p = addSat(*p, negSat(n))
	g.checkSuspended()
	return nil
}

// Free removes every member (resuming what the group held back) and stops
// the group's timer. Afterwards the group's methods return
// ErrRateLimitGroupFreed. Free is idempotent.
//
// Free belongs to the loop goroutine of the group's Base.
func (g *RateLimitGroup) Free() {
	if g.freed {
		return
	}
	for len(g.members) > 0 {
		rl := g.members[len(g.members)-1]
		g.remove(rl)
		if bev, ok := rl.owner.(*BufferEvent); ok {
			bev.dropIdleLimiter()
		}
	}
	g.disarm()
	g.refill.Free()
	g.freed = true
}

// AddToRateLimitGroup makes bev a member of g (libevent's
// bufferevent_add_to_rate_limit_group), leaving any group it was in. It
// fails, wrapping ErrInvalidRateLimit, when g is on another Base, and
// with ErrRateLimitGroupFreed when g was freed.
//
// AddToRateLimitGroup belongs to the loop goroutine of bev's Base.
func (bev *BufferEvent) AddToRateLimitGroup(g *RateLimitGroup) error {
	if g == nil {
		return fmt.Errorf("%w: nil group", ErrInvalidRateLimit)
	}
	if g.freed {
		return ErrRateLimitGroupFreed
	}
	if g.base != bev.Base() {
		return fmt.Errorf("%w: group and bufferevent on different Bases", ErrInvalidRateLimit)
	}
	rl := bev.limiter()
	if rl.group == g {
		return nil
	}
	if rl.group != nil {
		rl.group.remove(rl)
	}
	g.add(rl)
	return nil
}

// RemoveFromRateLimitGroup takes bev out of its group, if any, and resumes
// what the group held back (libevent's
// bufferevent_remove_from_rate_limit_group). Bytes bev transfers
// afterwards no longer count in the group's totals.
//
// RemoveFromRateLimitGroup belongs to the loop goroutine of bev's Base.
func (bev *BufferEvent) RemoveFromRateLimitGroup() error {
	if bev.rl == nil || bev.rl.group == nil {
		return nil
	}
	bev.rl.group.remove(bev.rl)
	bev.dropIdleLimiter()
	return nil
}

// add makes rl a member, suspending it at once in an exhausted direction.
func (g *RateLimitGroup) add(rl *rateLimiter) {
	rl.group = g
	rl.groupIdx = len(g.members)
	g.members = append(g.members, rl)
	if g.readSuspended {
		rl.suspendGroup(false)
	}
	if g.writeSuspended {
		rl.suspendGroup(true)
	}
}

// remove takes rl out of the group (swap-remove) and resumes it.
func (g *RateLimitGroup) remove(rl *rateLimiter) {
	i := rl.groupIdx
	if rl.group != g || i < 0 || i >= len(g.members) || g.members[i] != rl {
		return
	}
	last := len(g.members) - 1
	g.members[i] = g.members[last]
	g.members[i].groupIdx = i
	g.members[last] = nil
	g.members = g.members[:last]
	rl.group, rl.groupIdx = nil, -1
	rl.unsuspendGroup(false)
	rl.unsuspendGroup(true)
}

// update refills the shared bucket for the ticks that passed.
func (g *RateLimitGroup) update() {
	g.bucket.update(&g.cfg, g.cfg.tickAt(g.epoch, g.base.Now()))
}

// share is what one member may transfer now in one direction: 0 while the
// group is suspended in that direction (or becomes so now), else
// max(level / members, minimum share).
func (g *RateLimitGroup) share(write bool) int64 {
	suspended := g.readSuspended
	if write {
		suspended = g.writeSuspended
	}
	if suspended {
		return 0
	}
	g.update()
	lv := g.bucket.read
	if write {
		lv = g.bucket.write
	}
	if lv <= 0 {
		g.suspend(write)
		return 0
	}
	return max(lv/int64(max(len(g.members), 1)), g.minShare)
}

// consumed charges n bytes a member transferred and counts them.
func (g *RateLimitGroup) consumed(n int64, write bool) {
	g.update()
	if write {
		g.bucket.write = subSat(g.bucket.write, n)
		g.totalWritten += n
		if g.bucket.write <= 0 {
			g.suspend(true)
		}
	} else {
		g.bucket.read = subSat(g.bucket.read, n)
		g.totalRead += n
		if g.bucket.read <= 0 {
			g.suspend(false)
		}
	}
}

// suspend pauses every member in one direction and arms the refill timer.
func (g *RateLimitGroup) suspend(write bool) {
	if write {
		g.writeSuspended = true
	} else {
		g.readSuspended = true
	}
	for _, rl := range g.members {
		rl.suspendGroup(write)
	}
	g.arm()
}

// unsuspend resumes every member in one direction, in a random order.
func (g *RateLimitGroup) unsuspend(write bool) {
	if write {
		g.writeSuspended = false
	} else {
		g.readSuspended = false
	}
	// Shuffle the members themselves (their indices follow), so the order
	// in which they reach the poller, and so the new budget, changes each
	// time.
	m := g.members
	for i := len(m) - 1; i > 0; i-- {
		j := g.rng.IntN(i + 1)
		m[i], m[j] = m[j], m[i]
		m[i].groupIdx, m[j].groupIdx = i, j
	}
	for i := 0; i < len(g.members); i++ {
		// A member resumed inline may exhaust the group again; those not
		// yet reached then stay suspended, as the group is.
		if write && g.writeSuspended || !write && g.readSuspended {
			return
		}
		g.members[i].unsuspendGroup(write)
	}
}

// checkSuspended suspends or resumes each direction to match the bucket:
// suspended at ≤ 0, resumed once it holds at least the minimum share.
func (g *RateLimitGroup) checkSuspended() {
	if g.bucket.read <= 0 && !g.readSuspended {
		g.suspend(false)
	} else if g.readSuspended && g.bucket.read >= g.minShare {
		g.unsuspend(false)
	}
	if g.bucket.write <= 0 && !g.writeSuspended {
		g.suspend(true)
	} else if g.writeSuspended && g.bucket.write >= g.minShare {
		g.unsuspend(true)
	}
	if g.readSuspended || g.writeSuspended {
		g.arm()
	} else {
		g.disarm()
	}
}

// onRefill is the group's timer: libevent's _bev_group_refill_callback.
func (g *RateLimitGroup) onRefill(int, core.Flags) {
	g.armed = false
	if g.freed {
		return
	}
	g.update()
	g.checkSuspended()
}

// arm schedules the refill timer for the start of the next tick.
func (g *RateLimitGroup) arm() {
	if g.armed || g.freed {
		return
	}
	now := g.base.Now()
	t := g.cfg.tickAt(g.epoch, now)
	if g.refill.AddTimeout(g.cfg.untilTick(g.epoch, now, t+1)) == nil {
		g.armed = true
	}
}

func (g *RateLimitGroup) disarm() {
	if g.armed {
		g.armed = false
		_ = g.refill.Del()
	}
}
