package ssl

import (
	"bufio"
	"bytes"
	"context"
	"crypto/tls"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/goevent/goevent/bufferevent"
	"github.com/goevent/goevent/core"
)

// peerServer serves TLS with this package on a loopback port: it reads
// until a blank line (or "\n" for line clients) and answers with an HTTP
// response carrying the request upper-cased, then Close sends
// close_notify. The loop runs on its own goroutine until the test ends.
type peerServer struct {
	addr    string
	base    *core.Base
	errs    chan error
	version chan uint16
}

func startPeerServer(t *testing.T, cfg *tls.Config) *peerServer {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	base, err := core.NewBase()
	if err != nil {
		t.Fatal(err)
	}
	ps := &peerServer{addr: ln.Addr().String(), base: base, errs: make(chan error, 16), version: make(chan uint16, 16)}
	loopDone := make(chan struct{})
	go func() {
		defer close(loopDone)
		base.Loop(core.LoopNoExitOnEmpty)
	}()
	acceptDone := make(chan struct{})
	go func() {
		defer close(acceptDone)
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			f, err := c.(*net.TCPConn).File()
			c.Close()
			if err != nil {
				ps.errs <- err
				continue
			}
			fd, err := unix.Dup(int(f.Fd()))
			f.Close()
			if err == nil {
				err = unix.SetNonblock(fd, true)
			}
			if err != nil {
				ps.errs <- err
				continue
			}
			base.Post(func() { ps.serve(fd, cfg) })
		}
	}()
	t.Cleanup(func() {
		ln.Close()
		<-acceptDone
		base.LoopBreak()
		<-loopDone
		base.Close()
	})
	return ps
}

func (ps *peerServer) serve(fd int, cfg *tls.Config) {
	bev, err := NewServer(ps.base, fd, cfg, bufferevent.CloseOnFree)
	if err != nil {
		unix.Close(fd)
		ps.errs <- err
		return
	}
	bev.SetTimeouts(10*time.Second, 10*time.Second)
	bev.Enable(bufferevent.Read)
	var req bytes.Buffer
	bev.SetCallbacks(func(bev *bufferevent.BufferEvent) {
		req.ReadFrom(bev.Input())
		s := req.String()
		if !strings.HasSuffix(s, "\n") || strings.HasPrefix(s, "GET") && !strings.HasSuffix(s, "\r\n\r\n") {
			return
		}
		body := strings.ToUpper(strings.SplitN(s, "\n", 2)[0]) + "\n"
		fmt.Fprintf(bev.Output(), "HTTP/1.0 200 OK\r\nContent-Length: %d\r\nConnection: close\r\n\r\n%s", len(body), body)
		bev.Close(5*time.Second, nil)
	}, nil, func(bev *bufferevent.BufferEvent, w bufferevent.What, err error) {
		if w == bufferevent.Connected {
			st, _ := ConnectionState(bev)
			ps.version <- st.Version
			return
		}
		if w&bufferevent.Error != 0 {
			ps.errs <- err
		}
		bev.Free()
	})
}

// writeFile writes b to a file in the test's temp dir.
func writeFile(t *testing.T, name string, b []byte) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func runPeer(t *testing.T, stdin string, name string, args ...string) (string, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Stdin = strings.NewReader(stdin)
	out, err := cmd.CombinedOutput()
	return string(out), err
}

func TestOpenSSLClient(t *testing.T) {
	openssl := requirePeer(t, "openssl")
	p := pkiOnce(t)
	ca := writeFile(t, "ca.pem", p.CAPEM)
	cfg := p.ServerConfig()
	cfg.NextProtos = []string{"echo/1"}
	ps := startPeerServer(t, cfg)
	for _, v := range []struct {
		flag string
		want uint16
	}{{"-tls1_2", tls.VersionTLS12}, {"-tls1_3", tls.VersionTLS13}} {
		t.Run(v.flag, func(t *testing.T) {
			out, err := runPeer(t, "ping over tls\n", openssl, "s_client", v.flag, "-connect", ps.addr,
				"-servername", "example.test", "-CAfile", ca, "-verify_return_error", "-alpn", "echo/1", "-ign_eof")
			if err != nil || !strings.Contains(out, "PING OVER TLS") || !strings.Contains(out, "ALPN protocol: echo/1") ||
				!strings.Contains(out, "Verify return code: 0") {
				t.Fatalf("s_client: %v\n%s", err, out)
			}
			select {
			case got := <-ps.version:
				if got != v.want {
					t.Errorf("version %x, want %x", got, v.want)
				}
			case err := <-ps.errs:
				t.Errorf("server: %v", err)
			}
		})
	}
}

func TestCurlClient(t *testing.T) {
	curl := requirePeer(t, "curl")
	p := pkiOnce(t)
	ca := writeFile(t, "ca.pem", p.CAPEM)
	ps := startPeerServer(t, p.ServerConfig())
	_, port, _ := net.SplitHostPort(ps.addr)
	out, err := runPeer(t, "", curl, "-sS", "--max-time", "20", "--cacert", ca,
		"--resolve", "example.test:"+port+":127.0.0.1", "https://example.test:"+port+"/hello")
	if err != nil || !strings.Contains(out, "GET /HELLO HTTP/1.1") {
		t.Fatalf("curl: %v\n%s", err, out)
	}
	// A CA that does not match: curl refuses the certificate.
	other := writeFile(t, "other.pem", p.OtherPEM)
	out, err = runPeer(t, "", curl, "-sS", "--max-time", "20", "--cacert", other,
		"--resolve", "example.test:"+port+":127.0.0.1", "https://example.test:"+port+"/hello")
	if err == nil {
		t.Fatalf("curl accepted an unknown CA:\n%s", out)
	}
}

// freePort returns a loopback port that was free a moment ago.
func freePort(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	_, port, _ := net.SplitHostPort(ln.Addr().String())
	return port
}

// TestOpenSSLServer: our client against `openssl s_server -www`.
func TestOpenSSLServer(t *testing.T) {
	openssl := requirePeer(t, "openssl")
	p := pkiOnce(t)
	cert := writeFile(t, "srv.pem", p.ServerPEM)
	key := writeFile(t, "srv.key", p.ServerKey)
	for _, v := range []struct {
		flag string
		want uint16
	}{{"-tls1_2", tls.VersionTLS12}, {"-tls1_3", tls.VersionTLS13}} {
		t.Run(v.flag, func(t *testing.T) {
			port := freePort(t)
			cmd := exec.Command(openssl, "s_server", v.flag, "-accept", "127.0.0.1:"+port, "-cert", cert, "-key", key,
				"-www", "-alpn", "h2,http/1.1")
			stdout, _ := cmd.StdoutPipe()
			cmd.Stderr = cmd.Stdout
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			defer func() { cmd.Process.Kill(); cmd.Wait() }()
			sc := bufio.NewScanner(stdout)
			for sc.Scan() && !strings.Contains(sc.Text(), "ACCEPT") {
			}
			go func() {
				for sc.Scan() {
				}
			}()
			base := newBase(t)
			ccfg := p.ClientConfig()
			ccfg.NextProtos = []string{"http/1.1"}
			cli, err := NewClient(base, -1, ccfg, 0)
			if err != nil {
				t.Fatal(err)
			}
			defer cli.Free()
			cli.Enable(bufferevent.Read)
			var resp bytes.Buffer
			var st tls.ConnectionState
			cli.SetCallbacks(func(bev *bufferevent.BufferEvent) { resp.ReadFrom(bev.Input()) }, nil,
				func(bev *bufferevent.BufferEvent, w bufferevent.What, err error) {
					switch {
					case w == bufferevent.Connected:
						st, _ = ConnectionState(bev)
						bev.Write([]byte("GET / HTTP/1.0\r\n\r\n"))
					case w&bufferevent.EOF != 0:
						base.LoopBreak()
					default:
						t.Errorf("event %v %v", w, err)
						base.LoopBreak()
					}
				})
			addr, err := netAddrPort("127.0.0.1:" + port)
			if err != nil {
				t.Fatal(err)
			}
			if err := cli.Underlying().Connect(addr); err != nil {
				t.Fatal(err)
			}
			run(t, base)
			if !strings.Contains(resp.String(), "200 ok") || st.Version != v.want || st.NegotiatedProtocol != "http/1.1" {
				t.Errorf("version %x alpn %q response:\n%.300s", st.Version, st.NegotiatedProtocol, resp.String())
			}
		})
	}
}

// TestOpenSSLServerRenegotiation: `openssl s_server` asks our client to
// renegotiate a TLS 1.2 session (its R command sends HelloRequest); the
// client refuses with a no_renegotiation alert and reports an Error event.
func TestOpenSSLServerRenegotiation(t *testing.T) {
	openssl := requirePeer(t, "openssl")
	p := pkiOnce(t)
	cert := writeFile(t, "srv.pem", p.ServerPEM)
	key := writeFile(t, "srv.key", p.ServerKey)
	port := freePort(t)
	cmd := exec.Command(openssl, "s_server", "-tls1_2", "-accept", "127.0.0.1:"+port, "-cert", cert, "-key", key)
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, _ := cmd.StdoutPipe()
	cmd.Stderr = cmd.Stdout
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { cmd.Process.Kill(); cmd.Wait() }()
	sc := bufio.NewScanner(stdout)
	for sc.Scan() && !strings.Contains(sc.Text(), "ACCEPT") {
	}
	// Once the server has printed our ping, tell it to renegotiate.
	go func() {
		asked := false
		for sc.Scan() {
			if !asked && strings.Contains(sc.Text(), "ping-before-renegotiation") {
				asked = true
				io.WriteString(stdin, "R\n")
			}
		}
	}()

	base := newBase(t)
	cli, err := NewClient(base, -1, p.ClientConfig(), 0)
	if err != nil {
		t.Fatal(err)
	}
	defer cli.Free()
	cli.Enable(bufferevent.Read)
	var gotErr error
	var what bufferevent.What
	cli.SetCallbacks(nil, nil, func(bev *bufferevent.BufferEvent, w bufferevent.What, err error) {
		if w == bufferevent.Connected {
			bev.Write([]byte("ping-before-renegotiation\n"))
			return
		}
		what, gotErr = w, err
		base.LoopBreak()
	})
	addr, err := netAddrPort("127.0.0.1:" + port)
	if err != nil {
		t.Fatal(err)
	}
	if err := cli.Underlying().Connect(addr); err != nil {
		t.Fatal(err)
	}
	run(t, base)
	if what&bufferevent.Error == 0 || gotErr == nil || !strings.Contains(gotErr.Error(), "renegotiation") {
		t.Fatalf("after the server's HelloRequest: event %v, error %v; want Error refusing renegotiation", what, gotErr)
	}
	t.Logf("refused: %v: %v", what, gotErr)
}
