package bufferevent

import (
	"time"

	"github.com/goevent/goevent/core"
	"github.com/goevent/goevent/evbuffer"
)

// kindOps is the table each kind of BufferEvent (socket, pair, filter)
// implements: libevent's struct bufferevent_ops. The shared code in this
// file calls it; each method runs on the loop goroutine.
type kindOps interface {
	// updateRead starts or stops reading to match bev.readActive().
	updateRead()
	// updateWrite starts or stops writing to match bev.writeActive() and
	// what the output holds.
	updateWrite()
	// outputAdded is told that bytes were added to the output.
	outputAdded()
	// adjTimeouts re-arms the timeouts after SetTimeouts.
	adjTimeouts()
	// flush pushes data through in the directions of what.
	flush(what Direction, mode FlushMode) error
	// destruct releases the kind's resources (events, fd, partner,
	// underlying). It runs once, when no callback runs any more.
	destruct()
	// fd returns the socket, or -1.
	fd() int
	// underlying returns the BufferEvent a filter sits on, or nil.
	underlying() *BufferEvent
}

// suspendReason says why reading or writing is suspended: libevent's
// bufferevent_suspend_flags. A direction moves only while it is enabled
// and no reason is set.
type suspendReason uint8

const (
	suspendWatermark  suspendReason = 1 << iota // input at the read high watermark
	suspendBW                                   // rate limit: own bucket empty
	suspendBWGroup                              // rate limit: group bucket empty
	suspendConnecting                           // connect in progress
	suspendLookup                               // host lookup in progress
	suspendFilter                               // the filter above cannot take more
)

// noCopy makes go vet's copylocks check flag copies of a BufferEvent.
type noCopy struct{}

func (*noCopy) Lock()   {}
func (*noCopy) Unlock() {}

type watermark struct{ low, high int }

// A BufferEvent is a buffered connection: libevent's struct bufferevent.
// Bytes read from the connection accumulate in Input; bytes added to
// Output are written out. Callbacks report that data arrived (read), that
// the output drained (write), and events (EOF, errors, timeouts, connect).
//
// There are three kinds: sockets (NewSocket), pairs of in-memory ends
// (NewPair) and filters over another BufferEvent (NewFilter). They share
// this type and its methods.
//
// A BufferEvent belongs to its Base's loop goroutine: call its methods
// from callbacks on that loop, or before the loop runs, and from other
// goroutines only through Base.Post. The one exception is AsNetConn, whose
// net.Conn is meant for other goroutines. A BufferEvent must not be
// copied.
type BufferEvent struct {
	// The layout keeps a socket BufferEvent (this struct is the first field
	// of socketBev, one allocation) in the 576 B size class (568 B): state most
	// connections never use lives in x, allocated on first use; see
	// TestIdleMemory.
	_    noCopy
	base *core.Base // immutable, never nil
	ops  kindOps    // immutable, never nil

	input, output evbuffer.Buffer

	h Handler // the callbacks; nil when none

	rl *rateLimiter // rate limiting; nil when unlimited
	x  *bevExtra    // rarely used state; nil until needed

	// Deferred callbacks (DeferCallbacks), and the socket's write attempt
	// at the end of the batch (flushQueued).
	deferred core.Deferred

	opts           Options // immutable
	toRead         uint32  // read timeout in ms (SetTimeouts), 0: none
	toWrite        uint32  // write timeout in ms, 0: none
	refs           int16   // callbacks and handlers running on this BufferEvent
	enabled        Direction
	readSuspended  suspendReason
	writeSuspended suspendReason
	pendEvents     What
	pendRead       bool
	pendWrite      bool
	flushQueued    bool  // a write attempt is queued on deferred
	freed          bool  // Free called: no more user callbacks
	released       bool  // resources released
	kflags         uint8 // the kind's flags (sockFlags)
}

// bevExtra is the state of a BufferEvent that most connections never use:
// watermarks, a socket's write event and connect state, the error of
// deferred events.
type bevExtra struct {
	wmRead, wmWrite watermark
	inputCB         *evbuffer.Callback // high watermark watcher, nil when unset
	writeEv         *core.Event        // a socket's, made on first use
	closing         *closeState        // Close in progress, nil otherwise
	netConn         *netConn           // AsNetConn view, nil until asked for
	// SetMaxSingleRead and SetMaxSingleWrite; 0 means DefaultMaxSingle.
	maxSingleRead, maxSingleWrite int
	conn                          connState // a socket's Connect state
	pendErr                       error     // the error of pendEvents (deferred callbacks); nil when none
}

// extra returns bev.x, allocating it on first use.
func (bev *BufferEvent) extra() *bevExtra {
	if bev.x == nil {
		bev.x = new(bevExtra)
	}
	return bev.x
}

func (bev *BufferEvent) wmRead() watermark {
	if bev.x == nil {
		return watermark{}
	}
	return bev.x.wmRead
}

func (bev *BufferEvent) wmWrite() watermark {
	if bev.x == nil {
		return watermark{}
	}
	return bev.x.wmWrite
}

func (bev *BufferEvent) timeoutRead() time.Duration {
	return time.Duration(bev.toRead) * time.Millisecond
}

func (bev *BufferEvent) timeoutWrite() time.Duration {
	return time.Duration(bev.toWrite) * time.Millisecond
}

// maxTimeout is the longest timeout SetTimeouts keeps (49 days, in ms in
// a uint32); longer ones are clamped to it.
const maxTimeout = time.Duration(1<<32-1) * time.Millisecond

// toMillis rounds d up to whole milliseconds, clamped to maxTimeout.
func toMillis(d time.Duration) uint32 {
	if d >= maxTimeout {
		return 1<<32 - 1
	}
	return uint32((d + time.Millisecond - 1) / time.Millisecond)
}

// scheduleFlush queues one write attempt for the end of the current batch
// of callbacks (socketBev.flushDeferred).
func (bev *BufferEvent) scheduleFlush() {
	if !bev.flushQueued {
		bev.flushQueued = true
		bev.deferred.Schedule()
	}
}

// init sets up the parts shared by every kind.
func (bev *BufferEvent) init(base *core.Base, opts Options, ops kindOps) {
	bev.base = base
	bev.opts = opts &^ TriggerIgnoreWatermarks
	bev.ops = ops
	bev.enabled = Write // libevent: new bufferevents start with writing enabled
	bev.deferred.Init(base, bev.runDeferred)
	// The hook stays set for the life of the buffers (release leaves it:
	// outputChanged ignores a released BufferEvent). It is a plain function,
	// not a method value, so that it costs no allocation.
	bev.output.SetNotify(outputHook)
}

// Base returns the Base the BufferEvent runs on. Safe from any goroutine.
func (bev *BufferEvent) Base() *core.Base { return bev.base }

// Input returns the buffer that read data accumulates in. The reader
// drains it. Loop goroutine only (other goroutines: Base.Post).
func (bev *BufferEvent) Input() *evbuffer.Buffer { return &bev.input }

// Output returns the buffer whose bytes are written out. The writer adds
// to it. A socket writes what was added by one write attempt after the
// loop's current batch of callbacks (so adds made by one callback go out in
// one writev), and waits for the socket to become writable only for what
// that attempt leaves; the write timeout runs while it waits. Loop
// goroutine only (other goroutines: Base.Post). Its SetNotify hook belongs
// to the BufferEvent: do not replace it.
func (bev *BufferEvent) Output() *evbuffer.Buffer { return &bev.output }

// FD returns the socket of a socket BufferEvent (-1 before Connect made
// one), the underlying socket of a filter, and -1 for a pair. Loop
// goroutine only (other goroutines: Base.Post).
func (bev *BufferEvent) FD() int { return bev.ops.fd() }

// underlying returns the BufferEvent a filter sits on; nil for sockets
// and pairs.
func (bev *BufferEvent) underlying() *BufferEvent { return bev.ops.underlying() }

// Underlying returns the BufferEvent a filter sits on, and nil for sockets
// and pairs (libevent's bufferevent_get_underlying). Loop goroutine only
// (other goroutines: Base.Post).
func (bev *BufferEvent) Underlying() *BufferEvent { return bev.ops.underlying() }

// SetCallbacks sets the read, write and event callbacks; nil leaves a
// callback out. The read callback runs when Input holds at least the read
// low watermark after new data arrived; the write callback when Output has
// drained to the write low watermark (empty by default) after a write; the
// event callback with EOF, Error, Timeout or Connected, tagged Reading or
// Writing. Callbacks run on the loop goroutine; each may call any method,
// Free included. Loop goroutine only (other goroutines: Base.Post).
func (bev *BufferEvent) SetCallbacks(read, write func(*BufferEvent), event func(*BufferEvent, What, error)) {
	if read == nil && write == nil && event == nil {
		bev.SetHandler(nil)
		return
	}
	bev.SetHandler(&funcHandler{read, write, event})
}

// A Handler receives a BufferEvent's callbacks, as SetCallbacks's
// functions do: OnRead when data arrived, OnWrite when Output drained,
// OnEvent for EOF, Error, Timeout and Connected. It is for types that
// handle many connections (a server's connection state), which then need
// no closure per callback per connection.
type Handler interface {
	OnRead(*BufferEvent)
	OnWrite(*BufferEvent)
	OnEvent(*BufferEvent, What, error)
}

// SetHandler sets h to receive the callbacks in place of any set before;
// nil drops them. The rules of SetCallbacks apply. Loop goroutine only
// (other goroutines: Base.Post).
func (bev *BufferEvent) SetHandler(h Handler) {
	if bev.freed || bev.closing() != nil {
		return
	}
	bev.h = h
}

// funcHandler is SetCallbacks's Handler.
type funcHandler struct {
	read, write func(*BufferEvent)
	event       func(*BufferEvent, What, error)
}

func (f *funcHandler) OnRead(b *BufferEvent) {
	if f.read != nil {
		f.read(b)
	}
}

func (f *funcHandler) OnWrite(b *BufferEvent) {
	if f.write != nil {
		f.write(b)
	}
}

func (f *funcHandler) OnEvent(b *BufferEvent, what What, err error) {
	if f.event != nil {
		f.event(b, what, err)
	}
}

// Enable starts reading (Read), writing (Write) or both. A new
// BufferEvent has writing enabled and reading disabled. Enabling a
// direction resets its timeout. It fails with ErrFreed after Free. Loop
// goroutine only (other goroutines: Base.Post).
func (bev *BufferEvent) Enable(what Direction) error {
	if bev.freed {
		return ErrFreed
	}
	if what&Read != 0 {
		bev.enabled |= Read
		bev.ops.updateRead()
	}
	if what&Write != 0 {
		bev.enabled |= Write
		bev.ops.updateWrite()
	}
	return nil
}

// Disable stops reading (Read), writing (Write) or both; data stays in the
// buffers. It fails with ErrFreed after Free. Loop goroutine only (other
// goroutines: Base.Post).
func (bev *BufferEvent) Disable(what Direction) error {
	if bev.freed {
		return ErrFreed
	}
	if what&Read != 0 {
		bev.enabled &^= Read
		bev.ops.updateRead()
	}
	if what&Write != 0 {
		bev.enabled &^= Write
		bev.ops.updateWrite()
	}
	return nil
}

// Enabled returns the enabled directions. Loop goroutine only (other
// goroutines: Base.Post).
func (bev *BufferEvent) Enabled() Direction { return bev.enabled }

// Write adds a copy of p to Output; it implements io.Writer. It fails with
// ErrFreed after Free. Loop goroutine only (other goroutines: Base.Post).
func (bev *BufferEvent) Write(p []byte) (int, error) {
	if bev.freed {
		return 0, ErrFreed
	}
	if err := bev.output.Add(p); err != nil {
		return 0, err
	}
	return len(p), nil
}

// Read removes up to len(p) bytes from Input into p and returns how many
// (0 when Input is empty). Loop goroutine only (other goroutines:
// Base.Post).
func (bev *BufferEvent) Read(p []byte) (int, error) { return bev.input.Remove(p) }

// SetMaxSingleRead sets the most bytes one read from the connection moves
// into Input (n <= 0: DefaultMaxSingle). Loop goroutine only (other
// goroutines: Base.Post).
func (bev *BufferEvent) SetMaxSingleRead(n int) {
	if n <= 0 {
		n = DefaultMaxSingle
	}
	if n != DefaultMaxSingle || bev.x != nil {
		bev.extra().maxSingleRead = n
	}
}

// SetMaxSingleWrite sets the most bytes one write to the connection takes
// from Output's memory (n <= 0: DefaultMaxSingle). A file segment
// (evbuffer.AddFile) at the front of a socket's Output goes out in
// sendfile calls of up to 1 MiB, or n if larger; rate limits cap both.
// Loop goroutine only (other goroutines: Base.Post).
func (bev *BufferEvent) SetMaxSingleWrite(n int) {
	if n <= 0 {
		n = DefaultMaxSingle
	}
	if n != DefaultMaxSingle || bev.x != nil {
		bev.extra().maxSingleWrite = n
	}
}

// MaxSingleRead returns the limit set by SetMaxSingleRead. Loop goroutine
// only (other goroutines: Base.Post).
func (bev *BufferEvent) MaxSingleRead() int {
	if bev.x == nil || bev.x.maxSingleRead == 0 {
		return DefaultMaxSingle
	}
	return bev.x.maxSingleRead
}

// MaxSingleWrite returns the limit set by SetMaxSingleWrite. Loop
// goroutine only (other goroutines: Base.Post).
func (bev *BufferEvent) MaxSingleWrite() int {
	if bev.x == nil || bev.x.maxSingleWrite == 0 {
		return DefaultMaxSingle
	}
	return bev.x.maxSingleWrite
}

// Flush pushes data through in the directions of what (libevent's
// bufferevent_flush). Normal does nothing on sockets and pairs. On a pair,
// Flush and Finished move Output to the partner whatever its watermarks,
// and Finished then gives the partner an EOF event. On a filter, the
// filters run with mode and the underlying BufferEvent is flushed too.
// Loop goroutine only (other goroutines: Base.Post).
func (bev *BufferEvent) Flush(what Direction, mode FlushMode) error {
	if bev.freed {
		return ErrFreed
	}
	bev.incref()
	defer bev.decref()
	return bev.ops.flush(what, mode)
}

// Trigger runs the read callback (what has Read) and the write callback
// (Write) as if data had arrived or drained, like bufferevent_trigger:
// only when the watermarks allow it, unless opts has
// TriggerIgnoreWatermarks; deferred when opts or the BufferEvent has
// DeferCallbacks. Loop goroutine only (other goroutines: Base.Post).
func (bev *BufferEvent) Trigger(what Direction, opts Options) {
	if bev.freed {
		return
	}
	ignore := opts&TriggerIgnoreWatermarks != 0
	def := opts&DeferCallbacks != 0
	if what&Read != 0 && (ignore || bev.input.Len() >= bev.wmRead().low) {
		bev.runReadCB(def)
	}
	if what&Write != 0 && (ignore || bev.output.Len() <= bev.wmWrite().low) {
		bev.runWriteCB(def)
	}
}

// TriggerEvent runs the event callback with what and err, like
// bufferevent_trigger_event; deferred when opts or the BufferEvent has
// DeferCallbacks. Loop goroutine only (other goroutines: Base.Post).
func (bev *BufferEvent) TriggerEvent(what What, err error, opts Options) {
	if bev.freed {
		return
	}
	bev.runEventCB(what, err, opts&DeferCallbacks != 0)
}

// readActive reports whether bytes should flow into Input now.
func (bev *BufferEvent) readActive() bool {
	return !bev.freed && bev.enabled&Read != 0 && bev.readSuspended == 0
}

// writeActive reports whether bytes should flow out of Output now.
func (bev *BufferEvent) writeActive() bool {
	return !bev.freed && bev.enabled&Write != 0 && bev.writeSuspended == 0
}

// suspendRead stops reading for reason until unsuspendRead(reason).
func (bev *BufferEvent) suspendRead(reason suspendReason) {
	old := bev.readSuspended
	bev.readSuspended |= reason
	if old == 0 && bev.readSuspended != 0 && !bev.released {
		bev.ops.updateRead()
	}
}

// unsuspendRead lifts reason; reading resumes when no reason is left.
func (bev *BufferEvent) unsuspendRead(reason suspendReason) {
	old := bev.readSuspended
	bev.readSuspended &^= reason
	if old != 0 && bev.readSuspended == 0 && !bev.released {
		bev.ops.updateRead()
	}
}

// suspendWrite stops writing for reason until unsuspendWrite(reason).
func (bev *BufferEvent) suspendWrite(reason suspendReason) {
	old := bev.writeSuspended
	bev.writeSuspended |= reason
	if old == 0 && bev.writeSuspended != 0 && !bev.released {
		bev.ops.updateWrite()
	}
}

// unsuspendWrite lifts reason; writing resumes when no reason is left.
func (bev *BufferEvent) unsuspendWrite(reason suspendReason) {
	old := bev.writeSuspended
	bev.writeSuspended &^= reason
	if old != 0 && bev.writeSuspended == 0 && !bev.released {
		bev.ops.updateWrite()
	}
}

// outputChanged is the output's change callback.
func (bev *BufferEvent) outputChanged(info evbuffer.CallbackInfo) {
	if bev.released {
		return
	}
	if info.Added > 0 && !bev.freed {
		bev.ops.outputAdded()
	}
	// A filter checks after each filter run: mid-run, the bytes may be in
	// neither buffer.
	if info.Deleted > 0 && bev.closing() != nil && bev.ops.underlying() == nil {
		bev.checkClosing()
	}
}

// incref and decref bracket anything that may run a user callback: a
// Free inside it only marks the BufferEvent, and the last decref releases
// it once nothing runs on it any more.
func (bev *BufferEvent) incref() { bev.refs++ }

func (bev *BufferEvent) decref() {
	bev.refs--
	if bev.refs == 0 && bev.freed && !bev.released {
		bev.release()
	}
}

// dataRead is called by a kind after n > 0 bytes arrived in Input: it
// runs the read callback when Input reaches the low watermark.
func (bev *BufferEvent) dataRead() {
	if n := bev.input.Len(); n > 0 && n >= bev.wmRead().low {
		bev.runReadCB(false)
	}
}

// dataWritten is called by a kind after bytes left Output: it runs the
// write callback when Output is at or below the write low watermark.
func (bev *BufferEvent) dataWritten() {
	if bev.output.Len() <= bev.wmWrite().low {
		bev.runWriteCB(false)
	}
}

func (bev *BufferEvent) runReadCB(def bool) {
	if bev.freed || bev.h == nil {
		return
	}
	if def || bev.opts&DeferCallbacks != 0 {
		bev.pendRead = true
		bev.deferred.Schedule()
		return
	}
	bev.incref()
	bev.h.OnRead(bev)
	bev.decref()
}

func (bev *BufferEvent) runWriteCB(def bool) {
	if bev.freed || bev.h == nil {
		return
	}
	if def || bev.opts&DeferCallbacks != 0 {
		bev.pendWrite = true
		bev.deferred.Schedule()
		return
	}
	bev.incref()
	bev.h.OnWrite(bev)
	bev.decref()
}

// runEventCB reports what (with err) to the event callback, and to Close
// and AsNetConn when they have taken over.
func (bev *BufferEvent) runEventCB(what What, err error, def bool) {
	if bev.closing() != nil {
		bev.closingEvent(what, err)
		return
	}
	if bev.freed || bev.h == nil {
		return
	}
	if def || bev.opts&DeferCallbacks != 0 {
		bev.pendEvents |= what
		if err != nil && (bev.x == nil || bev.x.pendErr == nil) {
			bev.extra().pendErr = err
		}
		bev.deferred.Schedule()
		return
	}
	bev.incref()
	bev.h.OnEvent(bev, what, err)
	bev.decref()
}

// runDeferred runs the callbacks queued with DeferCallbacks in libevent's
// order: Connected first, then read, write, and the other events.
func (bev *BufferEvent) runDeferred() {
	if bev.freed {
		bev.flushQueued = false
		return
	}
	bev.incref()
	defer bev.decref()
	if bev.flushQueued {
		bev.flushQueued = false
		if s, ok := bev.ops.(*socketBev); ok {
			s.flushDeferred()
		}
	}
	if bev.pendEvents&Connected != 0 {
		bev.pendEvents &^= Connected
		if h := bev.h; h != nil && !bev.freed {
			h.OnEvent(bev, Connected, nil)
		}
	}
	if bev.pendRead {
		bev.pendRead = false
		if h := bev.h; h != nil && !bev.freed {
			h.OnRead(bev)
		}
	}
	if bev.pendWrite {
		bev.pendWrite = false
		if h := bev.h; h != nil && !bev.freed {
			h.OnWrite(bev)
		}
	}
	if what := bev.pendEvents; what != 0 {
		var err error
		if bev.x != nil {
			err, bev.x.pendErr = bev.x.pendErr, nil
		}
		bev.pendEvents = 0
		if h := bev.h; h != nil && !bev.freed {
			h.OnEvent(bev, what, err)
		}
	}
}

// Free releases the BufferEvent: it stops reading and writing, drops its
// callbacks (none runs after Free), empties both buffers without sending
// what Output held (use Close for that), and with CloseOnFree closes the
// socket or frees the underlying BufferEvent. Called from one of the
// BufferEvent's own callbacks, the release waits until that callback
// returns. Free is idempotent. Loop goroutine only (other goroutines:
// Base.Post).
func (bev *BufferEvent) Free() {
	if bev.freed {
		return
	}
	bev.freed = true
	bev.h = nil
	bev.pendRead, bev.pendWrite, bev.pendEvents = false, false, 0
	if bev.x != nil {
		bev.x.pendErr = nil
	}
	bev.deferred.Cancel()
	bev.flushQueued = false
	if bev.nc() != nil {
		bev.nc().detach(nil)
	}
	if bev.refs == 0 {
		bev.release()
		return
	}
	// Stop I/O now; the rest waits for the running callback.
	bev.ops.updateRead()
	bev.ops.updateWrite()
}

// nc returns the AsNetConn view, nil until asked for.
func (bev *BufferEvent) nc() *netConn {
	if bev.x == nil {
		return nil
	}
	return bev.x.netConn
}

// closing returns the state of a Close in progress, nil otherwise.
func (bev *BufferEvent) closing() *closeState {
	if bev.x == nil {
		return nil
	}
	return bev.x.closing
}

// release frees the resources; it runs once, with no callback running.
func (bev *BufferEvent) release() {
	bev.released = true
	bev.deferred.Cancel()
	if bev.rl != nil {
		bev.rl.release()
		bev.rl = nil
	}
	bev.flushQueued = false
	bev.ops.destruct()
	if x := bev.x; x != nil && x.inputCB != nil {
		bev.input.RemoveCallback(x.inputCB)
		x.inputCB = nil
	}
	bev.input.Unfreeze(false)
	bev.input.Unfreeze(true)
	bev.output.Unfreeze(false)
	bev.output.Unfreeze(true)
	bev.input.Reset()
	bev.output.Reset()
}
