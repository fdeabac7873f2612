package basetest

import (
	"bytes"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"syscall"
	"testing"
	"time"
)

// NginxConfig is what StartNginx's server does beyond serving Root.
type NginxConfig struct {
	// KeepaliveRequests is nginx's keepalive_requests (0: nginx's default).
	KeepaliveRequests int
	// GzipPrefix, when set, is a location (such as "/gz/") whose text/plain
	// replies nginx gzips, so they come back chunked.
	GzipPrefix string
}

// Nginx is an nginx a test started on a loopback port.
type Nginx struct {
	Addr string // 127.0.0.1:port
	Port int
	Root string // the document root, empty at start
}

// StartNginx runs nginx in the foreground (no daemon, no master process)
// with a configuration of its own in a temporary directory, serving Root
// on a loopback port it picks, and waits until it accepts connections. It
// is stopped by PID when the test ends. A missing nginx is handled by
// RequirePeer's rule.
func StartNginx(t testing.TB, cfg NginxConfig) *Nginx {
	t.Helper()
	bin := RequirePeer(t, "nginx")
	dir := t.TempDir()
	root := filepath.Join(dir, "www")
	for _, d := range []string{root, filepath.Join(dir, "tmp"), filepath.Join(dir, "logs")} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	var extra string
	if cfg.KeepaliveRequests > 0 {
		extra = fmt.Sprintf("keepalive_requests %d;", cfg.KeepaliveRequests)
	}
	var gz string
	if cfg.GzipPrefix != "" {
		if err := os.MkdirAll(filepath.Join(root, filepath.FromSlash(cfg.GzipPrefix)), 0o755); err != nil {
			t.Fatal(err)
		}
		gz = fmt.Sprintf("location %s { gzip on; gzip_min_length 0; gzip_types text/plain; }", cfg.GzipPrefix)
	}
	conf := fmt.Sprintf(`
pid %[1]s/nginx.pid;
events { worker_connections 256; }
http {
	access_log off;
	client_body_temp_path %[1]s/tmp/body;
	proxy_temp_path %[1]s/tmp/proxy;
	fastcgi_temp_path %[1]s/tmp/fastcgi;
	uwsgi_temp_path %[1]s/tmp/uwsgi;
	scgi_temp_path %[1]s/tmp/scgi;
	default_type text/plain;
	%[2]s
	server {
		listen 127.0.0.1:%[3]d;
		root %[1]s/www;
		%[4]s
	}
}
`, dir, extra, port, gz)
	confPath := filepath.Join(dir, "nginx.conf")
	if err := os.WriteFile(confPath, []byte(conf), 0o644); err != nil {
		t.Fatal(err)
	}
	var stderr lockedBuffer
	cmd := exec.Command(bin, "-e", "stderr", "-p", dir, "-c", confPath, "-g", "daemon off; master_process off; error_log stderr;")
	cmd.Stderr = &stderr
	cmd.Stdout = &stderr
	if err := cmd.Start(); err != nil {
		PeerUnavailable(t, "nginx", err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	t.Cleanup(func() {
		syscall.Kill(cmd.Process.Pid, syscall.SIGTERM)
		select {
		case <-exited:
		case <-time.After(10 * time.Second):
			cmd.Process.Kill()
			<-exited
		}
	})
	addr := net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
	deadline := time.Now().Add(10 * time.Second)
	for {
		c, err := net.DialTimeout("tcp", addr, time.Second)
		if err == nil {
			c.Close()
			break
		}
		select {
		case err := <-exited:
			exited <- err
			t.Fatalf("nginx exited: %v\n%s", err, stderr.String())
		case <-time.After(20 * time.Millisecond): // polling for the port
		}
		if time.Now().After(deadline) {
			t.Fatalf("nginx not accepting on %s: %v\n%s", addr, err, stderr.String())
		}
	}
	return &Nginx{Addr: addr, Port: port, Root: root}
}

// lockedBuffer is a bytes.Buffer a child process writes to while the test
// may read it.
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
