package bufferevent

import "github.com/goevent/goevent/evbuffer"

// FlushMode says how hard a filter should push data through: libevent's
// BEV_NORMAL, BEV_FLUSH and BEV_FINISHED.
type FlushMode int

const (
	// Normal lets a filter hold data back (a compressor waiting for a
	// fuller block).
	Normal FlushMode = iota
	// Flush asks a filter to emit everything it can now (a compressor's
	// sync flush), without ending the stream.
	Flush
	// Finished says no more data will come: a filter emits its trailer
	// (a gzip footer, a TLS close_notify).
	Finished
)

// String returns "Normal", "Flush" or "Finished".
func (m FlushMode) String() string {
	switch m {
	case Normal:
		return "Normal"
	case Flush:
		return "Flush"
	case Finished:
		return "Finished"
	}
	return "FlushMode(?)"
}

// FilterResult is what a FilterFunc reports: libevent's bufferevent_filter_result.
type FilterResult int

const (
	// FilterOK: the filter wrote something to dst, or consumed what src held.
	FilterOK FilterResult = iota
	// FilterNeedMore: the filter needs more input before it can produce
	// output.
	FilterNeedMore
	// FilterError: the input is corrupt; the error says why.
	FilterError
)

// String returns "FilterOK", "FilterNeedMore" or "FilterError".
func (r FilterResult) String() string {
	switch r {
	case FilterOK:
		return "FilterOK"
	case FilterNeedMore:
		return "FilterNeedMore"
	case FilterError:
		return "FilterError"
	}
	return "FilterResult(?)"
}

// A FilterFunc transforms bytes from src to dst, draining what it consumes
// from src. limit is the most it should add to dst (negative: no limit),
// so a filter respects the destination's high watermark; mode says whether
// to hold data back, flush it, or finish the stream. A filter keeps its own
// state (a compressor) in its closure. It returns FilterError with a
// non-nil error when the input is corrupt.
type FilterFunc func(src, dst *evbuffer.Buffer, limit int, mode FlushMode) (FilterResult, error)
