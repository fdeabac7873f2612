package bufferevent

import (
	"errors"
	"math"
	"net"
	"net/netip"
	"sync"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/goevent/goevent/core"
	"github.com/goevent/goevent/evbuffer"
)

// manualClock is a core.Clock that moves only when told.
type manualClock struct {
	mu sync.Mutex
	t  time.Time
}

func newManualClock() *manualClock {
	return &manualClock{t: time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)}
}

func (c *manualClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *manualClock) Advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// fakeBase returns a Base on a manual clock, closed at the end of the test.
func fakeBase(t *testing.T) (*core.Base, *manualClock) {
	t.Helper()
	clk := newManualClock()
	b, err := core.NewBase(core.WithClock(clk))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { b.Close() })
	return b, clk
}

// advance moves the clock and runs whatever timers became due.
func advance(t *testing.T, b *core.Base, clk *manualClock, d time.Duration) {
	t.Helper()
	clk.Advance(d)
	if err := b.Loop(core.LoopNonblock); err != nil {
		t.Fatal(err)
	}
}

// recOwner records what a rateLimiter suspended.
type recOwner struct {
	r, w       suspendReason
	rOps, wOps int // suspend/unsuspend calls that changed something
}

func (o *recOwner) suspendRead(r suspendReason) {
	if o.r&r != r {
		o.rOps++
	}
	o.r |= r
}

func (o *recOwner) unsuspendRead(r suspendReason) {
	if o.r&r != 0 {
		o.rOps++
	}
	o.r &^= r
}

func (o *recOwner) suspendWrite(r suspendReason) {
	if o.w&r != r {
		o.wOps++
	}
	o.w |= r
}

func (o *recOwner) unsuspendWrite(r suspendReason) {
	if o.w&r != 0 {
		o.wOps++
	}
	o.w &^= r
}

func mustCfg(t *testing.T, c RateLimit) *RateLimit {
	t.Helper()
	n, err := c.normalized()
	if err != nil {
		t.Fatal(err)
	}
	return &n
}

func TestRateLimitValidation(t *testing.T) {
	bad := []RateLimit{
		{ReadRate: 0, ReadBurst: 10, WriteRate: 1, WriteBurst: 1},
		{ReadRate: 1, ReadBurst: 1, WriteRate: 0, WriteBurst: 1},
		{ReadRate: -5, ReadBurst: 10, WriteRate: 1, WriteBurst: 1},
		{ReadRate: 11, ReadBurst: 10, WriteRate: 1, WriteBurst: 1},
		{ReadRate: 1, ReadBurst: 1, WriteRate: 2, WriteBurst: 1},
		{ReadRate: 1, ReadBurst: 1, WriteRate: 1, WriteBurst: 1, Tick: -time.Millisecond},
	}
	for _, c := range bad {
		if _, err := c.normalized(); !errors.Is(err, ErrInvalidRateLimit) {
			t.Errorf("%+v: err = %v, want ErrInvalidRateLimit", c, err)
		}
	}
	if _, err := (*RateLimit)(nil).normalized(); !errors.Is(err, ErrInvalidRateLimit) {
		t.Errorf("nil: err = %v", err)
	}
	n, err := (&RateLimit{ReadRate: 1, ReadBurst: 1, WriteRate: 1, WriteBurst: math.MaxInt64}).normalized()
	if err != nil || n.Tick != time.Second {
		t.Fatalf("default tick: %v %v", n.Tick, err)
	}
	b, _ := fakeBase(t)
	if _, err := NewRateLimitGroup(b, &RateLimit{ReadRate: 2, ReadBurst: 1, WriteRate: 1, WriteBurst: 1}); !errors.Is(err, ErrInvalidRateLimit) {
		t.Errorf("NewRateLimitGroup: err = %v", err)
	}
	if _, err := NewRateLimitGroup(nil, &n); !errors.Is(err, ErrInvalidRateLimit) {
		t.Errorf("NewRateLimitGroup(nil base): err = %v", err)
	}
}

func TestTokenBucketArithmetic(t *testing.T) {
	cfg := RateLimit{ReadRate: 100, ReadBurst: 250, WriteRate: 10, WriteBurst: 1000, Tick: time.Second}
	var b tokenBucket
	b.init(&cfg, 7)
	if b.read != 100 || b.write != 10 || b.last != 7 {
		t.Fatalf("init: %+v", b)
	}
	if b.update(&cfg, 7) || b.update(&cfg, 6) {
		t.Fatal("update without a tick passing reported a refill")
	}
	b.update(&cfg, 8) // one tick
	if b.read != 200 || b.write != 20 {
		t.Fatalf("one tick: %+v", b)
	}
	b.update(&cfg, 10) // two ticks: read capped at burst
	if b.read != 250 || b.write != 40 {
		t.Fatalf("burst cap: %+v", b)
	}
	b.read -= 520 // an overshoot leaves it negative
	b.update(&cfg, 11)
	if b.read != -170 {
		t.Fatalf("negative refill: %d", b.read)
	}
	b.update(&cfg, 13)
	if b.read != 30 {
		t.Fatalf("after two more ticks: %d", b.read)
	}
	// Huge gaps and huge deficits do not overflow.
	b.read = math.MinInt64 + 5
	b.update(&cfg, math.MaxInt64)
	if b.read != 250 || b.write != 1000 {
		t.Fatalf("huge gap: %+v", b)
	}
	big := RateLimit{ReadRate: math.MaxInt64 / 2, ReadBurst: math.MaxInt64, WriteRate: 1, WriteBurst: 1, Tick: 1}
	b = tokenBucket{read: math.MaxInt64 - 3}
	b.update(&big, 3)
	if b.read != math.MaxInt64 {
		t.Fatalf("near max: %d", b.read)
	}
	// clip only lowers.
	b = tokenBucket{read: 300, write: 5}
	b.clip(&cfg)
	if b.read != 250 || b.write != 5 {
		t.Fatalf("clip: %+v", b)
	}
	if subSat(math.MinInt64+1, 5) != math.MinInt64 || addSat(math.MaxInt64, 1) != math.MaxInt64 ||
		negSat(math.MinInt64) != math.MaxInt64 {
		t.Fatal("saturating helpers")
	}
}

func TestRateLimiterSuspendAndRefill(t *testing.T) {
	base, clk := fakeBase(t)
	o := &recOwner{}
	rl := newRateLimiter(base, o)
	rl.setConfig(mustCfg(t, RateLimit{ReadRate: 1000, ReadBurst: 3000, WriteRate: 500, WriteBurst: 500, Tick: 100 * time.Millisecond}))

	if got := rl.readAllowance(16384); got != 1000 {
		t.Fatalf("readAllowance = %d, want 1000 (one tick's rate)", got)
	}
	if got := rl.readAllowance(10); got != 10 {
		t.Fatalf("readAllowance(10) = %d", got)
	}
	if got := rl.writeAllowance(16384); got != 500 {
		t.Fatalf("writeAllowance = %d", got)
	}
	rl.consumedRead(400)
	if o.r != 0 || rl.bucket.read != 600 {
		t.Fatalf("after 400: suspended %v, level %d", o.r, rl.bucket.read)
	}
	// Overshoot by 900: suspended, timer armed for the next tick.
	rl.consumedRead(1500)
	if o.r != suspendBW || rl.bucket.read != -900 {
		t.Fatalf("after overshoot: suspended %v, level %d", o.r, rl.bucket.read)
	}
	if rl.refill.Pending(core.Timeout) == 0 {
		t.Fatal("no refill timer armed")
	}
	if got := rl.readAllowance(100); got != 0 {
		t.Fatalf("readAllowance while empty = %d", got)
	}
	if o.w != 0 {
		t.Fatal("write suspended by a read overshoot")
	}
	// Half a tick: nothing happens.
	advance(t, base, clk, 50*time.Millisecond)
	if o.r != suspendBW {
		t.Fatal("resumed before the tick")
	}
	// First tick: -900+1000 = 100 > 0: resumed, timer gone.
	advance(t, base, clk, 50*time.Millisecond)
	if o.r != 0 || rl.bucket.read != 100 {
		t.Fatalf("after one tick: suspended %v, level %d", o.r, rl.bucket.read)
	}
	if rl.refill.Pending(core.Timeout) != 0 {
		t.Fatal("refill timer still armed")
	}
	// A deficit of two ticks needs two refills.
	rl.consumedRead(2050) // -1950
	advance(t, base, clk, 100*time.Millisecond)
	if o.r != suspendBW || rl.bucket.read != -950 {
		t.Fatalf("after 1 of 2 ticks: suspended %v, level %d", o.r, rl.bucket.read)
	}
	advance(t, base, clk, 100*time.Millisecond)
	if o.r != 0 || rl.bucket.read != 50 {
		t.Fatalf("after 2 of 2 ticks: suspended %v, level %d", o.r, rl.bucket.read)
	}
	// Idle for long: capped at burst.
	advance(t, base, clk, 10*time.Second)
	if got := rl.readAllowance(math.MaxInt32); got != 3000 {
		t.Fatalf("after idling: allowance %d, want burst 3000", got)
	}
	// Writes are independent.
	rl.consumedWrite(500)
	if o.w != suspendBW || o.r != 0 {
		t.Fatalf("write exhausted: r %v w %v", o.r, o.w)
	}
	if got := rl.writeAllowance(1); got != 0 {
		t.Fatalf("writeAllowance while empty = %d", got)
	}
	advance(t, base, clk, 100*time.Millisecond)
	if o.w != 0 || rl.bucket.write != 500 {
		t.Fatalf("write refill: w %v level %d", o.w, rl.bucket.write)
	}
	// Removing the configuration resumes at once.
	rl.consumedRead(1 << 20)
	rl.setConfig(nil)
	if o.r != 0 || rl.refill.Pending(core.Timeout) != 0 {
		t.Fatalf("after removal: r %v, timer %v", o.r, rl.refill.Pending(core.Timeout))
	}
	if got := rl.readAllowance(12345); got != 12345 {
		t.Fatalf("unlimited allowance = %d", got)
	}
}

// TestRateLimiterTickAlignment checks that the refill timer fires at the
// tick boundary, not a whole tick after the overshoot.
func TestRateLimiterTickAlignment(t *testing.T) {
	base, clk := fakeBase(t)
	o := &recOwner{}
	rl := newRateLimiter(base, o)
	rl.setConfig(mustCfg(t, RateLimit{ReadRate: 10, ReadBurst: 10, WriteRate: 10, WriteBurst: 10, Tick: time.Second}))
	clk.Advance(900 * time.Millisecond)
	rl.consumedRead(10)
	dl, ok := rl.refill.Deadline()
	if !ok {
		t.Fatal("no timer")
	}
	if want := rl.epoch.Add(time.Second); !dl.Equal(want) {
		t.Fatalf("deadline %v, want the next tick %v", dl.Sub(rl.epoch), time.Second)
	}
	advance(t, base, clk, 100*time.Millisecond)
	if o.r != 0 {
		t.Fatal("not resumed at the tick boundary")
	}
}

func TestRateLimiterReconfigure(t *testing.T) {
	base, clk := fakeBase(t)
	o := &recOwner{}
	rl := newRateLimiter(base, o)
	rl.setConfig(mustCfg(t, RateLimit{ReadRate: 1000, ReadBurst: 5000, WriteRate: 1000, WriteBurst: 5000, Tick: time.Second}))
	advance(t, base, clk, 10*time.Second) // bucket at burst 5000
	// Same config: nothing changes.
	rl.setConfig(mustCfg(t, RateLimit{ReadRate: 1000, ReadBurst: 5000, WriteRate: 1000, WriteBurst: 5000, Tick: time.Second}))
	if rl.readAllowance(math.MaxInt32) != 5000 {
		t.Fatal("same config changed the level")
	}
	// Lower bursts clip the level downwards only.
	rl.setConfig(mustCfg(t, RateLimit{ReadRate: 100, ReadBurst: 200, WriteRate: 100, WriteBurst: 9000, Tick: time.Second}))
	if rl.bucket.read != 200 || rl.bucket.write != 5000 {
		t.Fatalf("reconfigured levels %+v", rl.bucket)
	}
	// A new tick length restarts tick counting without losing the level.
	rl.consumedRead(300) // -100: suspended
	if o.r != suspendBW {
		t.Fatal("not suspended")
	}
	rl.setConfig(mustCfg(t, RateLimit{ReadRate: 100, ReadBurst: 200, WriteRate: 100, WriteBurst: 9000, Tick: 10 * time.Millisecond}))
	if o.r != suspendBW {
		t.Fatal("reconfiguration resumed an exhausted bucket")
	}
	advance(t, base, clk, 10*time.Millisecond) // -100 + 100 = 0: still exhausted
	if o.r != suspendBW || rl.bucket.read != 0 {
		t.Fatalf("after one new tick: r %v level %d", o.r, rl.bucket.read)
	}
	advance(t, base, clk, 10*time.Millisecond)
	if o.r != 0 || rl.bucket.read != 100 {
		t.Fatalf("after two new ticks: r %v level %d", o.r, rl.bucket.read)
	}
}

// rlHarness runs n loopback TCP connections into base: the accepted ends
// are socket BufferEvents given to setup, and the dialled ends are plain
// net.Conns that goroutines write to as fast as the kernel takes bytes.
type rlHarness struct {
	base  *core.Base
	ln    *core.Listener
	bevs  []*BufferEvent
	conns []net.Conn
	wg    sync.WaitGroup
}

// rlRcvSpace is the receive buffer space the harness shares out among its
// accepted sockets: more than the tests read in a whole run (the kernel
// doubles each share for its bookkeeping and caps it at
// net.core.rmem_max). No more, so that filling it stays cheap.
const rlRcvSpace = 8 << 20

func newRLHarness(t *testing.T, n int, setup func(bev *BufferEvent, i int)) *rlHarness {
	t.Helper()
	base, err := core.NewBase()
	if err != nil {
		t.Fatal(err)
	}
	h := &rlHarness{base: base}
	t.Cleanup(h.close)
	h.ln, err = core.Listen(base, "tcp", "127.0.0.1:0", func(fd int, _ netip.AddrPort) {
		bev, err := NewSocket(base, fd, CloseOnFree)
		if err != nil {
			t.Error(err)
			unix.Close(fd)
			return
		}
		i := len(h.bevs)
		h.bevs = append(h.bevs, bev)
		setup(bev, i)
	})
	if err != nil {
		t.Fatal(err)
	}
	// The senders fill the readers' kernel buffers long before the limit
	// lets the readers drain them, so every sender sits in TCP's
	// zero-window probing, whose interval doubles each time (200 ms,
	// 400 ms, ... 3.2 s): with the default receive buffer (128 kB, about
	// one second of a group member's share) the queue runs dry between
	// two probes and nothing is readable for seconds. A receive buffer
	// that holds more than a connection reads during a run keeps bytes
	// waiting however late the next probe comes. Accepted sockets inherit
	// it from the listener, before the window scale is negotiated.
	if err := unix.SetsockoptInt(h.ln.FD(), unix.SOL_SOCKET, unix.SO_RCVBUF, rlRcvSpace/n); err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 64<<10)
	for range n {
		c, err := net.Dial("tcp", h.ln.Addr().String())
		if err != nil {
			t.Fatal(err)
		}
		h.conns = append(h.conns, c)
		h.wg.Add(1)
		go func() {
			defer h.wg.Done()
			for {
				if _, err := c.Write(buf); err != nil {
					return
				}
			}
		}()
	}
	return h
}

// run dispatches the loop for d.
func (h *rlHarness) run(t *testing.T, d time.Duration) {
	t.Helper()
	if err := h.base.LoopExit(d); err != nil {
		t.Fatal(err)
	}
	if err := h.base.Dispatch(); err != nil {
		t.Fatal(err)
	}
}

func (h *rlHarness) close() {
	for _, c := range h.conns {
		c.Close()
	}
	h.wg.Wait()
	for _, bev := range h.bevs {
		bev.Free()
	}
	if h.ln != nil {
		h.ln.Close()
	}
	h.base.Close()
}

// window counts the bytes read between two instants of the monotonic
// clock.
type window struct {
	start, end time.Time
	n          int64
}

func (w *window) add(n int) {
	if now := time.Now(); now.After(w.start) && !now.After(w.end) {
		w.n += int64(n)
	}
}

// drainInto is a read callback that empties Input into w.
func drainInto(w *window) func(*BufferEvent) {
	return func(bev *BufferEvent) {
		n := bev.Input().Len()
		w.add(n)
		bev.Input().Drain(n)
	}
}

func measureDuration() time.Duration {
	if testing.Short() {
		return 2 * time.Second
	}
	return 3 * time.Second
}

// TestRateLimitSocketRead reads from a sender that never pauses through a
// 1 MB/s limit (100 kB per 100 ms tick) and checks the rate over 3 s
// (2 s with -short) within 10%. The window starts half way through a tick,
// so it holds a whole number of refills.
func TestRateLimitSocketRead(t *testing.T) {
	const (
		tick = 100 * time.Millisecond
		rate = 100_000 // bytes per tick
	)
	dur := measureDuration()
	w := &window{}
	h := newRLHarness(t, 1, func(bev *BufferEvent, _ int) {
		epoch := time.Now()
		if err := bev.SetRateLimit(&RateLimit{ReadRate: rate, ReadBurst: 2 * rate,
			WriteRate: rate, WriteBurst: rate, Tick: tick}); err != nil {
			t.Error(err)
		}
		w.start = epoch.Add(tick * 5 / 2) // 250 ms: mid-tick
		w.end = w.start.Add(dur)
		bev.SetCallbacks(drainInto(w), nil, nil)
		bev.Enable(Read)
	})
	h.run(t, dur+600*time.Millisecond)
	if len(h.bevs) != 1 {
		t.Fatalf("%d connections accepted", len(h.bevs))
	}
	got := float64(w.n) / dur.Seconds()
	const want = rate * float64(time.Second/tick)
	t.Logf("read %d bytes in %v: %.0f B/s (limit %.0f B/s, %+.1f%%)", w.n, dur, got, want, 100*(got-want)/want)
	if got < want*0.9 || got > want*1.1 {
		t.Errorf("rate %.0f B/s, want %.0f ±10%%", got, want)
	}
	if lv := h.bevs[0].ReadLimit(); lv > 2*rate {
		t.Errorf("ReadLimit %d above the burst", lv)
	}
}

// rlPassThrough is a FilterFunc that moves bytes unchanged, honouring limit.
func rlPassThrough(src, dst *evbuffer.Buffer, limit int, _ FlushMode) (FilterResult, error) {
	n := src.Len()
	if limit >= 0 {
		n = min(n, limit)
	}
	if n == 0 {
		return FilterNeedMore, nil
	}
	if _, err := src.RemoveBuffer(dst, n); err != nil {
		return FilterError, err
	}
	return FilterOK, nil
}

// TestRateLimitFilterRead puts the 1 MB/s read limit on a filter stacked
// on the socket instead of on the socket itself: the bytes reaching the
// filter's Input follow it.
func TestRateLimitFilterRead(t *testing.T) {
	const (
		tick = 100 * time.Millisecond
		rate = 100_000
	)
	dur := measureDuration()
	w := &window{}
	var filters []*BufferEvent
	h := newRLHarness(t, 1, func(bev *BufferEvent, _ int) {
		f, err := NewFilter(bev, rlPassThrough, rlPassThrough, 0)
		if err != nil {
			t.Error(err)
			return
		}
		filters = append(filters, f)
		epoch := time.Now()
		if err := f.SetRateLimit(&RateLimit{ReadRate: rate, ReadBurst: 2 * rate,
			WriteRate: rate, WriteBurst: rate, Tick: tick}); err != nil {
			t.Error(err)
		}
		w.start = epoch.Add(tick * 5 / 2)
		w.end = w.start.Add(dur)
		f.SetCallbacks(drainInto(w), nil, nil)
		f.Enable(Read)
		bev.Enable(Read)
	})
	defer func() {
		for _, f := range filters {
			f.Free()
		}
	}()
	h.run(t, dur+600*time.Millisecond)
	got := float64(w.n) / dur.Seconds()
	const want = rate * float64(time.Second/tick)
	t.Logf("filter read %d bytes in %v: %.0f B/s (limit %.0f B/s, %+.1f%%)", w.n, dur, got, want, 100*(got-want)/want)
	if got < want*0.9 || got > want*1.1 {
		t.Errorf("rate %.0f B/s, want %.0f ±10%%", got, want)
	}
}

// TestRateLimitSocketWrite writes through a 1 MB/s write limit to a peer
// that reads as fast as it can, and measures the rate at the peer.
func TestRateLimitSocketWrite(t *testing.T) {
	const (
		tick = 100 * time.Millisecond
		rate = 100_000
	)
	dur := measureDuration()
	base, err := core.NewBase()
	if err != nil {
		t.Fatal(err)
	}
	defer base.Close()
	chunk := make([]byte, 256<<10)
	var bev *BufferEvent
	ln, err := core.Listen(base, "tcp", "127.0.0.1:0", func(fd int, _ netip.AddrPort) {
		bev, err = NewSocket(base, fd, CloseOnFree)
		if err != nil {
			t.Error(err)
			unix.Close(fd)
			return
		}
		if err := bev.SetRateLimit(&RateLimit{ReadRate: rate, ReadBurst: rate,
			WriteRate: rate, WriteBurst: 2 * rate, Tick: tick}); err != nil {
			t.Error(err)
		}
		refill := func(b *BufferEvent) {
			if b.Output().Len() < len(chunk) {
				b.Write(chunk)
			}
		}
		bev.SetCallbacks(nil, refill, nil)
		bev.SetWatermark(Write, len(chunk), 0)
		refill(bev)
	})
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	c, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	// The peer reads in its own goroutine and counts what arrives in its
	// window; start is the moment the first byte arrived.
	type result struct {
		n     int64
		first time.Time
	}
	done := make(chan result, 1)
	go func() {
		var r result
		var start, end time.Time
		buf := make([]byte, 64<<10)
		for {
			n, err := c.Read(buf)
			now := time.Now()
			if r.first.IsZero() && n > 0 {
				r.first = now
				start = now.Add(tick * 5 / 2)
				end = start.Add(dur)
			}
			if now.After(start) && !now.After(end) {
				r.n += int64(n)
			}
			if err != nil {
				done <- r
				return
			}
		}
	}()
	base.LoopExit(dur + 600*time.Millisecond)
	if err := base.Dispatch(); err != nil {
		t.Fatal(err)
	}
	if bev != nil {
		bev.Free() // closes the socket: the peer sees EOF
	}
	r := <-done
	c.Close()
	got := float64(r.n) / dur.Seconds()
	const want = rate * float64(time.Second/tick)
	t.Logf("peer received %d bytes in %v: %.0f B/s (limit %.0f B/s, %+.1f%%)", r.n, dur, got, want, 100*(got-want)/want)
	if got < want*0.9 || got > want*1.1 {
		t.Errorf("rate %.0f B/s, want %.0f ±10%%", got, want)
	}
}
