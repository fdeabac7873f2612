package evdns

import (
	"net/netip"
	"time"

	"github.com/goevent/goevent/core"
	"github.com/miekg/dns"
)

// A nameserver is one server the Resolver asks, with its health: after
// Config.MaxTimeouts consecutive timeouts it is marked down, skipped while
// another server is up, and probed until it answers again.
type nameserver struct {
	r    *Resolver
	addr netip.AddrPort

	down      bool
	removed   bool          // no longer one of the Resolver's servers
	timeouts  int           // consecutive timeouts
	probeWait time.Duration // delay before the next probe while down
	probeTmr  *core.Event   // non-nil while down
	probe     *exchange     // the probe on the wire, if any
}

// answered records that a valid reply came from the server: it is up.
func (ns *nameserver) answered() {
	ns.timeouts = 0
	if ns.down {
		ns.down = false
		ns.stopProbing()
	}
}

// timedOut records an attempt that got no reply in time.
func (ns *nameserver) timedOut() {
	ns.timeouts++
	if !ns.down && !ns.removed && ns.timeouts >= ns.r.cfg.MaxTimeouts {
		ns.down = true
		ns.probeWait = ns.r.cfg.InitialProbeTimeout
		ns.scheduleProbe()
	}
}

// scheduleProbe arms the probe timer for probeWait from now.
func (ns *nameserver) scheduleProbe() {
	if ns.r.closed || ns.removed {
		return
	}
	if ns.probeTmr == nil {
		ns.probeTmr = ns.r.base.NewTimer(func(int, core.Flags) { ns.sendProbe() })
	}
	_ = ns.probeTmr.AddTimeout(ns.probeWait)
}

// sendProbe asks the down server Config.ProbeName; any reply other than
// SERVFAIL marks it up (answered), a failure backs off.
func (ns *nameserver) sendProbe() {
	name, _ := canonicalName(ns.r.cfg.ProbeName)
	ex := ns.r.newExchange(name, ns.r.cfg.ProbeType, func(_ *dns.Msg, _ netip.AddrPort, err error) {
		ns.probe = nil
		if !ns.down || ns.r.closed || ns.removed {
			return
		}
		ns.probeWait = min(ns.probeWait*time.Duration(ns.r.cfg.ProbeBackoff), ns.r.cfg.MaxProbeTimeout)
		ns.scheduleProbe()
	})
	ex.only = ns
	ns.probe = ex
	ex.start()
}

// stopProbing cancels the probe timer and any probe on the wire.
func (ns *nameserver) stopProbing() {
	if ns.probeTmr != nil {
		ns.probeTmr.Free()
		ns.probeTmr = nil
	}
	if ns.probe != nil {
		p := ns.probe
		ns.probe = nil
		p.cancel()
	}
}
