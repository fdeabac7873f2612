package core

import (
	"fmt"
	"io"
	"time"
)

// Dump writes every added and every active event to w, in the layout of
// libevent's event_base_dump_events: an "Inserted events:" list, then an
// "Active events:" list. The loop's internal events are left out.
// Safe from any goroutine.
func (b *Base) Dump(w io.Writer) error {
	b.mu.Lock()
	var ins, act []string
	seen := make(map[*Event]bool)
	line := func(ev *Event) string {
		s := fmt.Sprintf("  %p [%s]%s", ev, fdWord(ev), flagWords(ev.events))
		if ev.state&stateTimer != 0 {
			s += fmt.Sprintf(" Timeout=%s", time.Duration(ev.deadline-b.nowLocked()).Round(time.Microsecond))
		}
		if ev.pri != b.defaultPri {
			s += fmt.Sprintf(" Priority=%d", ev.pri)
		}
		return s
	}
	add := func(ev *Event) {
		if ev.state&stateInternal != 0 || seen[ev] {
			return
		}
		seen[ev] = true
		ins = append(ins, line(ev))
	}
	for _, e := range b.fds {
		for ev := e.head; ev != nil; ev = ev.fdNext {
			add(ev)
		}
	}
	if b.sig != nil {
		for _, sw := range b.sig.bySig {
			for _, ev := range sw.evs {
				add(ev)
			}
		}
	}
	for _, ev := range b.timers {
		if q := ev.marker(); q != nil {
			for m := q.head; m != nil; m = m.ctNext {
				add(m)
			}
			continue
		}
		add(ev)
	}
	for _, q := range b.active {
		for ev := q.head; ev != nil; ev = ev.actNext {
			if ev.state&stateInternal == 0 {
				act = append(act, fmt.Sprintf("  %p [%s]%s", ev, fdWord(ev), flagWords(ev.res)))
			}
		}
	}
	b.mu.Unlock()
	if _, err := io.WriteString(w, "Inserted events:\n"); err != nil {
		return err
	}
	for _, s := range ins {
		if _, err := io.WriteString(w, s+"\n"); err != nil {
			return err
		}
	}
	if _, err := io.WriteString(w, "Active events:\n"); err != nil {
		return err
	}
	for _, s := range act {
		if _, err := io.WriteString(w, s+"\n"); err != nil {
			return err
		}
	}
	return nil
}

func flagWords(f Flags) string {
	s := ""
	for _, n := range flagNames {
		if f&n.f != 0 {
			s += " " + n.name
		}
	}
	return s
}

// fdWord is "fd N", or "sig N" for a signal event, as libevent prints them.
func fdWord(ev *Event) string {
	if ev.events&Signal != 0 {
		return fmt.Sprintf("sig %d", ev.fd)
	}
	return fmt.Sprintf("fd %d", ev.fd)
}
