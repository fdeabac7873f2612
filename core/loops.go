package core

import (
	"errors"
	"fmt"
	"net"
	"net/netip"
	"runtime"
	"sync"
	"sync/atomic"

	"golang.org/x/sys/unix"

	"github.com/goevent/goevent/internal/netutil"
)

// Loops runs N Bases, each on its own goroutine locked to its OS thread:
// one event loop per core, the shape of a multi-threaded libevent server.
// Connections are spread across the loops by Listen; other work picks a
// loop with Next and hands it over with Base.Post.
//
// Goroutines: NewLoops starts one goroutine per loop, which runs that
// Base's Loop(LoopNoExitOnEmpty) until Close. A LoopBreak or LoopExit on
// one of the Bases only ends its current run: the goroutine starts the
// loop again. Close stops them all and waits for them.
//
// Every method of Loops is safe from any goroutine; Close must not be
// called from a loop goroutine (it would wait for itself).
type Loops struct {
	bases  []*Base         // immutable
	queues []*handOffQueue // immutable; one per loop, for HandOff
	rr     atomic.Uint64   // round-robin position of Next
	wg     sync.WaitGroup  // the loop goroutines
	errs   []error         // errs[i]: why loop i stopped; read after wg.Wait

	mu sync.Mutex
	// Fields below are guarded by mu.
	listeners map[*LoopsListener]struct{}
	closed    bool
}

// NewLoops makes n Bases with opts (n <= 0: runtime.NumCPU()) and starts
// one goroutine running each.
func NewLoops(n int, opts ...Option) (*Loops, error) {
	if n <= 0 {
		n = runtime.NumCPU()
	}
	ls := &Loops{
		bases:     make([]*Base, n),
		queues:    make([]*handOffQueue, n),
		errs:      make([]error, n),
		listeners: make(map[*LoopsListener]struct{}),
	}
	for i := range ls.bases {
		b, err := NewBase(opts...)
		if err != nil {
			for _, o := range ls.bases[:i] {
				o.Close()
			}
			return nil, err
		}
		ls.bases[i] = b
		q := &handOffQueue{base: b}
		q.d.Init(b, q.run)
		ls.queues[i] = q
	}
	ls.wg.Add(n)
	for i := range ls.bases {
		go ls.run(i)
	}
	return ls, nil
}

// run is loop i's goroutine.
func (ls *Loops) run(i int) {
	defer ls.wg.Done()
	b := ls.bases[i]
	for {
		if err := b.Loop(LoopNoExitOnEmpty); err != nil {
			if !errors.Is(err, ErrClosed) {
				ls.errs[i] = fmt.Errorf("core: loop %d: %w", i, err)
			}
			return
		}
	}
}

// Len returns the number of loops.
func (ls *Loops) Len() int { return len(ls.bases) }

// Base returns loop i's Base, or nil if i is out of range. Its callbacks
// run on loop i's goroutine. Do not Close it: Loops.Close does.
func (ls *Loops) Base(i int) *Base {
	if i < 0 || i >= len(ls.bases) {
		return nil
	}
	return ls.bases[i]
}

// Next returns a loop's Base, taking the loops in turn (round-robin). HandOff
// listeners use the same rotation. Safe from any goroutine.
func (ls *Loops) Next() *Base { return ls.bases[ls.nextIndex()] }

func (ls *Loops) nextIndex() int {
	return int((ls.rr.Add(1) - 1) % uint64(len(ls.bases)))
}

// ListenMode says how Loops.Listen spreads connections across the loops.
type ListenMode int

const (
	// ReusePort opens one SO_REUSEPORT listener per loop on the same
	// address; the kernel spreads connections among them by hashing each
	// connection's addresses and ports. It needs a kernel that balances
	// (Linux, FreeBSD, DragonFly) and a TCP network; elsewhere Listen
	// fails with ErrUnsupported.
	ReusePort ListenMode = iota
	// HandOff opens one listener on loop 0, which hands each accepted
	// connection to the loops in turn (Next). It works everywhere, for
	// unix sockets too, at the cost of one wakeup of the target loop per
	// batch of connections.
	HandOff
)

// String returns "ReusePort" or "HandOff".
func (m ListenMode) String() string {
	switch m {
	case ReusePort:
		return "ReusePort"
	case HandOff:
		return "HandOff"
	}
	return fmt.Sprintf("ListenMode(%d)", int(m))
}

// LoopsAcceptFunc is called for each connection accepted by a Loops
// listener, on the goroutine of the loop that owns the connection from
// then on; base is that loop's Base. fd and peer are as for AcceptFunc:
// the callback owns fd.
type LoopsAcceptFunc func(base *Base, fd int, peer netip.AddrPort)

// A LoopsListener is what Loops.Listen returns: the Listeners that accept
// for a Loops. Its methods are safe from any goroutine.
type LoopsListener struct {
	loops *Loops      // immutable
	mode  ListenMode  // immutable
	lns   []*Listener // immutable
	cb    LoopsAcceptFunc
}

// Listen accepts connections on network and addr (as for the package
// function Listen) and spreads them across the loops as mode says, calling
// cb on the loop that gets each connection. opts apply to every Listener
// (WithReusePort is implied by ReusePort). It fails with ErrClosed after
// Close. Safe from any goroutine.
func (ls *Loops) Listen(network, addr string, cb LoopsAcceptFunc, mode ListenMode, opts ...ListenOption) (*LoopsListener, error) {
	if cb == nil {
		return nil, fmt.Errorf("%w: nil LoopsAcceptFunc", ErrInvalid)
	}
	ll := &LoopsListener{loops: ls, mode: mode, cb: cb}
	switch mode {
	case ReusePort:
		if network == "unix" {
			return nil, fmt.Errorf("%w: ReusePort on a unix socket", ErrUnsupported)
		}
		if !netutil.ReusePortBalances {
			return nil, fmt.Errorf("%w: SO_REUSEPORT does not balance connections on this system; use HandOff", ErrUnsupported)
		}
		opts = append(opts[:len(opts):len(opts)], WithReusePort())
		for i, b := range ls.bases {
			a := addr
			if i > 0 {
				// Bind the port the first one got (for port 0).
				a = ll.lns[0].Addr().String()
			}
			ln, err := Listen(b, network, a, func(fd int, peer netip.AddrPort) { cb(b, fd, peer) }, opts...)
			if err != nil {
				ll.closeListeners()
				return nil, err
			}
			ll.lns = append(ll.lns, ln)
		}
	case HandOff:
		ln, err := Listen(ls.bases[0], network, addr, ll.handOff, opts...)
		if err != nil {
			return nil, err
		}
		ll.lns = []*Listener{ln}
	default:
		return nil, fmt.Errorf("%w: %v", ErrInvalid, mode)
	}
	ls.mu.Lock()
	if ls.closed {
		ls.mu.Unlock()
		ll.closeListeners()
		return nil, ErrClosed
	}
	ls.listeners[ll] = struct{}{}
	ls.mu.Unlock()
	return ll, nil
}

// Addr returns the address the listener accepts on (with the port picked
// for port 0).
func (ll *LoopsListener) Addr() net.Addr { return ll.lns[0].Addr() }

// Mode returns how the listener spreads connections.
func (ll *LoopsListener) Mode() ListenMode { return ll.mode }

// Listeners returns the underlying Listeners: one per loop for ReusePort,
// one on loop 0 for HandOff. Use them to Disable and Enable accepting or
// to set an error callback; close them with LoopsListener.Close.
func (ll *LoopsListener) Listeners() []*Listener {
	return append([]*Listener(nil), ll.lns...)
}

// Close closes the Listeners. Connections already handed to a loop are
// still delivered. Idempotent; safe from any goroutine.
func (ll *LoopsListener) Close() error {
	ls := ll.loops
	ls.mu.Lock()
	delete(ls.listeners, ll)
	ls.mu.Unlock()
	return ll.closeListeners()
}

func (ll *LoopsListener) closeListeners() error {
	var errs []error
	for _, ln := range ll.lns {
		if err := ln.Close(); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// handOff is the AcceptFunc of a HandOff listener, on loop 0.
func (ll *LoopsListener) handOff(fd int, peer netip.AddrPort) {
	ls := ll.loops
	i := ls.nextIndex()
	if i == 0 {
		ll.cb(ls.bases[0], fd, peer)
		return
	}
	ls.queues[i].push(handOff{fd: fd, peer: peer, cb: ll.cb})
}

// handOff is one accepted connection on its way to another loop.
type handOff struct {
	fd   int
	peer netip.AddrPort
	cb   LoopsAcceptFunc
}

// handOffQueue carries connections from the acceptor loop to one loop:
// the acceptor appends, and a Deferred on the target loop takes the whole
// batch. The two slices are swapped and reused, so a steady stream of
// connections allocates nothing.
type handOffQueue struct {
	base  *Base     // immutable
	d     Deferred  // runs run on base's loop
	spare []handOff // the batch slice run last used; owned by run

	mu sync.Mutex
	in []handOff // guarded by mu
}

// push queues h and, if the queue was empty, schedules the target loop.
// Every push to an empty queue schedules, so no batch is left behind.
func (q *handOffQueue) push(h handOff) {
	q.mu.Lock()
	q.in = append(q.in, h)
	first := len(q.in) == 1
	q.mu.Unlock()
	if first {
		q.d.Schedule()
	}
}

// run delivers the queued connections on the target loop.
func (q *handOffQueue) run() {
	q.mu.Lock()
	batch := q.in
	q.in = q.spare[:0]
	q.mu.Unlock()
	for i := range batch {
		h := batch[i]
		batch[i] = handOff{}
		h.cb(q.base, h.fd, h.peer)
	}
	q.spare = batch
}

// drain closes connections that were never delivered; Loops.Close calls
// it once the loops have stopped.
func (q *handOffQueue) drain() {
	q.mu.Lock()
	defer q.mu.Unlock()
	for _, h := range q.in {
		unix.Close(h.fd)
	}
	q.in = nil
}

// Close closes every listener made by Listen, stops every loop, waits for
// their goroutines to return, closes the Bases, and closes connections
// accepted but not yet delivered to a loop. It returns an error if a loop
// had stopped on a backend failure, and ErrReentrant if called from a
// loop goroutine (it would wait for itself). Idempotent.
func (ls *Loops) Close() error {
	for _, b := range ls.bases {
		b.mu.Lock()
		on := b.onLoopLocked()
		b.mu.Unlock()
		if on {
			return fmt.Errorf("%w: Loops.Close from a loop goroutine", ErrReentrant)
		}
	}
	ls.mu.Lock()
	if ls.closed {
		ls.mu.Unlock()
		return nil
	}
	ls.closed = true
	lls := make([]*LoopsListener, 0, len(ls.listeners))
	for ll := range ls.listeners {
		lls = append(lls, ll)
	}
	clear(ls.listeners)
	ls.mu.Unlock()

	var errs []error
	for _, ll := range lls {
		if err := ll.closeListeners(); err != nil {
			errs = append(errs, err)
		}
	}
	for _, b := range ls.bases {
		b.LoopBreak() // let every loop stop at once; Close waits below
	}
	for _, b := range ls.bases {
		if err := b.Close(); err != nil {
			errs = append(errs, err)
		}
	}
	ls.wg.Wait()
	for _, q := range ls.queues {
		q.drain()
	}
	for _, err := range ls.errs {
		if err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}
