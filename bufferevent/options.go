package bufferevent

// Options change how a BufferEvent behaves; they are given to its
// constructor and combine with |. The values are libevent's BEV_OPT_*
// (and BEV_TRIG_* for Trigger).
type Options uint32

const (
	// CloseOnFree makes Free close the socket (NewSocket) or free the
	// underlying BufferEvent (NewFilter).
	CloseOnFree Options = 1 << 0
	// DeferCallbacks runs the read, write and event callbacks from a
	// core.Deferred after the loop's current batch of callbacks, never
	// from inside another callback or from a method called by one. Pairs
	// always defer.
	DeferCallbacks Options = 1 << 2
	// TriggerIgnoreWatermarks, for Trigger only, runs the callbacks
	// whatever the watermarks say.
	TriggerIgnoreWatermarks Options = 1 << 16
)

// DefaultMaxSingle is the default for SetMaxSingleRead and
// SetMaxSingleWrite: the most bytes one read or write of memory moves
// (16 KiB, as in libevent). File segments of a socket's Output are sent in
// larger sendfile calls (see SetMaxSingleWrite).
const DefaultMaxSingle = 16 << 10
