package main

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/goevent/goevent/internal/basetest"
	"github.com/miekg/dns"
)

// bigTXT is the number of 200-byte TXT records of big.test: about 4 KB,
// beyond any UDP size, so the UDP reply is truncated.
const bigTXT = 20

// dnsmasqPeer is a dnsmasq started by a test as evdnsd's upstream, serving
// records under "test." with a TTL of 300 s and logging each query.
type dnsmasqPeer struct {
	addr string
	log  string // the --log-facility file
}

// startDnsmasq starts dnsmasq in the foreground on a loopback port, waits
// until it answers, and stops it (by PID) when the test ends.
func startDnsmasq(t *testing.T) *dnsmasqPeer {
	t.Helper()
	bin := basetest.RequirePeer(t, "dnsmasq")
	port := freePort(t)
	p := &dnsmasqPeer{addr: "127.0.0.1:" + strconv.Itoa(port), log: filepath.Join(t.TempDir(), "dnsmasq.log")}
	args := []string{
		"-k", "-C", "/dev/null", "--no-resolv", "--no-hosts", "--no-poll",
		"--port=" + strconv.Itoa(port), "--listen-address=127.0.0.1", "--bind-interfaces",
		"--pid-file=", "--user=", "--log-facility=" + p.log, "--log-queries",
		"--local=/test/", "--local-ttl=300",
		"--host-record=host.test,192.0.2.1,2001:db8::1",
		"--host-record=probe.test,192.0.2.9",
		"--txt-record=small.test,hello",
	}
	for i := range bigTXT {
		args = append(args, fmt.Sprintf("--txt-record=big.test,%02d%s", i, strings.Repeat("x", 198)))
	}
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
	c := &dns.Client{Timeout: 200 * time.Millisecond}
	m := new(dns.Msg)
	m.SetQuestion("probe.test.", dns.TypeA)
	deadline := time.Now().Add(10 * time.Second)
	for {
		select {
		case err := <-exited:
			t.Fatalf("dnsmasq exited: %v\n%s", err, out.String())
		default:
		}
		if _, _, err := c.Exchange(m, p.addr); err == nil {
			return p
		}
		if time.Now().After(deadline) {
			t.Fatalf("dnsmasq on %s not answering after 10s\n%s", p.addr, out.String())
		}
		time.Sleep(50 * time.Millisecond) // polling a starting process, not a race fix
	}
}

// queries returns how many queries for name (any case) of type qtype
// dnsmasq has logged.
func (p *dnsmasqPeer) queries(t *testing.T, name, qtype string) int {
	t.Helper()
	b, err := os.ReadFile(p.log)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	want := "query[" + qtype + "] " + strings.ToLower(strings.TrimSuffix(name, ".")) + " from "
	for _, line := range strings.Split(strings.ToLower(string(b)), "\n") {
		if strings.Contains(line, strings.ToLower(want)) {
			n++
		}
	}
	return n
}

// waitQueries waits until dnsmasq has logged want queries for name (its
// log is written asynchronously), and fails if it logs more.
func (p *dnsmasqPeer) waitQueries(t *testing.T, name, qtype string, want int) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		got := p.queries(t, name, qtype)
		if got == want {
			return
		}
		if got > want || time.Now().After(deadline) {
			t.Fatalf("dnsmasq saw %d %s queries for %s, want %d", got, qtype, name, want)
		}
		time.Sleep(20 * time.Millisecond) // polling dnsmasq's log file
	}
}

// countingUpstream is a Go DNS server on loopback (UDP and TCP) whose
// answers the test scripts, and which counts the queries it gets.
type countingUpstream struct {
	addr string
	mu   sync.Mutex
	seen map[string]int // "name type", lower case
}

// startCountingUpstream serves answer on a loopback port until the test
// ends. answer fills the reply m to a query with one question; it runs on
// the server's goroutines.
func startCountingUpstream(t *testing.T, answer func(query, m *dns.Msg)) *countingUpstream {
	t.Helper()
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	u := &countingUpstream{addr: pc.LocalAddr().String(), seen: map[string]int{}}
	h := dns.HandlerFunc(func(w dns.ResponseWriter, r *dns.Msg) {
		m := new(dns.Msg)
		m.SetReply(r)
		if len(r.Question) == 1 {
			q := r.Question[0]
			u.mu.Lock()
			u.seen[strings.ToLower(q.Name)+" "+dns.Type(q.Qtype).String()]++
			u.mu.Unlock()
			answer(r, m)
		}
		w.WriteMsg(m)
	})
	srv := &dns.Server{PacketConn: pc, Handler: h}
	started := make(chan struct{})
	srv.NotifyStartedFunc = func() { close(started) }
	go srv.ActivateAndServe()
	<-started
	t.Cleanup(func() { srv.Shutdown() })
	return u
}

// count returns the queries seen for name and qtype.
func (u *countingUpstream) count(name string, qtype uint16) int {
	u.mu.Lock()
	defer u.mu.Unlock()
	return u.seen[strings.ToLower(dns.Fqdn(name))+" "+dns.Type(qtype).String()]
}

// silentUpstream returns the address of a loopback UDP socket that
// never answers, open until the test ends.
func silentUpstream(t *testing.T) string {
	t.Helper()
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { pc.Close() })
	return pc.LocalAddr().String()
}
