package evrpc_test

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/goevent/goevent/evhttp"
	"github.com/goevent/goevent/evrpc"
	"github.com/goevent/goevent/internal/basetest"
)

// The tests in this file put libevent's own evrpc on the other side:
// testdata/evrpc_peer.c, compiled against the installed libevent-dev (CI
// installs Debian's libevent-dev and a C compiler), is a C evrpc server and
// client for the messages of testdata/regress.rpc.

// buildPeer compiles testdata/evrpc_peer.c with cc against libevent and
// returns the binary's path; without cc or libevent-dev the test is skipped
// (or fails under GOEVENT_REQUIRE_PEERS=1).
func buildPeer(t *testing.T) string {
	t.Helper()
	cc, err := exec.LookPath("cc")
	if err != nil {
		basetest.PeerUnavailable(t, "cc", err)
	}
	flags := []string{"-levent"}
	if pc, err := exec.LookPath("pkg-config"); err == nil {
		if out, err := exec.Command(pc, "--cflags", "--libs", "libevent").Output(); err == nil {
			flags = strings.Fields(string(out))
		}
	}
	bin := filepath.Join(t.TempDir(), "evrpc_peer")
	args := append([]string{"-O1", "-o", bin, filepath.Join("testdata", "evrpc_peer.c")}, flags...)
	if out, err := exec.Command(cc, args...).CombinedOutput(); err != nil {
		basetest.PeerUnavailable(t, "libevent-dev (cc "+strings.Join(args, " ")+")", fmt.Errorf("%v\n%s", err, out))
	}
	return bin
}

// TestPeerCClient: libevent's C evrpc client (no Host header, its own
// hooks and meta data) calls a goevent server: a good call, a call the
// server fails with 503, and a good call on the reconnected connection.
func TestPeerCClient(t *testing.T) {
	bin := buildPeer(t)
	e := newEnv(t)
	var requests []string
	if err := RegisterMessage(e.rpc, func(r *evrpc.Request[Msg, Kill]) {
		requests = append(requests, fmt.Sprintf("%s %s %+v host=%q", r.Req.FromName, r.Req.ToName, *r.Req.Attack, r.HTTP().InputHeaders().Get("Host")))
		*r.Reply = dagger(r.Req)
		r.Done()
	}); err != nil {
		t.Fatal(err)
	}
	type needy struct {
		K *Kill `evtag:"1"`
	}
	if err := evrpc.Register(e.rpc, "Fail", func(r *evrpc.Request[Msg, needy]) { r.Done() }); err != nil {
		t.Fatal(err)
	}
	var hooked []string
	e.rpc.AddHook(evrpc.Input, func(hc *evrpc.HookContext) evrpc.HookResult {
		hooked = append(hooked, hc.RPC()+":"+hc.Header().Get("X-Hook"))
		return evrpc.Continue
	})
	e.rpc.AddHook(evrpc.Output, func(hc *evrpc.HookContext) evrpc.HookResult {
		hc.Header().Set("X-Pong", "go")
		return evrpc.Continue
	})

	ctx, cancel := context.WithTimeout(context.Background(), waitLimit)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, "client", strconv.Itoa(e.port))
	cmd.Stderr = os.Stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("evrpc_peer client (pid %d): %v\n%s", cmd.Process.Pid, err, out)
	}
	want := "in-hook code=200 pong=go meta=yes\n" +
		"Message status=0 weapon=dagger action=wave around like an idiot how=5,1193046\n" +
		"in-hook code=503 pong=- meta=yes\n" +
		"Fail status=2 weapon=- action=- how=\n" +
		"in-hook code=200 pong=go meta=yes\n" +
		"Message status=0 weapon=dagger action=wave around like an idiot how=5,1193046\n"
	if string(out) != want {
		t.Errorf("C client printed\n%s\nwant\n%s", out, want)
	}
	e.do(func() {
		wantReq := `niels tester {Weapon:feather Action:tickle HowOften:[3 291]} host=""`
		if len(requests) != 2 || requests[0] != wantReq || requests[1] != wantReq {
			t.Errorf("handler saw %q, want twice %q", requests, wantReq)
		}
		if got := strings.Join(hooked, " "); got != "Message:c-client Fail:c-client Message:c-client" {
			t.Errorf("input hook saw %s", got)
		}
	})
}

// cServer is a running evrpc_peer server.
type cServer struct {
	port  int
	lines *bufio.Scanner
}

// startCServer starts the C evrpc server; it stops when the test ends.
func startCServer(t *testing.T) *cServer {
	t.Helper()
	cmd := exec.Command(buildPeer(t), "server")
	in, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		in.Close() // the server exits at end of input
		done := make(chan error, 1)
		go func() { done <- cmd.Wait() }()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("evrpc_peer server (pid %d): %v", cmd.Process.Pid, err)
			}
		case <-time.After(waitLimit):
			cmd.Process.Kill()
			<-done
			t.Errorf("evrpc_peer server (pid %d) did not exit", cmd.Process.Pid)
		}
	})
	s := &cServer{lines: bufio.NewScanner(out)}
	if !s.lines.Scan() {
		t.Fatalf("evrpc_peer server printed no port: %v", s.lines.Err())
	}
	if _, err := fmt.Sscanf(s.lines.Text(), "port %d", &s.port); err != nil {
		t.Fatalf("evrpc_peer server: %q: %v", s.lines.Text(), err)
	}
	return s
}

// line returns the server's next line of output.
func (s *cServer) line(t *testing.T) string {
	t.Helper()
	ch := make(chan string, 1)
	go func() {
		if s.lines.Scan() {
			ch <- s.lines.Text()
		} else {
			ch <- "EOF"
		}
	}()
	select {
	case l := <-ch:
		return l
	case <-time.After(waitLimit):
		t.Fatal("evrpc_peer server printed nothing")
		return ""
	}
}

// TestPeerCServer: a goevent client calls libevent's C evrpc server.
func TestPeerCServer(t *testing.T) {
	s := startCServer(t)
	e := newEnv(t)
	var p *evrpc.Pool
	e.do(func() {
		p = evrpc.NewPool(e.base, &evrpc.PoolConfig{Timeout: waitLimit})
		p.AddConnection(evhttp.NewConnection(e.base, nil, "127.0.0.1", s.port))
	})
	defer e.do(p.Close)
	status := func(err error) (evrpc.Status, int) {
		t.Helper()
		var re *evrpc.Error
		if !errors.As(err, &re) {
			t.Fatalf("%v (%T) is not an *evrpc.Error", err, err)
		}
		return re.Status, re.Code
	}

	req := Msg{FromName: "goevent", ToName: "libevent", Attack: &Kill{Weapon: "feather", Action: "tickle", HowOften: []uint32{3, 0x123}}}
	var reply Kill
	if err := wait(t, start(e, p, "Message", &req, &reply)); err != nil {
		t.Fatalf("Message: %v", err)
	}
	if want := dagger(&req); fmt.Sprint(reply) != fmt.Sprint(want) {
		t.Errorf("reply %+v, want %+v", reply, want)
	}
	if got, want := s.line(t), "request from=goevent to=libevent attack weapon=feather action=tickle how=3,291"; got != want {
		t.Errorf("C server saw %q, want %q", got, want)
	}

	// An incomplete reply: libevent answers 503 and closes.
	err := wait(t, start(e, p, "Fail", &req, &reply))
	if st, code := status(err); st != evrpc.StatusBadPayload || code != 503 || !errors.Is(err, evrpc.ErrServerError) {
		t.Errorf("Fail: %v, want StatusBadPayload with 503", err)
	}

	// A field libevent's decoder does not know: 503.
	type extended struct {
		FromName string `evtag:"1"`
		ToName   string `evtag:"2"`
		Extra    string `evtag:"9"`
	}
	err = wait(t, start(e, p, "Message", &extended{"a", "b", "new"}, &reply))
	if st, code := status(err); st != evrpc.StatusBadPayload || code != 503 {
		t.Errorf("unknown tag: %v, want StatusBadPayload with 503", err)
	}

	// The pool timeout against a server that never answers.
	e.do(func() { p.SetTimeout(300 * time.Millisecond) })
	err = wait(t, start(e, p, "NeverReply", &req, &reply))
	if st, _ := status(err); st != evrpc.StatusTimeout {
		t.Errorf("NeverReply: %v, want StatusTimeout", err)
	}
	if got := s.line(t); got != "never-reply" {
		t.Errorf("C server printed %q", got)
	}

	// And the connection recovers from all of it.
	e.do(func() { p.SetTimeout(waitLimit) })
	if err := wait(t, start(e, p, "Message", &Msg{FromName: "again", ToName: "x"}, &reply)); err != nil {
		t.Fatalf("Message after errors: %v", err)
	}
	if reply.HowOften[0] != 5 {
		t.Errorf("reply %+v", reply)
	}
}
