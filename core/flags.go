package core

import "strings"

// Flags say what an Event waits for and, in a callback, what happened.
// The values match libevent's EV_* constants.
type Flags uint16

const (
	// Timeout is set in a callback's flags when the event's timeout fired.
	Timeout Flags = 0x01
	// Read waits for the fd to become readable.
	Read Flags = 0x02
	// Write waits for the fd to become writable.
	Write Flags = 0x04
	// Signal marks a signal event; the event's fd is the signal number.
	Signal Flags = 0x08
	// Persist keeps the event added after its callback runs.
	Persist Flags = 0x10
	// ET asks for edge-triggered readiness (backends with FeatureET only).
	// Every event on one fd must agree on ET.
	ET Flags = 0x20
	// Closed waits for the peer to close or shut down its side
	// (backends with FeatureEarlyClose only).
	Closed Flags = 0x80
)

var flagNames = []struct {
	f    Flags
	name string
}{
	{Timeout, "Timeout"}, {Read, "Read"}, {Write, "Write"}, {Signal, "Signal"},
	{Persist, "Persist"}, {ET, "ET"}, {Closed, "Closed"},
}

// String lists the flags joined with "|", e.g. "Read|Persist".
func (f Flags) String() string {
	if f == 0 {
		return "0"
	}
	var b strings.Builder
	for _, n := range flagNames {
		if f&n.f != 0 {
			if b.Len() > 0 {
				b.WriteByte('|')
			}
			b.WriteString(n.name)
			f &^= n.f
		}
	}
	if f != 0 {
		if b.Len() > 0 {
			b.WriteByte('|')
		}
		b.WriteString("0x")
		b.WriteString(strings.ToLower(hex16(uint16(f))))
	}
	return b.String()
}

func hex16(v uint16) string {
	const digits = "0123456789ABCDEF"
	var buf [4]byte
	i := len(buf)
	for {
		i--
		buf[i] = digits[v&0xf]
		v >>= 4
		if v == 0 {
			break
		}
	}
	return string(buf[i:])
}

// LoopFlags change how Loop runs. The values match libevent's EVLOOP_*.
type LoopFlags int

const (
	// LoopOnce blocks until events are active, runs them, and returns.
	LoopOnce LoopFlags = 0x01
	// LoopNonblock polls once without blocking, runs what is active, and
	// returns.
	LoopNonblock LoopFlags = 0x02
	// LoopNoExitOnEmpty keeps the loop running when no events are added;
	// it ends only on LoopExit, LoopBreak or Close.
	LoopNoExitOnEmpty LoopFlags = 0x04
)

// Features describe what a backend can do. The values match libevent's
// EV_FEATURE_*.
type Features int

const (
	// FeatureET: edge-triggered events are supported.
	FeatureET Features = 0x01
	// FeatureO1: adding, deleting and reporting one event costs O(1).
	FeatureO1 Features = 0x02
	// FeatureFDs: any kind of fd works, not just sockets.
	FeatureFDs Features = 0x04
	// FeatureEarlyClose: Closed is detected without reading all pending data.
	FeatureEarlyClose Features = 0x08
)

// String lists the features joined with "|".
func (f Features) String() string {
	var parts []string
	for _, n := range []struct {
		f    Features
		name string
	}{{FeatureET, "ET"}, {FeatureO1, "O1"}, {FeatureFDs, "FDs"}, {FeatureEarlyClose, "EarlyClose"}} {
		if f&n.f != 0 {
			parts = append(parts, n.name)
		}
	}
	if len(parts) == 0 {
		return "0"
	}
	return strings.Join(parts, "|")
}

// featureNeedsWake marks backends that copy their interest set before
// sleeping (poll, select): a change made while the loop sleeps must wake
// it. Not exported; never reported by Features.
const featureNeedsWake Features = 0x100
