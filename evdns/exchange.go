package evdns

import (
	"net/netip"
	"strings"

	"github.com/goevent/goevent/bufferevent"
	"github.com/goevent/goevent/core"
	"github.com/miekg/dns"
)

// An exchange is one question asked of the nameservers until a usable
// reply arrives or the attempts run out: libevent's struct request. Each
// attempt has a fresh id, a fresh 0x20 spelling of the name and, over UDP,
// a fresh socket (so a fresh kernel-chosen random source port).
type exchange struct {
	r     *Resolver
	name  string // fully qualified, lower case
	qtype uint16
	done  func(*dns.Msg, netip.AddrPort, error) // nil once finished or cancelled
	opts  QueryOptions                          // DO, CD and AD for every attempt
	only  *nameserver                           // probes: the one server to ask, once

	queued bool // waiting in r.queue
	active bool // holds an in-flight slot

	tries    int
	first    int // index of the first server, for Rotate
	server   *nameserver
	sent     *dns.Msg // the query of the current attempt
	wireName string   // sent.Question[0].Name, 0x20-cased
	overTCP  bool     // the current attempt is over TCP
	edns     bool     // the current attempt carries an OPT record

	lastErr    error
	lastServer netip.AddrPort

	timer *core.Event // the attempt's deadline
	udpFD int         // -1 when none
	udpEv *core.Event
	tcp   *bufferevent.BufferEvent
}

func (r *Resolver) newExchange(name string, qtype uint16, done func(*dns.Msg, netip.AddrPort, error)) *exchange {
	return &exchange{r: r, name: name, qtype: qtype, done: done, udpFD: -1}
}

// start queues the exchange or puts it on the wire. done is called later,
// never from inside start.
func (ex *exchange) start() {
	r := ex.r
	r.live[ex] = struct{}{}
	if r.closed {
		ex.failLater(ErrShutdown)
		return
	}
	if len(r.servers) == 0 && ex.only == nil {
		ex.failLater(ErrNoNameservers)
		return
	}
	if r.cfg.Rotate {
		ex.first = r.next
		r.next++
	}
	if ex.only == nil && r.inflight >= r.cfg.MaxInflight {
		ex.queued = true
		r.queue = append(r.queue, ex)
		return
	}
	ex.activate()
}

// failLater finishes the exchange with err from the loop, after the
// caller's callback has returned.
func (ex *exchange) failLater(err error) {
	ex.active = false
	ex.r.later(func() { ex.finish(nil, err) })
}

func (ex *exchange) activate() {
	ex.active = true
	if ex.only == nil {
		ex.r.inflight++
	}
	ex.timer = ex.r.base.NewTimer(func(int, core.Flags) { ex.onTimeout() })
	ex.send()
}

// pickServer returns the server for attempt ex.tries: the servers in
// order from ex.first, skipping those marked down unless all are.
func (ex *exchange) pickServer() *nameserver {
	if ex.only != nil {
		return ex.only
	}
	srv := ex.r.servers
	n := len(srv)
	if n == 0 {
		return nil
	}
	first := (ex.first + ex.tries) % n
	for i := range n {
		if ns := srv[(first+i)%n]; !ns.down {
			return ns
		}
	}
	return srv[first]
}

func (ex *exchange) maxTries() int {
	if ex.only != nil {
		return 1
	}
	return ex.r.cfg.Attempts * max(len(ex.r.servers), 1)
}

// send starts the next attempt, or finishes when none is left.
func (ex *exchange) send() {
	ns := ex.pickServer()
	if ns == nil {
		ex.finish(nil, ErrNoNameservers)
		return
	}
	if ex.tries >= ex.maxTries() {
		err := ex.lastErr
		if err == nil {
			err = ErrTimeout
		}
		ex.finish(nil, err)
		return
	}
	ex.tries++
	ex.server = ns
	ex.buildQuery()
	_ = ex.timer.AddTimeout(ex.r.cfg.Timeout)
	var err error
	if ex.r.cfg.UseTCP {
		err = ex.sendTCP()
	} else {
		err = ex.sendUDP()
	}
	if err != nil {
		ex.serverFailed(err)
	}
}

// buildQuery makes the query of a new attempt: fresh id, fresh 0x20 case.
func (ex *exchange) buildQuery() {
	r := ex.r
	ex.wireName = ex.name
	if !r.cfg.NoCaseRandomization {
		ex.wireName = r.rand.randomizeCase(ex.name)
	}
	m := new(dns.Msg)
	m.Id = r.rand.id()
	m.RecursionDesired = true
	m.CheckingDisabled = ex.opts.CD
	m.AuthenticatedData = ex.opts.AD
	m.Question = []dns.Question{{Name: ex.wireName, Qtype: ex.qtype, Qclass: dns.ClassINET}}
	ex.edns = !r.cfg.NoEDNS || ex.opts.DO
	if ex.edns {
		m.SetEdns0(uint16(r.cfg.EDNSSize), ex.opts.DO)
	}
	ex.sent = m
}

// closeAttempt releases the current attempt's socket and events.
func (ex *exchange) closeAttempt() {
	if ex.udpEv != nil {
		ex.udpEv.Free()
		ex.udpEv = nil
	}
	if ex.udpFD >= 0 {
		closeFD(ex.udpFD)
		ex.udpFD = -1
	}
	if ex.tcp != nil {
		ex.tcp.SetCallbacks(nil, nil, nil)
		ex.tcp.Free()
		ex.tcp = nil
	}
	ex.overTCP = false
}

func (ex *exchange) onTimeout() {
	if ex.done == nil {
		return
	}
	ex.closeAttempt()
	ex.server.timedOut()
	ex.lastServer = ex.server.addr
	ex.send()
}

// serverFailed moves on after an attempt that failed without a timeout
// (ECONNREFUSED from an ICMP port unreachable, a reset TCP connection).
func (ex *exchange) serverFailed(err error) {
	ex.closeAttempt()
	ex.lastErr = err
	ex.lastServer = ex.server.addr
	ex.send()
}

// matches reports whether reply answers the current attempt's query: a
// response with its id, opcode QUERY and exactly its question, the name
// compared byte for byte so that the 0x20 case pattern is verified.
func (ex *exchange) matches(reply *dns.Msg) bool {
	q := ex.sent
	if !reply.Response || reply.Id != q.Id || reply.Opcode != dns.OpcodeQuery {
		return false
	}
	if len(reply.Question) != 1 {
		return false
	}
	got, want := reply.Question[0], q.Question[0]
	return got.Qtype == want.Qtype && got.Qclass == want.Qclass && got.Name == want.Name
}

// handleReply acts on a reply that matched the current attempt.
func (ex *exchange) handleReply(reply *dns.Msg) {
	ns := ex.server
	switch reply.Rcode {
	case dns.RcodeServerFailure:
		// The server is alive but could not answer: try another one. Not
		// counted against its health (a SERVFAIL for one broken zone says
		// nothing about the server).
		ex.closeAttempt()
		ex.lastErr = ErrServFail
		ex.lastServer = ns.addr
		ex.send()
		return
	case dns.RcodeFormatError:
		ns.answered()
		if ex.edns && !ex.overTCP {
			// An old server that rejects EDNS: ask it again without.
			ex.closeAttempt()
			ex.retryPlain()
			return
		}
		fallthrough
	case dns.RcodeRefused, dns.RcodeNotImplemented:
		ns.answered()
		ex.closeAttempt()
		ex.lastErr = rcodeError(reply.Rcode)
		ex.lastServer = ns.addr
		ex.send()
		return
	}
	ns.answered()
	if reply.Truncated && !ex.overTCP && !ex.r.cfg.IgnoreTC {
		ex.closeAttempt()
		if err := ex.sendTCP(); err != nil {
			ex.serverFailed(err)
		}
		return
	}
	ex.restoreCase(reply)
	ex.finish(reply, nil)
}

// retryPlain resends the current attempt without EDNS, same server.
func (ex *exchange) retryPlain() {
	ex.buildQuery()
	ex.edns = false
	ex.sent.Extra = nil
	_ = ex.timer.AddTimeout(ex.r.cfg.Timeout)
	if err := ex.sendUDP(); err != nil {
		ex.serverFailed(err)
	}
}

// restoreCase gives the reply's question and the records owned by the
// queried name the name as asked, undoing the 0x20 spelling.
func (ex *exchange) restoreCase(m *dns.Msg) {
	m.Question[0].Name = ex.name
	for _, sec := range [][]dns.RR{m.Answer, m.Ns, m.Extra} {
		for _, rr := range sec {
			if h := rr.Header(); strings.EqualFold(h.Name, ex.name) {
				h.Name = ex.name
			}
		}
	}
}

// finish ends the exchange and calls done once. It also serves Shutdown
// and the setup failures reported through failLater.
func (ex *exchange) finish(reply *dns.Msg, err error) {
	done := ex.done
	if done == nil {
		return
	}
	ex.done = nil
	ex.release()
	server := ex.lastServer
	if reply != nil {
		server = ex.server.addr
	}
	done(reply, server, err)
}

// cancel ends the exchange without calling done.
func (ex *exchange) cancel() {
	if ex.done == nil {
		return
	}
	ex.done = nil
	ex.release()
}

// release frees everything the exchange holds and gives its in-flight
// slot to the next queued exchange.
func (ex *exchange) release() {
	r := ex.r
	delete(r.live, ex)
	ex.closeAttempt()
	if ex.timer != nil {
		ex.timer.Free()
		ex.timer = nil
	}
	if ex.queued {
		ex.queued = false
		for i, q := range r.queue {
			if q == ex {
				r.queue = append(r.queue[:i], r.queue[i+1:]...)
				break
			}
		}
	}
	if ex.active {
		ex.active = false
		if ex.only == nil {
			r.inflight--
		}
		r.dequeue()
	}
}

// dequeue starts queued exchanges while in-flight slots are free.
func (r *Resolver) dequeue() {
	for !r.closed && len(r.queue) > 0 && r.inflight < r.cfg.MaxInflight {
		ex := r.queue[0]
		r.queue = r.queue[1:]
		ex.queued = false
		ex.activate()
	}
}
