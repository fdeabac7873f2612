package main

import (
	"os"
	"os/user"
	"strconv"
	"strings"
	"testing"

	"github.com/miekg/dns"
)

// TestUserDrop: as root, -user nobody binds first, then runs as nobody
// and still answers.
func TestUserDrop(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root to drop privileges")
	}
	u, err := user.Lookup("nobody")
	if err != nil {
		t.Skipf("no user nobody: %v", err)
	}
	up := startCountingUpstream(t, func(query, m *dns.Msg) {
		m.Answer = []dns.RR{&dns.A{Hdr: dns.RR_Header{Name: query.Question[0].Name, Rrtype: dns.TypeA, Class: dns.ClassINET, Ttl: 60}, A: []byte{192, 0, 2, 5}}}
	})
	d := startDaemon(t, "-upstream", up.addr, "-user", "nobody")
	d.waitLog(t, "privileges dropped")
	status, err := os.ReadFile("/proc/" + strconv.Itoa(d.cmd.Process.Pid) + "/status")
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(status), "\n") {
		if f := strings.Fields(line); len(f) == 5 && f[0] == "Uid:" {
			for _, id := range f[1:] {
				if id != u.Uid {
					t.Errorf("%s: want every uid %s", line, u.Uid)
				}
			}
		}
	}
	if r := d.ask(t, "after.drop.example.", dns.TypeA); len(r.Answer) != 1 {
		t.Errorf("no answer after dropping privileges: %v", r)
	}
}
