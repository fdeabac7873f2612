package main

import (
	"bytes"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/goevent/goevent/internal/basetest"
)

// runExit runs evhttpd to completion and returns its exit status and stderr.
func runExit(t *testing.T, args ...string) (int, string) {
	t.Helper()
	cmd := exec.Command(binary, args...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	done := make(chan error, 1)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { done <- cmd.Wait() }()
	select {
	case <-done:
	case <-time.After(30 * time.Second):
		cmd.Process.Kill()
		<-done
		t.Fatalf("evhttpd %v still running after 30s", args)
	}
	return cmd.ProcessState.ExitCode(), stderr.String()
}

func TestStartupErrors(t *testing.T) {
	busy, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer busy.Close()
	dir := t.TempDir()
	garbage := filepath.Join(dir, "garbage.pem")
	os.WriteFile(garbage, []byte("not a certificate"), 0o644)
	tests := []struct {
		name string
		args []string
		msg  string
	}{
		{"unknown flag", []string{"-nope"}, "evhttpd: flag provided but not defined: -nope\n"},
		{"bad duration", []string{"-timeout", "soon"}, ""},
		{"stray argument", []string{"extra"}, "evhttpd: unexpected argument \"extra\"\n"},
		{"missing root", []string{"-root", filepath.Join(dir, "nonexistent"), "-listen", "127.0.0.1:0"}, ""},
		{"root is a file", []string{"-root", garbage, "-listen", "127.0.0.1:0"}, ""},
		{"port in use", []string{"-root", dir, "-listen", busy.Addr().String()}, ""},
		{"unreadable certificate", []string{"-root", dir, "-listen", "127.0.0.1:0", "-tls-cert", filepath.Join(dir, "none.pem"), "-tls-key", filepath.Join(dir, "none.key")}, ""},
		{"garbage certificate", []string{"-root", dir, "-listen", "127.0.0.1:0", "-tls-cert", garbage, "-tls-key", garbage}, ""},
		{"cert without key", []string{"-tls-cert", garbage}, "evhttpd: -tls-cert and -tls-key go together\n"},
		{"proxy without =", []string{"-proxy", "/api"}, "evhttpd: -proxy: proxy: invalid route: \"/api\": want PREFIX=URL\n"},
		{"proxy relative prefix", []string{"-proxy", "api=http://127.0.0.1:1"}, ""},
		{"proxy bad scheme", []string{"-proxy", "/api=ftp://127.0.0.1:1"}, ""},
		{"proxy with a path", []string{"-proxy", "/api=http://127.0.0.1:1/v1"}, ""},
		{"proxy twice", []string{"-proxy", "/a=http://127.0.0.1:1", "-proxy", "/a=http://127.0.0.1:2"}, ""},
		{"zero loops", []string{"-loops", "0"}, "evhttpd: -loops must be at least 1\n"},
		{"negative open-file-cache", []string{"-open-file-cache", "-1s"}, "evhttpd: -open-file-cache must not be negative\n"},
		{"zero upstream-conns", []string{"-upstream-conns", "0"}, "evhttpd: -upstream-conns must be at least 1\n"},
		{"relative status path", []string{"-status", "status"}, "evhttpd: -status must be a path starting with /\n"},
		{"unknown user", []string{"-root", dir, "-listen", "127.0.0.1:0", "-user", "no-such-user-evhttpd"}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, stderr := runExit(t, tt.args...)
			if code != 2 {
				t.Errorf("exit status %d, want 2; stderr:\n%s", code, stderr)
			}
			if !strings.HasPrefix(stderr, "evhttpd: ") || strings.Count(stderr, "\n") != 1 {
				t.Errorf("stderr is not one \"evhttpd: \" line: %q", stderr)
			}
			if tt.msg != "" && stderr != tt.msg {
				t.Errorf("stderr %q, want %q", stderr, tt.msg)
			}
		})
	}
	t.Run("help", func(t *testing.T) {
		code, stderr := runExit(t, "-h")
		if code != 0 {
			t.Errorf("-h: exit status %d", code)
		}
		for _, f := range []string{"-listen", "-root", "-proxy", "-tls-cert", "-tls-key", "-loops", "-gzip", "-index",
			"-list-dirs", "-max-body", "-max-header", "-access-log", "-timeout", "-status", "-user"} {
			if !strings.Contains(stderr, "  "+f+" ") && !strings.Contains(stderr, "  "+f+"\n") {
				t.Errorf("-h does not document %s", f)
			}
		}
	})
}

func TestAccessLogReopen(t *testing.T) {
	dir := t.TempDir()
	logPath := filepath.Join(dir, "access.log")
	d, _ := serveSite(t, "-access-log", logPath)
	get(t, "GET", d.url("/hello.txt"), "Referer", "http://ref.test/", "User-Agent", `agent "quoted"`)
	if err := os.Rename(logPath, logPath+".1"); err != nil {
		t.Fatal(err)
	}
	d.signal(t, syscall.SIGHUP)
	d.waitLog(t, "access log reopened")
	get(t, "GET", d.url("/missing"))
	old, _ := os.ReadFile(logPath + ".1")
	cur, _ := os.ReadFile(logPath)
	line := regexp.MustCompile(`^127\.0\.0\.1 - - \[\d{2}/[A-Z][a-z]{2}/\d{4}:\d{2}:\d{2}:\d{2} [+-]\d{4}\] "GET /hello\.txt HTTP/1\.1" 200 13 "http://ref\.test/" "agent \\x22quoted\\x22"\n$`)
	if !line.Match(old) {
		t.Errorf("rotated log %q does not match %s", old, line)
	}
	if !regexp.MustCompile(`^127\.0\.0\.1 - - \[[^]]+\] "GET /missing HTTP/1\.1" 404 \d+ "-" "Go-http-client/1\.1"\n$`).Match(cur) {
		t.Errorf("new log %q", cur)
	}
}

func TestUnixSocket(t *testing.T) {
	curl := basetest.RequirePeer(t, "curl")
	sock := filepath.Join(t.TempDir(), "evhttpd.sock")
	root := t.TempDir()
	writeTree(t, root, siteFiles)
	d := startDaemon(t, "-listen", "unix:"+sock, "-listen", "127.0.0.1:0", "-root", root)
	if len(d.addrs) != 2 || d.addrs[0] != "unix:"+sock {
		t.Fatalf("bound %v", d.addrs)
	}
	out, err := exec.Command(curl, "-sS", "--unix-socket", sock, "http://localhost/hello.txt").Output()
	if err != nil || string(out) != siteFiles["hello.txt"] {
		t.Errorf("curl over the unix socket: %q %v", out, err)
	}
}

// writePKI writes a fresh test CA, server certificate and key under dir.
func writePKI(t *testing.T, dir string) (ca, cert, key string, pki *basetest.PKI) {
	t.Helper()
	pki = basetest.MustPKI(t)
	ca, cert, key = filepath.Join(dir, "ca.pem"), filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	for p, b := range map[string][]byte{ca: pki.CAPEM, cert: pki.ServerPEM, key: pki.ServerKey} {
		if err := os.WriteFile(p+".tmp", b, 0o600); err != nil {
			t.Fatal(err)
		}
		if err := os.Rename(p+".tmp", p); err != nil {
			t.Fatal(err)
		}
	}
	return ca, cert, key, pki
}

func TestTLS(t *testing.T) {
	curl := basetest.RequirePeer(t, "curl")
	dir := t.TempDir()
	ca, cert, key, pki := writePKI(t, dir)
	root := t.TempDir()
	writeTree(t, root, siteFiles)
	big := make([]byte, 3<<20+123)
	for i := range big {
		big[i] = byte(i * 7 >> 3)
	}
	os.WriteFile(filepath.Join(root, "big.bin"), big, 0o644)
	d := startDaemon(t, "-listen", "127.0.0.1:0", "-root", root, "-tls-cert", cert, "-tls-key", key)
	_, port, _ := net.SplitHostPort(d.addr())
	url := "https://localhost:" + port

	out, err := exec.Command(curl, "-sS", "--cacert", ca, "--resolve", "localhost:"+port+":127.0.0.1", url+"/hello.txt").Output()
	if err != nil || string(out) != siteFiles["hello.txt"] {
		t.Errorf("curl https: %q %v", out, err)
	}
	out, err = exec.Command(curl, "-sS", "--cacert", ca, "--resolve", "localhost:"+port+":127.0.0.1", "-r", "1-3", url+"/digits.txt").Output()
	if err != nil || string(out) != "123" {
		t.Errorf("curl https range: %q %v", out, err)
	}

	// A file through TLS (user space, record by record) arrives intact.
	client := func(pool *tls.Config) *http.Client {
		return &http.Client{Timeout: 60 * time.Second, Transport: &http.Transport{TLSClientConfig: pool, DisableCompression: true}}
	}
	cfg := pki.ClientConfig()
	cfg.ServerName = "localhost"
	resp, err := client(cfg).Get("https://" + d.addr() + "/big.bin")
	if err != nil {
		t.Fatal(err)
	}
	got, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil || !bytes.Equal(got, big) {
		t.Fatalf("big file over TLS: %d bytes (want %d), equal %v, err %v", len(got), len(big), bytes.Equal(got, big), err)
	}

	// SIGHUP loads a new certificate: new handshakes verify against the new CA.
	_, _, _, pki2 := writePKI(t, dir)
	d.signal(t, syscall.SIGHUP)
	d.waitLog(t, "certificate reloaded")
	cfg2 := pki2.ClientConfig()
	cfg2.ServerName = "localhost"
	resp, err = client(cfg2).Get("https://" + d.addr() + "/hello.txt")
	if err != nil {
		t.Fatalf("with the new CA after SIGHUP: %v", err)
	}
	resp.Body.Close()
	if _, err := client(cfg).Get("https://" + d.addr() + "/hello.txt"); err == nil {
		t.Errorf("the old CA still verifies after the reload")
	}
}

func TestSocketActivation(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	f, err := ln.(*net.TCPListener).File()
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	root := t.TempDir()
	writeTree(t, root, siteFiles)
	// LISTEN_PID must name evhttpd itself: a shell sets it to its own PID
	// and execs, as systemd does between fork and exec.
	d := startDaemonCmd(t, func(cmd *exec.Cmd) {
		cmd.Args = append([]string{"/bin/sh", "-c", `LISTEN_PID=$$ LISTEN_FDS=1 exec "$0" "$@"`}, cmd.Args...)
		cmd.Path = "/bin/sh"
		cmd.ExtraFiles = []*os.File{f}
	}, "-root", root)
	if len(d.addrs) != 1 || d.addr() != ln.Addr().String() {
		t.Fatalf("serving %v, want only the passed socket %s", d.addrs, ln.Addr())
	}
	ln.Close() // evhttpd serves its own duplicate
	f.Close()
	if resp, body := get(t, "GET", d.url("/hello.txt")); resp.StatusCode != 200 || body != siteFiles["hello.txt"] {
		t.Errorf("over the activated socket: %d %q", resp.StatusCode, body)
	}
}

func TestDropPrivileges(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root to drop privileges")
	}
	root := t.TempDir()
	writeTree(t, root, siteFiles)
	os.Chmod(root, 0o755)
	d := startDaemon(t, "-listen", "127.0.0.1:0", "-root", root, "-user", "nobody")
	d.waitLog(t, "privileges dropped")
	status, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", d.cmd.Process.Pid))
	if err != nil {
		t.Fatal(err)
	}
	for _, field := range []string{"Uid:", "Gid:"} {
		for _, l := range strings.Split(string(status), "\n") {
			if strings.HasPrefix(l, field) {
				for _, id := range strings.Fields(l)[1:] {
					if id == "0" {
						t.Errorf("still root after -user nobody: %s", l)
					}
				}
			}
		}
	}
	if resp, body := get(t, "GET", d.url("/hello.txt")); resp.StatusCode != 200 || body != siteFiles["hello.txt"] {
		t.Errorf("after dropping privileges: %d %q", resp.StatusCode, body)
	}
}

// TestShutdownUnderLoad sends SIGTERM while clients hammer the server:
// every reply whose head arrived must arrive whole, and the exit status
// is 0.
func TestShutdownUnderLoad(t *testing.T) {
	root := t.TempDir()
	body := strings.Repeat("0123456789abcdef", 16<<10) // 256 KiB
	writeTree(t, root, map[string]string{"f.bin": body})
	d := startDaemon(t, "-listen", "127.0.0.1:0", "-root", root, "-grace", "20s")
	shutdownUnderLoad(t, d, "/f.bin", body)
}

// shutdownUnderLoad has 8 keep-alive clients GET path (whose body is body)
// from d until 50 replies are complete, sends SIGTERM, and checks that the
// daemon exits 0 after logging a clean stop and that every reply whose head
// arrived was a 200 that arrived whole.
func shutdownUnderLoad(t *testing.T, d *daemonProc, path, body string) {
	t.Helper()
	var (
		wg        sync.WaitGroup
		mu        sync.Mutex
		completed int
		broken    []string
	)
	stop := make(chan struct{})
	for range 8 {
		wg.Go(func() {
			tr := &http.Transport{DisableCompression: true}
			defer tr.CloseIdleConnections()
			c := &http.Client{Transport: tr, Timeout: 30 * time.Second}
			for {
				select {
				case <-stop:
					return
				default:
				}
				resp, err := c.Get(d.url(path))
				if err != nil {
					continue // refused or closed before a reply: not a lost reply
				}
				b, err := io.ReadAll(resp.Body)
				resp.Body.Close()
				mu.Lock()
				if err != nil || string(b) != body || resp.StatusCode != 200 {
					broken = append(broken, fmt.Sprintf("%d: %d bytes, %v", resp.StatusCode, len(b), err))
				} else {
					completed++
				}
				mu.Unlock()
				var ne *net.OpError
				if errors.As(err, &ne) {
					return
				}
			}
		})
	}
	deadline := time.Now().Add(30 * time.Second)
	for {
		mu.Lock()
		c := completed
		mu.Unlock()
		if c >= 50 || time.Now().After(deadline) {
			break
		}
		time.Sleep(5 * time.Millisecond) // polling the counter
	}
	d.signal(t, syscall.SIGTERM)
	code := d.wait(t, 40*time.Second)
	close(stop)
	wg.Wait()
	if code != 0 {
		t.Errorf("exit status %d after SIGTERM", code)
	}
	if len(broken) > 0 {
		t.Errorf("%d replies cut short (of %d complete): %v", len(broken), completed, broken[:min(len(broken), 5)])
	}
	if completed < 50 {
		t.Errorf("only %d replies before the shutdown", completed)
	}
	if !strings.Contains(d.stderr.String(), "msg=stopped") {
		t.Errorf("no clean stop logged:\n%s", d.stderr.String())
	}
}

// TestLargeFile downloads a 1 GiB file (64 MiB under -short) while
// watching the server's resident memory, which must stay flat: the body
// leaves through sendfile, never through a buffer.
func TestLargeFile(t *testing.T) {
	size := int64(1 << 30)
	if testing.Short() {
		size = 64 << 20
	}
	root := t.TempDir()
	f, err := os.Create(filepath.Join(root, "large.bin"))
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Truncate(size); err != nil { // sparse: no disk needed
		t.Fatal(err)
	}
	f.Close()
	d := startDaemon(t, "-listen", "127.0.0.1:0", "-root", root, "-loops", "1")
	base := rss(t, d.cmd.Process.Pid)
	var peak int64
	stop, sampled := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(sampled)
		for {
			if r := rss(t, d.cmd.Process.Pid); r > peak {
				peak = r
			}
			select {
			case <-stop:
				return
			case <-time.After(20 * time.Millisecond): // sampling interval
			}
		}
	}()
	resp, err := http.Get(d.url("/large.bin"))
	if err != nil {
		t.Fatal(err)
	}
	n, err := io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if err != nil || n != size {
		t.Fatalf("downloaded %d bytes of %d: %v", n, size, err)
	}
	close(stop)
	<-sampled
	if growth := peak - base; growth > 32<<20 {
		t.Errorf("server RSS grew by %d MiB (from %d MiB) while sending %d MiB", growth>>20, base>>20, size>>20)
	}
	t.Logf("RSS %d MiB at start, peak %d MiB, file %d MiB", base>>20, peak>>20, size>>20)
}

// rss returns a process's resident set size in bytes (0 once it is gone).
func rss(t *testing.T, pid int) int64 {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0
	}
	for _, l := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(l, "VmRSS:"); ok {
			f := strings.Fields(v)
			kb, _ := strconv.ParseInt(f[0], 10, 64)
			return kb << 10
		}
	}
	return 0
}
