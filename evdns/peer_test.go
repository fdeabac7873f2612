package evdns

import (
	"bytes"
	"fmt"
	"net"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/miekg/dns"
)

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

// lockedBuffer collects a peer's output.
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

// dnsmasqRecords are the local records every dnsmasq the tests start
// serves, all under "test.", with a TTL of 300 s.
var dnsmasqRecords = []string{
	"--local=/test/",
	"--local-ttl=300",
	"--host-record=host.test,192.0.2.1,2001:db8::1",
	"--host-record=v4only.test,192.0.2.2",
	"--host-record=www.corp.test,192.0.2.3",
	"--host-record=probe.test,192.0.2.9",
	"--cname=alias1.test,alias2.test",
	"--cname=alias2.test,alias3.test",
	"--cname=alias3.test,host.test",
	"--txt-record=small.test,hello",
}

// bigTXT is the number of 200-byte TXT records of big.test: about 4 KB,
// beyond any EDNS size, so the UDP reply is truncated.
const bigTXT = 20

func bigTXTArgs() []string {
	var out []string
	for i := range bigTXT {
		out = append(out, fmt.Sprintf("--txt-record=big.test,%02d%s", i, strings.Repeat("x", 198)))
	}
	return out
}

// startDnsmasq starts dnsmasq in the foreground on a loopback port with
// dnsmasqRecords, waits until it answers, and stops it (by PID) when the
// test ends. It returns "127.0.0.1:port".
func startDnsmasq(t testing.TB) string {
	t.Helper()
	bin := requirePeer(t, "dnsmasq")
	port := freePort(t)
	args := []string{
		"-k", "-C", "/dev/null", "--no-resolv", "--no-hosts", "--no-poll",
		"--port=" + strconv.Itoa(port), "--listen-address=127.0.0.1", "--bind-interfaces",
		"--pid-file=", "--user=", "--log-facility=-",
	}
	args = append(args, dnsmasqRecords...)
	args = append(args, bigTXTArgs()...)
	cmd := exec.Command(bin, args...)
	var out lockedBuffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatalf("start dnsmasq: %v", err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		<-exited
	})
	addr := "127.0.0.1:" + strconv.Itoa(port)
	waitAnswering(t, addr, exited, &out)
	return addr
}

// waitAnswering polls addr with a query until it answers, failing the
// test if the peer exits or stays silent for 10 s.
func waitAnswering(t testing.TB, addr string, exited chan error, out fmt.Stringer) {
	t.Helper()
	c := &dns.Client{Timeout: 200 * time.Millisecond}
	m := new(dns.Msg)
	m.SetQuestion("host.test.", dns.TypeA)
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		select {
		case err := <-exited:
			exited <- err
			t.Fatalf("peer exited: %v\n%s", err, out)
		default:
		}
		if _, _, err := c.Exchange(m, addr); err == nil {
			return
		}
		time.Sleep(50 * time.Millisecond) // polling a starting process, not a race fix
	}
	t.Fatalf("peer on %s not answering after 10s\n%s", addr, out)
}
