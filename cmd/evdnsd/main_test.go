package main

import (
	"bytes"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/goevent/goevent/internal/basetest"
	"github.com/miekg/dns"
)

// binary is the evdnsd built once for the whole test run by TestMain.
var binary string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "evdnsd-test-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	binary = filepath.Join(dir, "evdnsd")
	args := []string{"build", "-o", binary}
	if raceEnabled {
		args = append(args, "-race")
	}
	build := exec.Command("go", append(args, ".")...)
	build.Stderr = os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "building evdnsd:", err)
		os.RemoveAll(dir)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// lockedBuffer collects a process's output for the test to read.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// daemonProc is a running evdnsd started by a test.
type daemonProc struct {
	cmd    *exec.Cmd
	stderr *lockedBuffer
	addrs  []string // bound addresses, from -ready-file
	done   chan struct{}
	err    error // Wait's result, once done is closed
}

// addr is the first bound address.
func (p *daemonProc) addr() string { return p.addrs[0] }

// port is the first bound address's port.
func (p *daemonProc) port() string {
	_, port, _ := net.SplitHostPort(p.addr())
	return port
}

// startDaemon runs evdnsd with args plus -listen 127.0.0.1:0 (unless
// args have a -listen), -loops 2 (unless given) and -ready-file, and
// waits until it serves. The process is killed when the test ends, by
// PID.
func startDaemon(t *testing.T, args ...string) *daemonProc {
	t.Helper()
	ready := filepath.Join(t.TempDir(), "ready")
	full := append([]string(nil), args...)
	if !hasFlag(args, "-listen") {
		full = append(full, "-listen", "127.0.0.1:0")
	}
	if !hasFlag(args, "-loops") {
		full = append(full, "-loops", "2")
	}
	full = append(full, "-ready-file", ready)
	p := &daemonProc{stderr: &lockedBuffer{}, done: make(chan struct{})}
	p.cmd = exec.Command(binary, full...)
	p.cmd.Stderr = p.stderr
	if err := p.cmd.Start(); err != nil {
		t.Fatalf("start evdnsd: %v", err)
	}
	go func() { p.err = p.cmd.Wait(); close(p.done) }()
	t.Cleanup(func() {
		p.cmd.Process.Kill()
		<-p.done
		if t.Failed() {
			t.Logf("evdnsd stderr:\n%s", p.stderr.String())
		}
	})
	deadline := time.Now().Add(30 * time.Second)
	for {
		if b, err := os.ReadFile(ready); err == nil {
			p.addrs = strings.Fields(string(b))
			return p
		}
		select {
		case <-p.done:
			t.Fatalf("evdnsd exited before serving: %v\n%s", p.err, p.stderr.String())
		case <-time.After(10 * time.Millisecond): // polling for the ready file
		}
		if time.Now().After(deadline) {
			t.Fatalf("evdnsd not ready after 30s:\n%s", p.stderr.String())
		}
	}
}

func hasFlag(args []string, name string) bool {
	for _, a := range args {
		if a == name || strings.HasPrefix(a, name+"=") {
			return true
		}
	}
	return false
}

// signal sends sig to the process.
func (p *daemonProc) signal(t *testing.T, sig syscall.Signal) {
	t.Helper()
	if err := p.cmd.Process.Signal(sig); err != nil {
		t.Fatalf("signal %v: %v", sig, err)
	}
}

// wait waits for the process to exit and returns its exit status.
func (p *daemonProc) wait(t *testing.T, limit time.Duration) int {
	t.Helper()
	select {
	case <-p.done:
	case <-time.After(limit):
		t.Fatalf("evdnsd still running after %v", limit)
	}
	return p.cmd.ProcessState.ExitCode()
}

// waitLog waits until the process's stderr holds s.
func (p *daemonProc) waitLog(t *testing.T, s string) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !strings.Contains(p.stderr.String(), s) {
		if time.Now().After(deadline) {
			t.Fatalf("stderr never said %q:\n%s", s, p.stderr.String())
		}
		time.Sleep(10 * time.Millisecond) // polling the log, not ordering events
	}
}

// exchange sends m to the daemon over network ("udp" or "tcp") with a
// Go client and returns the reply.
func (p *daemonProc) exchange(t *testing.T, network string, m *dns.Msg) *dns.Msg {
	t.Helper()
	c := &dns.Client{Net: network, Timeout: 10 * time.Second, UDPSize: 65535}
	r, _, err := c.Exchange(m, p.addr())
	if err != nil {
		t.Fatalf("%s query %v: %v", network, m.Question, err)
	}
	return r
}

// ask sends a query for name and qtype over UDP with EDNS0 (1232 bytes).
func (p *daemonProc) ask(t *testing.T, name string, qtype uint16) *dns.Msg {
	t.Helper()
	m := new(dns.Msg)
	m.SetQuestion(name, qtype)
	m.SetEdns0(1232, false)
	return p.exchange(t, "udp", m)
}

// dig runs dig against the daemon and returns its output.
func (p *daemonProc) dig(t *testing.T, args ...string) string {
	t.Helper()
	bin := basetest.RequirePeer(t, "dig")
	full := append([]string{"@127.0.0.1", "-p", p.port(), "+time=10", "+tries=1"}, args...)
	out, err := exec.Command(bin, full...).CombinedOutput()
	if err != nil {
		t.Fatalf("dig %v: %v\n%s", args, err, out)
	}
	return string(out)
}

// kdig runs kdig against the daemon and returns its output.
func (p *daemonProc) kdig(t *testing.T, args ...string) string {
	t.Helper()
	bin := basetest.RequirePeer(t, "kdig")
	full := append([]string{"@127.0.0.1", "-p", p.port(), "+time=10", "+retry=0"}, args...)
	out, err := exec.Command(bin, full...).CombinedOutput()
	if err != nil {
		t.Fatalf("kdig %v: %v\n%s", args, err, out)
	}
	return string(out)
}

// freePort returns a loopback port that was free for both UDP and TCP a
// moment ago (bound on :0, then closed).
func freePort(t testing.TB) int {
	t.Helper()
	for range 20 {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		port := ln.Addr().(*net.TCPAddr).Port
		pc, err := net.ListenPacket("udp", "127.0.0.1:"+strconv.Itoa(port))
		ln.Close()
		if err == nil {
			pc.Close()
			return port
		}
	}
	t.Fatal("no free port")
	return 0
}

// writeFile writes content to name in a fresh temporary directory and
// returns its path.
func writeFile(t *testing.T, name, content string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}
