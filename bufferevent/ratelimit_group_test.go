package bufferevent

import (
	"errors"
	"math"
	"testing"
	"time"

	"github.com/goevent/goevent/core"
)

// orderOwner is a recOwner that also logs the order of read resumptions.
type orderOwner struct {
	recOwner
	id  int
	log *[]int
}

func (o *orderOwner) unsuspendRead(r suspendReason) {
	if o.r&r != 0 {
		*o.log = append(*o.log, o.id)
	}
	o.recOwner.unsuspendRead(r)
}

func newTestGroup(t *testing.T, base *core.Base, cfg RateLimit, n int) (*RateLimitGroup, []*rateLimiter, []*recOwner) {
	t.Helper()
	g, err := NewRateLimitGroup(base, &cfg)
	if err != nil {
		t.Fatal(err)
	}
	var rls []*rateLimiter
	var owners []*recOwner
	for range n {
		o := &recOwner{}
		rl := newRateLimiter(base, o)
		g.add(rl)
		rls = append(rls, rl)
		owners = append(owners, o)
	}
	return g, rls, owners
}

func TestRateLimitGroupShare(t *testing.T) {
	base, clk := fakeBase(t)
	g, rls, _ := newTestGroup(t, base, RateLimit{ReadRate: 1000, ReadBurst: 1000, WriteRate: 100, WriteBurst: 100, Tick: time.Second}, 4)
	if got := rls[0].readAllowance(16384); got != 250 {
		t.Fatalf("share = %d, want 1000/4", got)
	}
	if got := rls[0].readAllowance(100); got != 100 {
		t.Fatalf("share capped by want = %d", got)
	}
	// The write rate (100) is above the default min share (64): 100/4 = 25 < 64.
	if got := rls[1].writeAllowance(16384); got != 64 {
		t.Fatalf("write share = %d, want min share 64", got)
	}
	// Min share is capped at the rates.
	g.SetMinShare(5000)
	if g.minShare != 100 {
		t.Fatalf("min share %d, want capped to the write rate 100", g.minShare)
	}
	if got := rls[1].writeAllowance(16384); got != 100 {
		t.Fatalf("write share = %d", got)
	}
	g.SetMinShare(0)
	if got := rls[1].writeAllowance(16384); got != 25 {
		t.Fatalf("write share = %d, want 25", got)
	}
	// The member's own bucket applies too.
	rls[2].setConfig(mustCfg(t, RateLimit{ReadRate: 10, ReadBurst: 10, WriteRate: 1000, WriteBurst: 1000}))
	if got := rls[2].readAllowance(16384); got != 10 {
		t.Fatalf("own limit below share: %d", got)
	}
	if got := rls[2].writeAllowance(16384); got != 25 {
		t.Fatalf("share below own limit: %d", got)
	}
	// SetConfig clips the level and re-applies the min share.
	g.SetMinShare(5000)
	if err := g.SetConfig(&RateLimit{ReadRate: 40, ReadBurst: 400, WriteRate: 30, WriteBurst: 30, Tick: time.Second}); err != nil {
		t.Fatal(err)
	}
	if g.ReadLimit() != 400 || g.WriteLimit() != 30 || g.minShare != 30 {
		t.Fatalf("after SetConfig: read %d write %d minShare %d", g.ReadLimit(), g.WriteLimit(), g.minShare)
	}
	if err := g.SetConfig(&RateLimit{}); !errors.Is(err, ErrInvalidRateLimit) {
		t.Fatalf("bad SetConfig: %v", err)
	}
	advance(t, base, clk, 3*time.Second)
	if g.ReadLimit() != 400 || g.WriteLimit() != 30 {
		t.Fatalf("refill capped: %d %d", g.ReadLimit(), g.WriteLimit())
	}
}

func TestRateLimitGroupSuspendAll(t *testing.T) {
	base, clk := fakeBase(t)
	cfg := RateLimit{ReadRate: 1000, ReadBurst: 1000, WriteRate: 1000, WriteBurst: 1000, Tick: 100 * time.Millisecond}
	g, rls, owners := newTestGroup(t, base, cfg, 5)

	rls[0].consumedRead(600)
	rls[3].consumedRead(300)
	if r, w := g.Totals(); r != 900 || w != 0 {
		t.Fatalf("totals %d %d", r, w)
	}
	for i, o := range owners {
		if o.r != 0 {
			t.Fatalf("member %d suspended early", i)
		}
	}
	rls[1].consumedRead(150) // group at -50
	for i, o := range owners {
		if o.r != suspendBWGroup || o.w != 0 {
			t.Fatalf("member %d: r %v w %v, want read suspended by the group", i, o.r, o.w)
		}
		if rls[i].refill.Pending(core.Timeout) != 0 {
			t.Fatalf("member %d armed its own timer", i)
		}
		if got := rls[i].readAllowance(100); got != 0 {
			t.Fatalf("member %d allowance %d while the group is exhausted", i, got)
		}
	}
	if g.refill.Pending(core.Timeout) == 0 {
		t.Fatal("group timer not armed")
	}
	if g.ReadLimit() != -50 {
		t.Fatalf("group level %d", g.ReadLimit())
	}
	// A member added now starts suspended; a member removed resumes.
	o6 := &recOwner{}
	rl6 := newRateLimiter(base, o6)
	g.add(rl6)
	if o6.r != suspendBWGroup {
		t.Fatal("new member not suspended")
	}
	g.remove(rl6)
	if o6.r != 0 || rl6.group != nil || len(g.members) != 5 {
		t.Fatal("removed member still suspended or listed")
	}
	advance(t, base, clk, 100*time.Millisecond)
	for i, o := range owners {
		if o.r != 0 {
			t.Fatalf("member %d not resumed after the refill", i)
		}
	}
	if g.refill.Pending(core.Timeout) != 0 {
		t.Fatal("group timer armed with nothing suspended")
	}
	if g.ReadLimit() != 950 {
		t.Fatalf("group level %d, want 950", g.ReadLimit())
	}
	// A deficit larger than a tick: resume only once the level reaches
	// the min share.
	g.SetMinShare(500)
	rls[4].consumedWrite(2800)                  // -1800
	advance(t, base, clk, 100*time.Millisecond) // -800
	advance(t, base, clk, 100*time.Millisecond) // 200 < 500
	for i, o := range owners {
		if o.w != suspendBWGroup {
			t.Fatalf("member %d resumed below the min share", i)
		}
	}
	advance(t, base, clk, 100*time.Millisecond) // 1000
	for i, o := range owners {
		if o.w != 0 || o.r != 0 {
			t.Fatalf("member %d: r %v w %v after the refill", i, o.r, o.w)
		}
	}
	if r, w := g.Totals(); r != 1050 || w != 2800 {
		t.Fatalf("totals %d %d", r, w)
	}
	g.ResetTotals()
	if r, w := g.Totals(); r != 0 || w != 0 {
		t.Fatalf("totals after reset %d %d", r, w)
	}
}

func TestRateLimitGroupDecrement(t *testing.T) {
	base, _ := fakeBase(t)
	cfg := RateLimit{ReadRate: 100, ReadBurst: 100, WriteRate: 100, WriteBurst: 100}
	g, _, owners := newTestGroup(t, base, cfg, 3)
	if err := g.DecrementRead(100); err != nil {
		t.Fatal(err)
	}
	for _, o := range owners {
		if o.r != suspendBWGroup {
			t.Fatal("decrement to 0 did not suspend")
		}
	}
	if err := g.DecrementRead(-100); err != nil {
		t.Fatal(err)
	}
	for _, o := range owners {
		if o.r != 0 {
			t.Fatal("negative decrement did not resume")
		}
	}
	if err := g.DecrementWrite(500); err != nil || g.WriteLimit() != -400 {
		t.Fatalf("DecrementWrite: %v, level %d", err, g.WriteLimit())
	}
	if r, w := g.Totals(); r != 0 || w != 0 {
		t.Fatal("decrements counted in totals")
	}
	g.Free()
	for _, o := range owners {
		if o.r != 0 || o.w != 0 {
			t.Fatal("Free left members suspended")
		}
	}
	if g.refill.Pending(core.Timeout) != 0 {
		t.Fatal("timer armed after Free")
	}
	if err := g.DecrementRead(1); !errors.Is(err, ErrRateLimitGroupFreed) {
		t.Fatalf("after Free: %v", err)
	}
	if err := g.SetConfig(&cfg); !errors.Is(err, ErrRateLimitGroupFreed) {
		t.Fatalf("after Free: %v", err)
	}
	g.Free() // idempotent
}

// TestRateLimitGroupResumeOrder checks that members resume in varying
// order, so none is always first to a refilled bucket.
func TestRateLimitGroupResumeOrder(t *testing.T) {
	base, clk := fakeBase(t)
	cfg := RateLimit{ReadRate: 100, ReadBurst: 100, WriteRate: 100, WriteBurst: 100, Tick: 10 * time.Millisecond}
	g, err := NewRateLimitGroup(base, &cfg)
	if err != nil {
		t.Fatal(err)
	}
	const n = 8
	var log []int
	rls := make([]*rateLimiter, n)
	for i := range rls {
		rls[i] = newRateLimiter(base, &orderOwner{id: i, log: &log})
		g.add(rls[i])
	}
	firsts := map[int]int{}
	const rounds = 400
	for range rounds {
		log = log[:0]
		rls[0].consumedRead(100)
		advance(t, base, clk, 10*time.Millisecond)
		if len(log) != n {
			t.Fatalf("%d members resumed, want %d", len(log), n)
		}
		firsts[log[0]]++
	}
	// Each of 8 members should come first about 50 times out of 400.
	for id := range n {
		if c := firsts[id]; c < 20 || c > 90 {
			t.Errorf("member %d was first %d/%d times", id, c, rounds)
		}
	}
}

// TestRateLimitGroupFairness puts 20 connections whose senders never pause
// into one group of 2 MB/s (200 kB per 100 ms tick) and checks over 3 s
// (2 s with -short) that the group rate is within 10% of its limit and
// that each member's share is within 25% of the mean.
func TestRateLimitGroupFairness(t *testing.T) {
	const (
		n    = 20
		tick = 100 * time.Millisecond
		rate = 200_000 // group bytes per tick
	)
	dur := measureDuration()
	var (
		g       *RateLimitGroup
		windows [n]window
		perTick [64]int64 // bytes read per tick since the group was made, for diagnosis
		epoch   time.Time
	)
	h := newRLHarness(t, n, func(bev *BufferEvent, i int) {
		if i >= n {
			t.Errorf("connection %d accepted", i)
			return
		}
		if err := bev.AddToRateLimitGroup(g); err != nil {
			t.Error(err)
		}
		count := drainInto(&windows[i])
		bev.SetCallbacks(func(bev *BufferEvent) {
			if k := int(time.Since(epoch) / tick); k < len(perTick) {
				perTick[k] += int64(bev.Input().Len())
			}
			count(bev)
		}, nil, nil)
		bev.Enable(Read)
	})
	var err error
	epoch = time.Now()
	g, err = NewRateLimitGroup(h.base, &RateLimit{ReadRate: rate, ReadBurst: rate,
		WriteRate: rate, WriteBurst: rate, Tick: tick})
	if err != nil {
		t.Fatal(err)
	}
	defer g.Free()
	start := time.Now().Add(tick * 5 / 2) // mid-tick of the group's clock
	for i := range windows {
		windows[i] = window{start: start, end: start.Add(dur)}
	}
	h.run(t, dur+600*time.Millisecond)
	if len(h.bevs) != n {
		t.Fatalf("%d connections accepted, want %d", len(h.bevs), n)
	}

	var sum int64
	for _, w := range windows {
		sum += w.n
	}
	mean := float64(sum) / n
	total := float64(sum) / dur.Seconds()
	const want = rate * float64(time.Second/tick)
	t.Logf("group read %.0f B/s (limit %.0f B/s, %+.1f%%); mean share %.0f B", total, want, 100*(total-want)/want, mean)
	if total < want*0.9 || total > want*1.1 {
		t.Errorf("group rate %.0f B/s, want %.0f ±10%%; bytes per tick: %v", total, want, perTick)
	}
	lo, hi := math.Inf(1), math.Inf(-1)
	for i, w := range windows {
		dev := (float64(w.n) - mean) / mean
		lo, hi = min(lo, dev), max(hi, dev)
		if math.Abs(dev) > 0.25 {
			t.Errorf("member %d read %d bytes, %+.1f%% from the mean", i, w.n, 100*dev)
		}
	}
	t.Logf("member shares from %+.1f%% to %+.1f%% of the mean", 100*lo, 100*hi)
	if r, _ := g.Totals(); r < sum {
		t.Errorf("Totals read %d < %d counted in the window", r, sum)
	}
}
