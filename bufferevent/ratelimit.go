package bufferevent

import (
	"errors"
	"fmt"
	"math"
	"time"

	"github.com/goevent/goevent/core"
)

// ErrInvalidRateLimit is returned (wrapped, with the reason) for a
// RateLimit that ev_token_bucket_cfg_new would refuse, for a decrement of a
// bucket that does not exist, and for a group on another Base.
var ErrInvalidRateLimit = errors.New("bufferevent: invalid rate limit")

// ErrRateLimitGroupFreed is returned by the methods of a RateLimitGroup
// after Free, and by AddToRateLimitGroup with a freed group.
var ErrRateLimitGroupFreed = errors.New("bufferevent: rate limit group freed")

// NoRateLimit is what ReadLimit and WriteLimit report for a BufferEvent
// without a per-connection limit (libevent's EV_SSIZE_MAX).
const NoRateLimit = math.MaxInt64

// DefaultMinShare is the least a member of a RateLimitGroup may transfer
// per operation while the group is not exhausted, unless SetMinShare says
// otherwise (libevent's default of 64 bytes).
const DefaultMinShare = 64

// RateLimit configures token buckets: libevent's ev_token_bucket_cfg.
// Rates and bursts are bytes per Tick. A bucket starts with Rate bytes,
// gains Rate bytes at every tick boundary and never holds more than
// Burst; a transfer may take it below zero, and the connection then waits
// for the ticks that bring it back above zero. Tick 0 means one second.
//
// A RateLimit is copied by SetRateLimit, NewRateLimitGroup and SetConfig:
// changing it afterwards affects nothing.
type RateLimit struct {
	ReadRate   int64         // bytes added to the read bucket per tick; ≥ 1
	ReadBurst  int64         // most the read bucket holds; ≥ ReadRate
	WriteRate  int64         // bytes added to the write bucket per tick; ≥ 1
	WriteBurst int64         // most the write bucket holds; ≥ WriteRate
	Tick       time.Duration // refill period; 0 means time.Second, < 0 is invalid
}

// normalized checks c the way ev_token_bucket_cfg_new does and returns a
// copy with the default tick filled in. Any failure wraps
// ErrInvalidRateLimit.
func (c *RateLimit) normalized() (RateLimit, error) {
	if c == nil {
		return RateLimit{}, fmt.Errorf("%w: nil configuration", ErrInvalidRateLimit)
	}
	n := *c
	if n.Tick == 0 {
		n.Tick = time.Second
	}
	switch {
	case n.Tick < 0:
		return RateLimit{}, fmt.Errorf("%w: tick %v is not positive", ErrInvalidRateLimit, n.Tick)
	case n.ReadRate < 1 || n.WriteRate < 1:
		return RateLimit{}, fmt.Errorf("%w: rates must be at least 1 (read %d, write %d)",
			ErrInvalidRateLimit, n.ReadRate, n.WriteRate)
	case n.ReadRate > n.ReadBurst:
		return RateLimit{}, fmt.Errorf("%w: read rate %d exceeds read burst %d",
			ErrInvalidRateLimit, n.ReadRate, n.ReadBurst)
	case n.WriteRate > n.WriteBurst:
		return RateLimit{}, fmt.Errorf("%w: write rate %d exceeds write burst %d",
			ErrInvalidRateLimit, n.WriteRate, n.WriteBurst)
	}
	return n, nil
}

// tickAt is the number of whole ticks between epoch and now.
func (c *RateLimit) tickAt(epoch, now time.Time) int64 {
	d := now.Sub(epoch)
	if d < 0 {
		return 0
	}
	return int64(d / c.Tick)
}

// untilTick is how long from now until tick number t starts.
func (c *RateLimit) untilTick(epoch, now time.Time, t int64) time.Duration {
	if t > int64(math.MaxInt64/c.Tick) {
		return math.MaxInt64
	}
	d := epoch.Add(time.Duration(t) * c.Tick).Sub(now)
	if d < 0 {
		return 0
	}
	return d
}

// tokenBucket is libevent's ev_token_bucket: the bytes that may still be
// read and written, and the tick at which they were last refilled. The
// limits go negative when a transfer overshoots.
type tokenBucket struct {
	read, write int64
	last        int64 // tick number of the last refill
}

// init fills b for a fresh start at tick: one tick's worth of each rate.
func (b *tokenBucket) init(cfg *RateLimit, tick int64) {
	b.read, b.write, b.last = cfg.ReadRate, cfg.WriteRate, tick
}

// clip lowers the limits to cfg's bursts (a reconfiguration never adds
// bandwidth: this tick's may already be spent).
func (b *tokenBucket) clip(cfg *RateLimit) {
	b.read = min(b.read, cfg.ReadBurst)
	b.write = min(b.write, cfg.WriteBurst)
}

// update refills b for the ticks between b.last and tick, capped at the
// bursts, and reports whether any tick passed.
func (b *tokenBucket) update(cfg *RateLimit, tick int64) bool {
	n := tick - b.last
	if n <= 0 {
		return false
	}
	b.read = refill(b.read, cfg.ReadRate, cfg.ReadBurst, n)
	b.write = refill(b.write, cfg.WriteRate, cfg.WriteBurst, n)
	b.last = tick
	return true
}

// refill returns limit + n*rate capped at burst, without overflowing.
func refill(limit, rate, burst, n int64) int64 {
	if limit >= burst {
		return burst
	}
	room := burst - limit
	if room < 0 { // burst - limit overflowed: limit is hugely negative
		room = math.MaxInt64
	}
	if room/n < rate {
		return burst
	}
	return limit + n*rate
}

// subSat returns a - n, saturating at math.MinInt64 (n ≥ 0).
func subSat(a, n int64) int64 {
	if a < math.MinInt64+n {
		return math.MinInt64
	}
	return a - n
}

// rlOwner is what a rateLimiter needs from its BufferEvent: stopping and
// resuming its transfers for a reason. *BufferEvent implements it; the
// unit tests use a recorder.
type rlOwner interface {
	suspendRead(suspendReason)
	unsuspendRead(suspendReason)
	suspendWrite(suspendReason)
	unsuspendWrite(suspendReason)
}

// rateLimiter is the rate-limiting state of one BufferEvent
// (libevent's bufferevent_rate_limit): its own bucket when it has a
// configuration, and its group when it is a member of one. It belongs to
// the loop goroutine of the BufferEvent's Base.
type rateLimiter struct {
	owner rlOwner
	base  *core.Base

	hasCfg bool
	cfg    RateLimit
	bucket tokenBucket
	epoch  time.Time  // tick 0 of the bucket
	refill core.Event // one-shot timer for the next tick while suspended
	armed  bool       // refill is added

	// What this limiter has suspended on its owner.
	readBW, writeBW           bool // suspendBW
	readGroupBW, writeGroupBW bool // suspendBWGroup

	group    *RateLimitGroup
	groupIdx int // index in group.members
}

// newRateLimiter makes the limiter of owner, with neither a bucket nor a
// group; its refill timer lives in the struct (no allocation per arm).
func newRateLimiter(base *core.Base, owner rlOwner) *rateLimiter {
	rl := &rateLimiter{owner: owner, base: base, groupIdx: -1}
	rl.refill.Assign(base, -1, 0, rl.onRefill)
	return rl
}

// idle reports whether rl limits nothing any more and can be dropped.
func (rl *rateLimiter) idle() bool { return !rl.hasCfg && rl.group == nil }

// release stops rl's timer; rl must be idle or its owner going away.
func (rl *rateLimiter) release() {
	if rl.group != nil {
		rl.group.remove(rl)
	}
	rl.disarm()
}

func (rl *rateLimiter) tick() int64 { return rl.cfg.tickAt(rl.epoch, rl.base.Now()) }

// updateBucket refills the bucket for the ticks that passed.
func (rl *rateLimiter) updateBucket() {
	if rl.hasCfg {
		rl.bucket.update(&rl.cfg, rl.tick())
	}
}

// arm schedules the refill timer for the start of the next tick.
func (rl *rateLimiter) arm() {
	if rl.armed || !rl.hasCfg {
		return
	}
	now := rl.base.Now()
	t := rl.cfg.tickAt(rl.epoch, now)
	// An error here means the Base is closed: nothing will run again.
	if rl.refill.AddTimeout(rl.cfg.untilTick(rl.epoch, now, t+1)) == nil {
		rl.armed = true
	}
}

func (rl *rateLimiter) disarm() {
	if rl.armed {
		rl.armed = false
		_ = rl.refill.Del() // Del of a timer on the loop goroutine cannot fail usefully
	}
}

// setSuspendedBW brings the owner's suspendBW state in line with the
// bucket: suspended while a limit is ≤ 0, with the refill timer armed.
func (rl *rateLimiter) setSuspendedBW() {
	needRead := rl.hasCfg && rl.bucket.read <= 0
	needWrite := rl.hasCfg && rl.bucket.write <= 0
	if needRead != rl.readBW {
		rl.readBW = needRead
		if needRead {
			rl.owner.suspendRead(suspendBW)
		} else {
			rl.owner.unsuspendRead(suspendBW)
		}
	}
	if needWrite != rl.writeBW {
		rl.writeBW = needWrite
		if needWrite {
			rl.owner.suspendWrite(suspendBW)
		} else {
			rl.owner.unsuspendWrite(suspendBW)
		}
	}
	if needRead || needWrite {
		rl.arm()
	} else {
		rl.disarm()
	}
}

// onRefill is the refill timer: libevent's _bev_refill_callback.
func (rl *rateLimiter) onRefill(int, core.Flags) {
	rl.armed = false
	if !rl.hasCfg {
		return
	}
	rl.updateBucket()
	rl.setSuspendedBW()
}

// allowance is the most rl lets its owner transfer now in one direction,
// at most want: the bucket's level and the group share, never below 0.
// When it returns 0 the direction is suspended and a timer will resume it.
func (rl *rateLimiter) allowance(want int, write bool) int {
	limit := int64(want)
	if rl.hasCfg {
		rl.updateBucket()
		lv := rl.bucket.read
		if write {
			lv = rl.bucket.write
		}
		if lv <= 0 {
			rl.setSuspendedBW()
			return 0
		}
		limit = min(limit, lv)
	}
	if g := rl.group; g != nil {
		share := g.share(write)
		if share <= 0 {
			rl.suspendGroup(write)
			return 0
		}
		limit = min(limit, share)
	}
	return int(max(limit, 0))
}

// readAllowance returns how many bytes the BufferEvent may read now,
// at most want. 0 means a bucket is empty: reading has been suspended
// and a refill timer armed. Loop goroutine only.
func (rl *rateLimiter) readAllowance(want int) int { return rl.allowance(want, false) }

// writeAllowance is readAllowance for writing. Loop goroutine only.
func (rl *rateLimiter) writeAllowance(want int) int { return rl.allowance(want, true) }

// consumedRead charges n bytes read to the bucket and the group, counts
// them in the group's totals, and suspends reading where a bucket is
// exhausted. Loop goroutine only.
func (rl *rateLimiter) consumedRead(n int) { rl.consumed(int64(n), false) }

// consumedWrite is consumedRead for bytes written. Loop goroutine only.
func (rl *rateLimiter) consumedWrite(n int) { rl.consumed(int64(n), true) }

func (rl *rateLimiter) consumed(n int64, write bool) {
	if n <= 0 {
		return
	}
	if rl.hasCfg {
		rl.updateBucket()
		if write {
			rl.bucket.write = subSat(rl.bucket.write, n)
		} else {
			rl.bucket.read = subSat(rl.bucket.read, n)
		}
		rl.setSuspendedBW()
	}
	if g := rl.group; g != nil {
		g.consumed(n, write)
	}
}

// suspendGroup marks the owner suspended by its group in one direction.
func (rl *rateLimiter) suspendGroup(write bool) {
	if write {
		if !rl.writeGroupBW {
			rl.writeGroupBW = true
			rl.owner.suspendWrite(suspendBWGroup)
		}
	} else if !rl.readGroupBW {
		rl.readGroupBW = true
		rl.owner.suspendRead(suspendBWGroup)
	}
}

// unsuspendGroup lifts the group's suspension in one direction.
func (rl *rateLimiter) unsuspendGroup(write bool) {
	if write {
		if rl.writeGroupBW {
			rl.writeGroupBW = false
			rl.owner.unsuspendWrite(suspendBWGroup)
		}
	} else if rl.readGroupBW {
		rl.readGroupBW = false
		rl.owner.unsuspendRead(suspendBWGroup)
	}
}

// setConfig installs cfg (already normalized) or, with nil, removes the
// bucket: libevent's bufferevent_set_rate_limit.
func (rl *rateLimiter) setConfig(cfg *RateLimit) {
	if cfg == nil {
		rl.hasCfg = false
		rl.setSuspendedBW() // unsuspends and disarms
		return
	}
	now := rl.base.Now()
	switch {
	case rl.hasCfg && rl.cfg == *cfg:
		return
	case rl.hasCfg:
		old := rl.cfg
		rl.updateBucket() // credit the ticks that passed under the old rate
		rl.cfg = *cfg
		rl.bucket.clip(cfg)
		if old.Tick != cfg.Tick {
			// Tick numbers change meaning: restart counting from now.
			rl.epoch = now
			rl.bucket.last = 0
			rl.disarm()
		}
	default:
		rl.hasCfg = true
		rl.cfg = *cfg
		rl.epoch = now
		rl.bucket.init(cfg, 0)
	}
	rl.setSuspendedBW()
}

// limiter returns bev's rate limiter, making it on first use.
func (bev *BufferEvent) limiter() *rateLimiter {
	if bev.rl == nil {
		bev.rl = newRateLimiter(bev.Base(), bev)
	}
	return bev.rl
}

// dropIdleLimiter forgets bev's limiter once it limits nothing, so the
// I/O path skips rate limiting altogether.
func (bev *BufferEvent) dropIdleLimiter() {
	if bev.rl != nil && bev.rl.idle() {
		bev.rl.release()
		bev.rl = nil
	}
}

// SetRateLimit puts bev under the token buckets described by cfg
// (libevent's bufferevent_set_rate_limit), replacing any earlier limit;
// nil removes the per-connection limit and resumes transfers it held
// back (a group's limit stays). A new limit starts with one tick's worth
// of each rate; a changed one keeps the current levels, lowered to the
// new bursts. Reading and writing pause while their bucket is at or below
// zero and resume at the tick that refills it. An invalid cfg returns an
// error wrapping ErrInvalidRateLimit and changes nothing.
//
// SetRateLimit belongs to the loop goroutine of bev's Base; other
// goroutines call it through Base.Post.
func (bev *BufferEvent) SetRateLimit(cfg *RateLimit) error {
	if cfg == nil {
		if bev.rl != nil {
			bev.rl.setConfig(nil)
			bev.dropIdleLimiter()
		}
		return nil
	}
	n, err := cfg.normalized()
	if err != nil {
		return err
	}
	bev.limiter().setConfig(&n)
	return nil
}

// ReadLimit returns how many bytes bev's own read bucket holds now
// (negative after an overshoot), or NoRateLimit without a per-connection
// limit: libevent's bufferevent_get_read_limit. A group's bucket is not
// included (see RateLimitGroup.ReadLimit).
//
// ReadLimit belongs to the loop goroutine of bev's Base.
func (bev *BufferEvent) ReadLimit() int64 {
	rl := bev.rl
	if rl == nil || !rl.hasCfg {
		return NoRateLimit
	}
	rl.updateBucket()
	return rl.bucket.read
}

// WriteLimit returns how many bytes bev's own write bucket holds now, or
// NoRateLimit without a per-connection limit: libevent's
// bufferevent_get_write_limit.
//
// WriteLimit belongs to the loop goroutine of bev's Base.
func (bev *BufferEvent) WriteLimit() int64 {
	rl := bev.rl
	if rl == nil || !rl.hasCfg {
		return NoRateLimit
	}
	rl.updateBucket()
	return rl.bucket.write
}

// DecrementReadLimit takes n bytes out of bev's read bucket (a negative n
// adds them), as if they had been read: libevent's
// bufferevent_decrement_read_limit. Reading pauses when the bucket reaches
// zero or less and resumes when it is positive again. Without a
// per-connection limit it returns an error wrapping ErrInvalidRateLimit.
//
// DecrementReadLimit belongs to the loop goroutine of bev's Base.
func (bev *BufferEvent) DecrementReadLimit(n int64) error {
	return bev.decrementLimit(n, false)
}

// DecrementWriteLimit takes n bytes out of bev's write bucket (a negative
// n adds them): libevent's bufferevent_decrement_write_limit. Writing
// pauses when the bucket reaches zero or less and resumes when it is
// positive again. Without a per-connection limit it returns an error
// wrapping ErrInvalidRateLimit.
//
// DecrementWriteLimit belongs to the loop goroutine of bev's Base.
func (bev *BufferEvent) DecrementWriteLimit(n int64) error {
	return bev.decrementLimit(n, true)
}

func (bev *BufferEvent) decrementLimit(n int64, write bool) error {
	rl := bev.rl
	if rl == nil || !rl.hasCfg {
		return fmt.Errorf("%w: no per-connection rate limit set", ErrInvalidRateLimit)
	}
	rl.updateBucket()
	p := &rl.bucket.read
	if write {
		p = &rl.bucket.write
	}
	*p = addSat(*p, negSat(n))
	rl.setSuspendedBW()
	return nil
}

// negSat returns -n, saturating at math.MaxInt64.
func negSat(n int64) int64 {
	if n == math.MinInt64 {
		return math.MaxInt64
	}
	return -n
}

// addSat returns a + b saturating at the int64 bounds.
func addSat(a, b int64) int64 {
	s := a + b
	switch {
	case a > 0 && b > 0 && s < 0:
		return math.MaxInt64
	case a < 0 && b < 0 && s >= 0:
		return math.MinInt64
	}
	return s
}
