package evhttp

import (
	"crypto/tls"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/goevent/goevent/bufferevent"
	"github.com/goevent/goevent/core"
	"github.com/goevent/goevent/internal/basetest"
	"github.com/goevent/goevent/ssl"
)

// TestServerHTTPS serves HTTPS through SetBevCallback and package ssl, to
// Go's client and to curl, keep-alive included.
func TestServerHTTPS(t *testing.T) {
	pki := basetest.MustPKI(t)
	ts := startServer(t, nil, func(s *Server) {
		s.SetCallback("/hello", hello)
		s.SetCallback("/tls", func(r *Request) {
			st, ok := ssl.ConnectionState(r.Connection().BufferEvent())
			if !ok {
				r.SendError(StatusInternalServerError, "no TLS state")
				return
			}
			r.OutputBuffer().AddString(tls.VersionName(st.Version) + " " + st.ServerName)
			r.SendReply(StatusOK, "", nil)
		})
		s.SetBevCallback(func(base *core.Base, fd int) (*bufferevent.BufferEvent, error) {
			return ssl.NewServer(base, fd, pki.ServerConfig(), bufferevent.CloseOnFree)
		})
	})
	tr := &http.Transport{TLSClientConfig: pki.ClientConfig()}
	defer tr.CloseIdleConnections()
	client := &http.Client{Transport: tr, Timeout: 10 * time.Second}
	url := "https://" + strings.Replace(ts.addr, "127.0.0.1", "localhost", 1)
	for i := 0; i < 3; i++ {
		resp, err := client.Get(url + "/hello")
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 || string(body) != "Hello, World!" || resp.TLS == nil {
			t.Fatalf("%d %q", resp.StatusCode, body)
		}
	}
	if n := ts.ConnectionCount(); n != 1 {
		t.Errorf("keep-alive over TLS: %d connections, want 1", n)
	}
	resp, err := client.Get(url + "/tls")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !strings.HasPrefix(string(body), "TLS 1.3 ") {
		t.Errorf("/tls: %q", body)
	}

	curl := basetest.RequirePeer(t, "curl")
	ca := filepath.Join(t.TempDir(), "ca.pem")
	if err := os.WriteFile(ca, pki.CAPEM, 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(curl, "-sS", "--max-time", "10", "--cacert", ca,
		url+"/hello", url+"/hello").CombinedOutput()
	if err != nil || string(out) != "Hello, World!Hello, World!" {
		t.Fatalf("curl: %v %q", err, out)
	}
}
