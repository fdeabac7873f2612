package bufferevent

import "strings"

// What tells an event callback what happened: one of EOF, Error, Timeout
// or Connected, tagged with Reading or Writing for the direction it
// happened in. The values are libevent's BEV_EVENT_* constants.
type What uint8

const (
	// Reading: the event happened while reading.
	Reading What = 0x01
	// Writing: the event happened while writing.
	Writing What = 0x02
	// EOF: the peer closed its side (or a pair partner flushed Finished).
	EOF What = 0x10
	// Error: an error happened; the callback's error says which (the
	// errno, wrapped, for socket errors).
	Error What = 0x20
	// Timeout: the read or write timeout expired; that direction is now
	// disabled.
	Timeout What = 0x40
	// Connected: a Connect finished.
	Connected What = 0x80
)

var whatNames = [...]struct {
	w    What
	name string
}{
	{Reading, "Reading"}, {Writing, "Writing"}, {EOF, "EOF"},
	{Error, "Error"}, {Timeout, "Timeout"}, {Connected, "Connected"},
}

// String lists the bits joined with "|", e.g. "Reading|EOF".
func (w What) String() string {
	if w == 0 {
		return "0"
	}
	var parts []string
	for _, n := range whatNames {
		if w&n.w != 0 {
			parts = append(parts, n.name)
			w &^= n.w
		}
	}
	if w != 0 {
		parts = append(parts, "0x"+hex(uint(w)))
	}
	return strings.Join(parts, "|")
}

func hex(v uint) string {
	const digits = "0123456789abcdef"
	if v == 0 {
		return "0"
	}
	var b [16]byte
	i := len(b)
	for v > 0 {
		i--
		b[i] = digits[v&0xf]
		v >>= 4
	}
	return string(b[i:])
}

// Direction selects reading, writing or both, for Enable, Disable,
// SetWatermark, Flush and Trigger. The values are libevent's EV_READ and
// EV_WRITE.
type Direction uint8

const (
	// Read is the reading direction: bytes from the peer into Input.
	Read Direction = 0x02
	// Write is the writing direction: bytes from Output to the peer.
	Write Direction = 0x04
)

// String returns "Read", "Write", "Read|Write" or "0".
func (d Direction) String() string {
	switch d & (Read | Write) {
	case Read:
		return "Read"
	case Write:
		return "Write"
	case Read | Write:
		return "Read|Write"
	}
	return "0"
}
