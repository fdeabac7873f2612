package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// binary is the evhttpd built once for the whole test run by TestMain.
var binary string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "evhttpd-test-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	binary = filepath.Join(dir, "evhttpd")
	args := []string{"build", "-o", binary}
	if raceEnabled {
		args = append(args, "-race")
	}
	build := exec.Command("go", append(args, ".")...)
	build.Stderr = os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "building evhttpd:", err)
		os.RemoveAll(dir)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// lockedBuffer collects a process's stderr for the test to read.
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

// daemonProc is a running evhttpd started by a test.
type daemonProc struct {
	cmd    *exec.Cmd
	stderr *lockedBuffer
	addrs  []string // bound addresses, from -ready-file
	done   chan struct{}
	err    error // Wait's result, once done is closed
}

// addr is the first bound address.
func (p *daemonProc) addr() string { return p.addrs[0] }

// url is the http URL of path on the first address.
func (p *daemonProc) url(path string) string { return "http://" + p.addr() + path }

// startDaemon runs evhttpd with args plus -ready-file and waits until it
// serves. The process is killed when the test ends, by PID.
func startDaemon(t *testing.T, args ...string) *daemonProc {
	t.Helper()
	return startDaemonCmd(t, nil, args...)
}

// startDaemonCmd is startDaemon with a hook to adjust the command (extra
// files, environment, wrapper) before it starts.
func startDaemonCmd(t *testing.T, adjust func(*exec.Cmd), args ...string) *daemonProc {
	t.Helper()
	ready := filepath.Join(t.TempDir(), "ready")
	p := &daemonProc{stderr: &lockedBuffer{}, done: make(chan struct{})}
	p.cmd = exec.Command(binary, append(args, "-ready-file", ready)...)
	p.cmd.Stderr = p.stderr
	if adjust != nil {
		adjust(p.cmd)
	}
	if err := p.cmd.Start(); err != nil {
		t.Fatalf("start evhttpd: %v", err)
	}
	go func() { p.err = p.cmd.Wait(); close(p.done) }()
	t.Cleanup(func() {
		p.cmd.Process.Kill()
		<-p.done
		if t.Failed() {
			t.Logf("evhttpd stderr:\n%s", p.stderr.String())
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
			t.Fatalf("evhttpd exited before serving: %v\n%s", p.err, p.stderr.String())
		case <-time.After(10 * time.Millisecond): // polling for the ready file
		}
		if time.Now().After(deadline) {
			t.Fatalf("evhttpd not ready after 30s:\n%s", p.stderr.String())
		}
	}
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
		t.Fatalf("evhttpd still running after %v", limit)
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

// rawResponse is a reply read from a raw connection.
type rawResponse struct {
	code int
	head string
	body string
}

// rawRequest sends req as written (no normalisation by a client library)
// and reads the reply until the server closes the connection.
func rawRequest(t *testing.T, addr, req string) rawResponse {
	t.Helper()
	c, err := net.DialTimeout("tcp", addr, 10*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(20 * time.Second))
	if _, err := io.WriteString(c, req); err != nil {
		t.Fatal(err)
	}
	resp, err := http.ReadResponse(bufio.NewReader(c), nil)
	if err != nil {
		t.Fatalf("reading the reply to %q: %v", req, err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	var h strings.Builder
	resp.Header.Write(&h)
	return rawResponse{code: resp.StatusCode, head: h.String(), body: string(body)}
}

// writeTree creates files (name → content) under dir.
func writeTree(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	for name, content := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// get fetches url with the given request header fields.
func get(t *testing.T, method, url string, hdr ...string) (*http.Response, string) {
	t.Helper()
	req, err := http.NewRequest(method, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	tr := &http.Transport{DisableCompression: true}
	defer tr.CloseIdleConnections()
	resp, err := (&http.Client{Transport: tr, Timeout: 30 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}).Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, url, err)
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		t.Fatalf("%s %s: body: %v", method, url, err)
	}
	return resp, string(body)
}

func jsonUnmarshal(s string, v any) error { return json.Unmarshal([]byte(s), v) }
