package evrpc_test

import (
	"errors"
	"fmt"
	"testing"

	"github.com/goevent/goevent/evrpc"
	"github.com/goevent/goevent/evrpc/evtag"
)

// TestHooks is libevent's basic_client: hooks on both sides add and check
// headers, carry meta data from output to input hooks, and rewrite bodies.
func TestHooks(t *testing.T) {
	e := newEnv(t)
	var metaInHandler string
	if err := RegisterMessage(e.rpc, func(r *evrpc.Request[Msg, Kill]) {
		m, _ := r.FindMeta("server-in")
		metaInHandler = string(m)
		*r.Reply = dagger(r.Req)
		r.Done()
	}); err != nil {
		t.Fatal(err)
	}
	var seen []string
	note := func(format string, args ...any) { seen = append(seen, fmt.Sprintf(format, args...)) }

	e.rpc.AddHook(evrpc.Input, func(hc *evrpc.HookContext) evrpc.HookResult {
		note("server in %s %s X-Hook=%s", hc.Type(), hc.RPC(), hc.Header().Get("X-Hook"))
		if hc.ServerRequest() == nil || hc.ClientRequest() != nil || hc.Connection() != nil {
			t.Error("server hook context has the wrong request")
		}
		hc.AddMeta("server-in", []byte("from input hook"))
		// Rewrite the request: the handler sees another sender.
		var m Msg
		if err := new(evtag.Codec).UnmarshalBuffer(hc.Body(), &m); err != nil {
			t.Errorf("input hook: %v", err)
			return evrpc.Terminate
		}
		m.FromName = "rewritten"
		if err := new(evtag.Codec).MarshalBuffer(hc.Body(), &m); err != nil {
			t.Error(err)
		}
		return evrpc.Continue
	})
	e.rpc.AddHook(evrpc.Output, func(hc *evrpc.HookContext) evrpc.HookResult {
		m, _ := hc.FindMeta("server-in")
		note("server out %s meta=%s", hc.Type(), m)
		hc.Header().Set("X-Pong", "pong")
		return evrpc.Continue
	})
	e.pool.AddHook(evrpc.Output, func(hc *evrpc.HookContext) evrpc.HookResult {
		note("client out %s %s body=%d", hc.Type(), hc.RPC(), hc.Body().Len())
		if hc.ClientRequest() == nil || hc.Connection() == nil || hc.ServerRequest() != nil {
			t.Error("client hook context has the wrong request")
		}
		hc.Header().Set("X-Hook", "input")
		hc.AddMeta("client", []byte("one"))
		hc.AddMeta("client", []byte("two"))
		return evrpc.Continue
	})
	e.pool.AddHook(evrpc.Input, func(hc *evrpc.HookContext) evrpc.HookResult {
		m, ok := hc.FindMeta("client")
		_, missing := hc.FindMeta("server-in") // meta data is not sent
		note("client in %s X-Pong=%s meta=%s/%v/%v", hc.Type(), hc.Header().Get("X-Pong"), m, ok, missing)
		return evrpc.Continue
	})

	var reply Kill
	if err := call(e, "Message", &Msg{FromName: "niels", ToName: "x"}, &reply); err != nil {
		t.Fatal(err)
	}
	if reply.HowOften[0] != uint32(len("rewritten")) {
		t.Errorf("handler did not see the rewritten request: %+v", reply)
	}
	want := "[client out output Message body=10 server in input Message X-Hook=input " +
		"server out output meta=from input hook client in input X-Pong=pong meta=one/true/false]"
	e.do(func() {
		if got := fmt.Sprint(seen); got != want {
			t.Errorf("hooks saw\n%s\nwant\n%s", got, want)
		}
		if metaInHandler != "from input hook" {
			t.Errorf("handler found meta %q", metaInHandler)
		}
	})
}

// TestHooksPause is libevent's basic_client_with_pause: every hook pauses
// and is resumed later from the loop; a paused call goes on where it
// stopped, the hooks after the paused one included.
func TestHooksPause(t *testing.T) {
	e := newEnv(t)
	e.registerMessage()
	var order []string
	pauser := func(name string) evrpc.Hook {
		return func(hc *evrpc.HookContext) evrpc.HookResult {
			order = append(order, name)
			// Resume from a later loop pass, as a hook waiting for
			// something would.
			e.base.Post(func() {
				if err := hc.Resume(evrpc.Continue); err != nil {
					t.Errorf("%s: Resume: %v", name, err)
				}
			})
			return evrpc.Pause
		}
	}
	e.rpc.AddHook(evrpc.Input, pauser("server-in-1"))
	e.rpc.AddHook(evrpc.Input, pauser("server-in-2"))
	e.rpc.AddHook(evrpc.Output, pauser("server-out"))
	e.pool.AddHook(evrpc.Output, pauser("client-out"))
	e.pool.AddHook(evrpc.Input, pauser("client-in"))
	var reply Kill
	if err := call(e, "Message", &Msg{FromName: "a", ToName: "b"}, &reply); err != nil {
		t.Fatal(err)
	}
	e.do(func() {
		if got := fmt.Sprint(order); got != "[client-out server-in-1 server-in-2 server-out client-in]" {
			t.Errorf("hooks ran in order %s", got)
		}
	})
}

// TestHooksResumeSync: a hook that calls Resume before it returns Pause
// goes on at once.
func TestHooksResumeSync(t *testing.T) {
	e := newEnv(t)
	e.registerMessage()
	var errs []error
	e.pool.AddHook(evrpc.Output, func(hc *evrpc.HookContext) evrpc.HookResult {
		errs = append(errs, hc.Resume(evrpc.Continue))
		return evrpc.Pause
	})
	e.pool.AddHook(evrpc.Input, func(hc *evrpc.HookContext) evrpc.HookResult {
		errs = append(errs, hc.Resume(evrpc.Terminate))
		return evrpc.Pause
	})
	var reply Kill
	err := call(e, "Message", &Msg{FromName: "a", ToName: "b"}, &reply)
	if !errors.Is(err, evrpc.ErrHookAborted) {
		t.Fatalf("call: %v, want ErrHookAborted", err)
	}
	e.do(func() {
		if fmt.Sprint(errs) != "[<nil> <nil>]" {
			t.Errorf("Resume inside hooks: %v", errs)
		}
	})
}

// TestHooksTerminate checks where each hook's Terminate leads.
func TestHooksTerminate(t *testing.T) {
	msg := Msg{FromName: "a", ToName: "b"}
	stop := func(*evrpc.HookContext) evrpc.HookResult { return evrpc.Terminate }
	for _, tc := range []struct {
		name   string
		add    func(e *env) *evrpc.HookHandle
		status evrpc.Status
		code   int
	}{
		{"client output", func(e *env) *evrpc.HookHandle { return e.pool.AddHook(evrpc.Output, stop) }, evrpc.StatusUnstarted, 0},
		{"client input", func(e *env) *evrpc.HookHandle { return e.pool.AddHook(evrpc.Input, stop) }, evrpc.StatusHookAborted, 200},
		{"server input", func(e *env) *evrpc.HookHandle { return e.rpc.AddHook(evrpc.Input, stop) }, evrpc.StatusBadPayload, 503},
		{"server output", func(e *env) *evrpc.HookHandle { return e.rpc.AddHook(evrpc.Output, stop) }, evrpc.StatusBadPayload, 503},
		{"paused then terminated", func(e *env) *evrpc.HookHandle {
			return e.rpc.AddHook(evrpc.Input, func(hc *evrpc.HookContext) evrpc.HookResult {
				e.base.Post(func() { hc.Resume(evrpc.Terminate) })
				return evrpc.Pause
			})
		}, evrpc.StatusBadPayload, 503},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t)
			e.registerMessage()
			h := tc.add(e)
			reply := Kill{Weapon: "stale"}
			err := call(e, "Message", &msg, &reply)
			var re *evrpc.Error
			if !errors.As(err, &re) || re.Status != tc.status || re.Code != tc.code {
				t.Fatalf("call: %v, want status %v with HTTP %d", err, tc.status, tc.code)
			}
			if reply.Weapon != "" {
				t.Errorf("reply not cleared: %+v", reply)
			}
			if !e.rpc.RemoveHook(h) && !e.pool.RemoveHook(h) {
				t.Fatal("RemoveHook found no hook")
			}
			if e.rpc.RemoveHook(h) || e.pool.RemoveHook(h) {
				t.Fatal("RemoveHook removed a hook twice")
			}
			if err := call(e, "Message", &msg, &reply); err != nil {
				t.Fatalf("call without the hook: %v", err)
			}
		})
	}
}

// TestHookResumeAfterEnd: Resume on a call that ended while its hook was
// paused, or with no hook paused, fails.
func TestHookResumeAfterEnd(t *testing.T) {
	e := newEnv(t)
	e.registerMessage()
	paused := make(chan *evrpc.HookContext, 1)
	e.pool.AddHook(evrpc.Output, func(hc *evrpc.HookContext) evrpc.HookResult {
		paused <- hc
		return evrpc.Pause
	})
	var reply Kill
	var c *evrpc.Call
	ch := make(chan error, 1)
	e.do(func() {
		c, _ = evrpc.MakeRequest(e.pool, "Message", &Msg{FromName: "a", ToName: "b"}, &reply, func(err error) { ch <- err })
	})
	hc := <-paused
	e.do(c.Cancel)
	if err := wait(t, ch); !errors.Is(err, evrpc.ErrCancelled) {
		t.Fatalf("cancelled while paused: %v", err)
	}
	var err error
	e.do(func() { err = hc.Resume(evrpc.Continue) })
	if !errors.Is(err, evrpc.ErrDone) {
		t.Fatalf("Resume after the call ended: %v, want ErrDone", err)
	}

	var zero evrpc.HookContext
	if err := zero.Resume(evrpc.Continue); !errors.Is(err, evrpc.ErrNotPaused) {
		t.Fatalf("Resume with nothing paused: %v, want ErrNotPaused", err)
	}
}
