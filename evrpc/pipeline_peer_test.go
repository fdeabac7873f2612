package evrpc_test

import (
	"fmt"
	"testing"

	"github.com/goevent/goevent/evrpc"
)

// TestPeerCServerPipelined: libevent's C evrpc server answers pipelined
// calls in order, and after its 503 (with the connection closed) the calls
// pipelined behind are sent again on a new connection, each processed
// exactly once.
func TestPeerCServerPipelined(t *testing.T) {
	s := startCServer(t)
	e := newEnv(t)
	p, _ := newPipePool(e, s.port, 2, 8, waitLimit)
	names := make([]string, 24)
	for i := range names {
		names[i] = "Message"
	}
	// One dispatch queues 8 calls on each connection before it is made,
	// so each connection writes its 8 requests together once connected.
	calls := makeCalls(e, p, names...)
	for i, c := range calls {
		c.wantOK(t, fmt.Sprintf("call %d", i))
	}
	served := map[string]int{}
	for range names {
		served[s.line(t)]++
	}
	for i := range names {
		l := fmt.Sprintf("request from=call-%d to=server", i)
		if served[l] != 1 {
			t.Errorf("C server served %q %d times", l, served[l])
		}
	}

	one, _ := newPipePool(e, s.port, 1, 4, waitLimit)
	calls = makeCalls(e, one, "Message:a", "Fail", "Message:b", "Message:c")
	calls[0].wantOK(t, "call before the 503")
	calls[1].wantErr(t, "Fail", evrpc.StatusBadPayload, []error{evrpc.ErrServerError})
	calls[2].wantOK(t, "first call after the 503")
	calls[3].wantOK(t, "second call after the 503")
	for _, id := range []string{"a", "b", "c"} {
		want := "request from=call-" + id + " to=server"
		if got := s.line(t); got != want {
			t.Errorf("C server printed %q, want %q", got, want)
		}
	}
}
