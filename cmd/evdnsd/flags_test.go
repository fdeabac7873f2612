package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/goevent/goevent/internal/basetest"
)

// TestStartupErrors: bad flags and bad files end the process at once with
// status 2 and one line on stderr.
func TestStartupErrors(t *testing.T) {
	badZone := writeFile(t, "bad.zone", "$ORIGIN example.test.\nwww 300 IN A 192.0.2.1\n")
	badSyntax := writeFile(t, "syntax.zone", "$ORIGIN example.test.\n@ 300 IN SOA ns h 1 2 3 4 5\nwww 300 IN A 192.0.2.300\n")
	badHosts := writeFile(t, "hosts", "not-an-address myhost\n")
	noNS := writeFile(t, "resolv.conf", "search example\n")
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"-loops", "0"}, "-loops"},
		{[]string{"-cache-size", "-1"}, "-cache-size"},
		{[]string{"-timeout", "0s"}, "-timeout"},
		{[]string{"-attempts", "0"}, "-attempts"},
		{[]string{"-rrl", "-3"}, "-rrl"},
		{[]string{"-upstream", "dns!.example"}, `-upstream "dns!.example": want ip`},
		{[]string{"-upstream", "localhost:0"}, `-upstream "localhost:0": want ip`},
		// A name that does not resolve is TestResolveUpstreamsFails's: here
		// it would send a query to the machine's own nameservers.
		{[]string{"-listen", "localhost"}, "-listen"},
		{[]string{"-nosuchflag"}, "nosuchflag"},
		{[]string{"-upstream", "127.0.0.1", "extra"}, "unexpected argument"},
		{[]string{"-upstream", "127.0.0.1", "-zone", "/nonexistent/zone"}, "no such file"},
		{[]string{"-upstream", "127.0.0.1", "-zone", badZone}, "SOA"},
		{[]string{"-upstream", "127.0.0.1", "-zone", badSyntax}, "syntax.zone: dns: bad A A"},
		{[]string{"-upstream", "127.0.0.1", "-hosts", badHosts}, "bad hosts line"},
		{[]string{"-resolv-conf", noNS}, "no nameserver"},
		{[]string{"-upstream", "127.0.0.1", "-user", "no-such-user-evdnsd"}, "-user"},
		{[]string{"-upstream", "127.0.0.1", "-listen", "192.0.2.1:53"}, "listen 192.0.2.1:53"},
	}
	for _, tc := range cases {
		cmd := exec.Command(binary, tc.args...)
		out, err := cmd.CombinedOutput()
		if code := cmd.ProcessState.ExitCode(); code != 2 {
			t.Errorf("%v: exit %d (%v), want 2\n%s", tc.args, code, err, out)
			continue
		}
		s := strings.TrimSuffix(string(out), "\n")
		if strings.Contains(s, "\n") || !strings.HasPrefix(s, "evdnsd: ") || !strings.Contains(s, tc.want) {
			t.Errorf("%v: stderr %q, want one line about %q", tc.args, out, tc.want)
		}
	}
}

// TestHelp: -h documents every flag and exits 0.
func TestHelp(t *testing.T) {
	out, err := exec.Command(binary, "-h").CombinedOutput()
	if err != nil {
		t.Fatalf("-h: %v\n%s", err, out)
	}
	for _, f := range []string{"-listen", "-upstream", "-hosts", "-zone", "-cache-size", "-timeout", "-attempts",
		"-loops", "-rrl", "-log-queries", "-user", "-ready-file", "-cpuprofile", "host:port"} {
		if !strings.Contains(string(out), f) {
			t.Errorf("-h does not mention %s", f)
		}
	}
}

// TestSignalsAndQueryLog: -log-queries logs each query, SIGUSR1 logs the
// statistics, SIGTERM exits 0; two -listen addresses both answer.
func TestSignalsAndQueryLog(t *testing.T) {
	up := startDnsmasq(t)
	d := startDaemon(t, "-upstream", up.addr, "-log-queries", "-listen", "127.0.0.1:0", "-listen", "127.0.0.2:0")
	if len(d.addrs) != 2 {
		t.Fatalf("bound %v", d.addrs)
	}
	dig := basetest.RequirePeer(t, "dig")
	for _, a := range d.addrs {
		out, err := exec.Command(dig, "@"+strings.Split(a, ":")[0], "-p", strings.Split(a, ":")[1], "host.test").CombinedOutput()
		if err != nil || !strings.Contains(string(out), "192.0.2.1") {
			t.Errorf("dig on %s: %v\n%s", a, err, out)
		}
	}
	d.waitLog(t, "msg=query")
	d.waitLog(t, "name=host.test.")
	d.signal(t, syscall.SIGUSR1)
	d.waitLog(t, "cache_hits=1")
	d.signal(t, syscall.SIGTERM)
	if code := d.wait(t, 20*time.Second); code != 0 {
		t.Errorf("exit status %d after SIGTERM", code)
	}
	if !strings.Contains(d.stderr.String(), "msg=stopped") {
		t.Errorf("no stop message:\n%s", d.stderr.String())
	}
}

// TestCPUProfile: -cpuprofile writes a pprof profile (gzip) that is
// complete once SIGTERM has stopped the daemon.
func TestCPUProfile(t *testing.T) {
	up := startDnsmasq(t)
	path := filepath.Join(t.TempDir(), "cpu.pprof")
	d := startDaemon(t, "-upstream", up.addr, "-cpuprofile", path)
	if out := d.dig(t, "host.test", "A"); !strings.Contains(out, "192.0.2.1") {
		t.Fatalf("dig host.test:\n%s", out)
	}
	d.signal(t, syscall.SIGTERM)
	if code := d.wait(t, 20*time.Second); code != 0 {
		t.Fatalf("exit status %d after SIGTERM", code)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(b) < 2 || b[0] != 0x1f || b[1] != 0x8b {
		t.Errorf("profile is not gzip data (%d bytes)", len(b))
	}
}
