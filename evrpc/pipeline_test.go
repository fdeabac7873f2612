package evrpc_test

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/goevent/goevent/evhttp"
	"github.com/goevent/goevent/evrpc"
)

// pipeServer serves, on an env's evrpc Base, the RPCs the pipelining tests
// need, and records what it served. Its fields belong to the loop.
type pipeServer struct {
	e        *env
	messages []string        // FromName of each Message served, in order
	peers    map[string]bool // client addresses Message was served to
	stalled  chan struct{}   // gets a value when Stall is called
	stalls   []*evrpc.Request[Msg, Kill]
	held     []func() error // Done of Hold calls not answered yet
	hold     bool           // Hold answers only when released
}

// newPipeServer registers Message (answered at once), Fail (answered 503
// with the connection closed, as libevent does), Drop (the connection
// closed without a reply), Stall (never answered) and Hold (answered when
// released) on e's server.
func newPipeServer(e *env) *pipeServer {
	s := &pipeServer{e: e, peers: make(map[string]bool), stalled: make(chan struct{}, 16), hold: true}
	t := e.t
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(RegisterMessage(e.rpc, func(r *evrpc.Request[Msg, Kill]) {
		s.messages = append(s.messages, r.Req.FromName+r.HTTP().InputHeaders().Get("X-Id"))
		s.peers[r.HTTP().RemoteAddr().String()] = true
		*r.Reply = dagger(r.Req)
		r.Done()
	}))
	type needy struct {
		K *Kill `evtag:"1"`
	}
	must(evrpc.Register(e.rpc, "Fail", func(r *evrpc.Request[Msg, needy]) { r.Done() }))
	must(evrpc.Register(e.rpc, "Drop", func(r *evrpc.Request[Msg, Kill]) { r.HTTP().Abort() }))
	must(evrpc.Register(e.rpc, "Stall", func(r *evrpc.Request[Msg, Kill]) {
		s.stalls = append(s.stalls, r)
		s.stalled <- struct{}{}
	}))
	must(evrpc.Register(e.rpc, "Hold", func(r *evrpc.Request[Msg, Kill]) {
		*r.Reply = dagger(r.Req)
		if s.hold {
			s.held = append(s.held, r.Done)
			return
		}
		r.Done()
	}))
	return s
}

// release answers the held Hold calls and the later ones at once.
func (s *pipeServer) release() {
	s.hold = false
	for _, done := range s.held {
		if err := done(); err != nil {
			s.e.t.Errorf("Hold Done: %v", err)
		}
	}
	s.held = nil
}

// waitStall waits until the server is inside a Stall call.
func (s *pipeServer) waitStall() {
	s.e.t.Helper()
	select {
	case <-s.stalled:
	case <-time.After(waitLimit):
		s.e.t.Fatal("Stall was not called")
	}
}

// newPipePool returns a Pool on e's Base with conns connections to port,
// carrying up to depth calls each, closed when the test ends.
func newPipePool(e *env, port, conns, depth int, timeout time.Duration) (*evrpc.Pool, []*evhttp.Connection) {
	var p *evrpc.Pool
	var cs []*evhttp.Connection
	e.do(func() {
		p = evrpc.NewPool(e.base, &evrpc.PoolConfig{Pipeline: depth, Timeout: timeout})
		for range conns {
			c := evhttp.NewConnection(e.base, nil, "127.0.0.1", port)
			cs = append(cs, c)
			p.AddConnection(c)
		}
	})
	e.t.Cleanup(func() { e.do(p.Close) })
	return p, cs
}

// pipeCall is one call made by makeCalls.
type pipeCall struct {
	call  *evrpc.Call
	reply Kill
	done  chan error
}

// makeCalls makes, in one loop callback, a call to each RPC of names (a
// name may carry a ":id" suffix, sent as FromName "call-id"; the default
// id is the call's index).
func makeCalls(e *env, p *evrpc.Pool, names ...string) []*pipeCall {
	e.t.Helper()
	calls := make([]*pipeCall, len(names))
	e.do(func() {
		for i, n := range names {
			name, id, ok := strings.Cut(n, ":")
			if !ok {
				id = strconv.Itoa(i)
			}
			pc := &pipeCall{done: make(chan error, 1)}
			req := Msg{FromName: "call-" + id, ToName: "server"}
			var err error
			pc.call, err = evrpc.MakeRequest(p, name, &req, &pc.reply, func(err error) { pc.done <- err })
			if err != nil {
				e.t.Errorf("MakeRequest %s: %v", n, err)
				pc.done <- err
			}
			calls[i] = pc
		}
	})
	return calls
}

// wantOK checks that the call succeeded with the Message reply.
func (pc *pipeCall) wantOK(t *testing.T, what string) {
	t.Helper()
	if err := wait(t, pc.done); err != nil {
		t.Errorf("%s: %v", what, err)
	} else if pc.reply.Weapon != "dagger" {
		t.Errorf("%s: reply %+v", what, pc.reply)
	}
}

// wantErr checks that the call failed with status and matches every one
// of is and none of isNot.
func (pc *pipeCall) wantErr(t *testing.T, what string, status evrpc.Status, is []error, isNot ...error) {
	t.Helper()
	err := wait(t, pc.done)
	var re *evrpc.Error
	if !errors.As(err, &re) || re.Status != status {
		t.Errorf("%s: %v, want status %v", what, err, status)
		return
	}
	for _, target := range is {
		if !errors.Is(err, target) {
			t.Errorf("%s: %v does not match %v", what, err, target)
		}
	}
	for _, target := range isNot {
		if errors.Is(err, target) {
			t.Errorf("%s: %v matches %v", what, err, target)
		}
	}
}

// TestPipelineSpread: calls go to the connection with the fewest
// outstanding, up to the Pipeline depth on each, the rest wait in the
// Pool; once the server answers, every call completes, each served once
// and in the order made on its connection.
func TestPipelineSpread(t *testing.T) {
	e := newEnv(t)
	s := newPipeServer(e)
	p, conns := newPipePool(e, e.port, 2, 3, waitLimit)
	names := make([]string, 8)
	for i := range names {
		names[i] = "Hold"
	}
	names[7] = "Message"
	calls := makeCalls(e, p, names...)
	e.do(func() {
		// Each connection got three calls, alternately; two wait.
		for i, c := range conns {
			if n := c.Pending(); n != 3 {
				t.Errorf("connection %d carries %d calls, want 3", i, n)
			}
		}
		s.release()
	})
	for i, c := range calls {
		c.wantOK(t, fmt.Sprintf("call %d", i))
	}
	e.do(func() {
		if len(s.messages) != 1 || s.messages[0] != "call-7" {
			t.Errorf("Message served as %q", s.messages)
		}
	})
}

// TestPipelineOneConnection: 40 calls through one connection 8 deep all
// succeed, served once each in the order made over a single connection.
func TestPipelineOneConnection(t *testing.T) {
	e := newEnv(t)
	s := newPipeServer(e)
	p, _ := newPipePool(e, e.port, 1, 8, waitLimit)
	names := make([]string, 40)
	for i := range names {
		names[i] = "Message"
	}
	for i, c := range makeCalls(e, p, names...) {
		c.wantOK(t, fmt.Sprintf("call %d", i))
	}
	e.do(func() {
		if len(s.messages) != 40 || len(s.peers) != 1 {
			t.Fatalf("served %d calls over %d connections, want 40 over 1", len(s.messages), len(s.peers))
		}
		for i, m := range s.messages {
			if m != "call-"+strconv.Itoa(i) {
				t.Errorf("call %d served as %q", i, m)
			}
		}
	})
}

// TestPipelineServerClose: the server answers a pipelined call 503 and
// closes the connection (libevent's way). The calls pipelined behind it
// were not processed, so they are sent again on a new connection and
// succeed, each served exactly once.
func TestPipelineServerClose(t *testing.T) {
	e := newEnv(t)
	s := newPipeServer(e)
	p, _ := newPipePool(e, e.port, 1, 4, waitLimit)
	calls := makeCalls(e, p, "Message", "Fail", "Message", "Message")
	calls[0].wantOK(t, "call before the 503")
	calls[1].wantErr(t, "Fail", evrpc.StatusBadPayload, []error{evrpc.ErrServerError})
	calls[2].wantOK(t, "first call after the 503")
	calls[3].wantOK(t, "second call after the 503")
	e.do(func() {
		if got := strings.Join(s.messages, " "); got != "call-0 call-2 call-3" {
			t.Errorf("Message served as %s, want call-0 call-2 call-3", got)
		}
		if len(s.peers) != 2 {
			t.Errorf("Message served over %d connections, want 2", len(s.peers))
		}
	})
}

// TestPipelineTimeout: a pipelined call that times out closes its
// connection; the calls on the wire behind it fail with ErrPipelineAborted
// and are not sent again; the Pool then works on a new connection.
func TestPipelineTimeout(t *testing.T) {
	e := newEnv(t)
	s := newPipeServer(e)
	p, _ := newPipePool(e, e.port, 1, 4, 2*time.Second)
	stall := makeCalls(e, p, "Stall")[0]
	s.waitStall()
	e.do(func() { p.SetTimeout(waitLimit) })
	behind := makeCalls(e, p, "Message:1", "Message:2")
	stall.wantErr(t, "the call timing out", evrpc.StatusTimeout, nil, evrpc.ErrPipelineAborted)
	for i, c := range behind {
		c.wantErr(t, fmt.Sprintf("call %d behind it", i+1), evrpc.StatusTimeout, []error{evrpc.ErrPipelineAborted, evhttp.ErrEOF})
	}
	makeCalls(e, p, "Message:3")[0].wantOK(t, "call after the timeout")
	e.do(func() {
		if got := strings.Join(s.messages, " "); got != "call-3" {
			t.Errorf("Message served as %q, want only call-3", got)
		}
	})
}

// TestPipelineCancel: cancelling a call pipelined behind another closes
// the connection under both; the others fail with ErrPipelineAborted.
func TestPipelineCancel(t *testing.T) {
	e := newEnv(t)
	s := newPipeServer(e)
	p, _ := newPipePool(e, e.port, 1, 4, waitLimit)
	calls := makeCalls(e, p, "Stall", "Message", "Message")
	s.waitStall()
	e.do(calls[1].call.Cancel)
	calls[1].wantErr(t, "cancelled call", evrpc.StatusCancelled, []error{evrpc.ErrCancelled}, evrpc.ErrPipelineAborted)
	calls[0].wantErr(t, "call ahead", evrpc.StatusTimeout, []error{evrpc.ErrPipelineAborted})
	calls[2].wantErr(t, "call behind", evrpc.StatusTimeout, []error{evrpc.ErrPipelineAborted})
	makeCalls(e, p, "Message")[0].wantOK(t, "call after the cancel")
}

// TestPipelineConnectionLost: the server closes the connection without a
// reply: the calls on the wire there fail with ErrEOF, not
// ErrPipelineAborted, and the one behind is not sent again although the
// server never processed it (the client cannot know).
func TestPipelineConnectionLost(t *testing.T) {
	e := newEnv(t)
	s := newPipeServer(e)
	p, _ := newPipePool(e, e.port, 1, 4, waitLimit)
	calls := makeCalls(e, p, "Message", "Drop", "Message")
	calls[0].wantOK(t, "call before the drop")
	calls[1].wantErr(t, "dropped call", evrpc.StatusTimeout, []error{evhttp.ErrEOF}, evrpc.ErrPipelineAborted)
	calls[2].wantErr(t, "call behind", evrpc.StatusTimeout, []error{evhttp.ErrEOF}, evrpc.ErrPipelineAborted)
	makeCalls(e, p, "Message:3")[0].wantOK(t, "call after the drop")
	e.do(func() {
		if got := strings.Join(s.messages, " "); got != "call-0 call-3" {
			t.Errorf("Message served as %q, want call-0 call-3", got)
		}
	})
}

// TestPipelineClose: Close cancels every pipelined call, on the wire or
// waiting, with StatusCancelled.
func TestPipelineClose(t *testing.T) {
	e := newEnv(t)
	s := newPipeServer(e)
	p, _ := newPipePool(e, e.port, 1, 2, waitLimit)
	calls := makeCalls(e, p, "Stall", "Message", "Message")
	s.waitStall()
	e.do(p.Close)
	for i, c := range calls {
		c.wantErr(t, fmt.Sprintf("call %d", i), evrpc.StatusCancelled, []error{evrpc.ErrCancelled}, evrpc.ErrPipelineAborted)
	}
}

// TestPipelineHooks: with pipelining, every call runs its output hooks in
// order before it is sent and its input hooks in order after its reply,
// pausing and resuming; a call paused in an output hook is passed on the
// wire by the calls after it and still completes.
func TestPipelineHooks(t *testing.T) {
	e := newEnv(t)
	s := newPipeServer(e)
	p, _ := newPipePool(e, e.port, 1, 4, waitLimit)
	var log []string
	var pausedOut *evrpc.HookContext
	started := 0
	e.do(func() {
		p.AddHook(evrpc.Output, func(hc *evrpc.HookContext) evrpc.HookResult {
			id := strconv.Itoa(started)
			started++
			hc.AddMeta("id", []byte(id))
			hc.Header().Set("X-Id", "/"+id)
			log = append(log, "out1:"+id)
			if id == "0" {
				pausedOut = hc
				return evrpc.Pause
			}
			return evrpc.Continue
		})
		p.AddHook(evrpc.Output, func(hc *evrpc.HookContext) evrpc.HookResult {
			id, _ := hc.FindMeta("id")
			log = append(log, "out2:"+string(id))
			return evrpc.Continue
		})
		p.AddHook(evrpc.Input, func(hc *evrpc.HookContext) evrpc.HookResult {
			id, _ := hc.FindMeta("id")
			log = append(log, "in1:"+string(id))
			if string(id) == "2" {
				e.base.Post(func() { hc.Resume(evrpc.Continue) })
				return evrpc.Pause
			}
			return evrpc.Continue
		})
		p.AddHook(evrpc.Input, func(hc *evrpc.HookContext) evrpc.HookResult {
			id, _ := hc.FindMeta("id")
			log = append(log, "in2:"+string(id))
			if string(id) == "3" {
				// Every call after the paused one is done: let it go.
				if err := pausedOut.Resume(evrpc.Continue); err != nil {
					t.Errorf("Resume: %v", err)
				}
			}
			return evrpc.Continue
		})
	})
	calls := makeCalls(e, p, "Message", "Message", "Message", "Message")
	for i, c := range calls {
		c.wantOK(t, fmt.Sprintf("call %d", i))
	}
	e.do(func() {
		// Hooks ran in MakeRequest order, each call's in turn.
		pos := map[string]int{}
		for i, l := range log {
			pos[l] = i + 1
		}
		for i := range 4 {
			id := strconv.Itoa(i)
			steps := []string{"out1:" + id, "out2:" + id, "in1:" + id, "in2:" + id}
			for j, st := range steps {
				if pos[st] == 0 {
					t.Errorf("hook step %s missing from %q", st, log)
				} else if j > 0 && pos[st] < pos[steps[j-1]] {
					t.Errorf("hook step %s before %s in %q", st, steps[j-1], log)
				}
			}
			if i > 0 && pos["out1:"+id] < pos["out1:"+strconv.Itoa(i-1)] {
				t.Errorf("call %d started before call %d: %q", i, i-1, log)
			}
		}
		if pos["in2:3"] > pos["out2:0"] {
			t.Errorf("the paused call was sent before the others finished: %q", log)
		}
		// The server saw the requests the hooks rewrote, the paused one last.
		if got := strings.Join(s.messages, " "); got != "call-1/1 call-2/2 call-3/3 call-0/0" {
			t.Errorf("Message served as %s", got)
		}
	})
}

// TestPipelineRemoveConnection: the calls on a removed connection go on,
// and new calls go only to the connections left.
func TestPipelineRemoveConnection(t *testing.T) {
	e := newEnv(t)
	s := newPipeServer(e)
	p, conns := newPipePool(e, e.port, 2, 4, waitLimit)
	t.Cleanup(func() { e.do(conns[1].Close) })
	calls := makeCalls(e, p, "Hold", "Hold", "Hold", "Hold")
	e.do(func() {
		if !p.RemoveConnection(conns[1]) {
			t.Error("RemoveConnection found no connection")
		}
	})
	calls = append(calls, makeCalls(e, p, "Hold", "Hold")...)
	e.do(func() {
		if a, b := conns[0].Pending(), conns[1].Pending(); a != 4 || b != 2 {
			t.Errorf("connections carry %d and %d calls, want 4 and 2", a, b)
		}
		s.release()
	})
	for i, c := range calls {
		c.wantOK(t, fmt.Sprintf("call %d", i))
	}
}
