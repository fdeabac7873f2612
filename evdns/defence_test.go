package evdns

import (
	"errors"
	"net"
	"net/netip"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/miekg/dns"
)

// TestSpoofedRepliesIgnored: before the real answer, the server sends
// every kind of reply a resolver must drop; only the real one counts.
func TestSpoofedRepliesIgnored(t *testing.T) {
	other, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	bad := []struct {
		name string
		send func(pc net.PacketConn, from net.Addr, q *dns.Msg)
	}{
		{"wrong id", func(pc net.PacketConn, from net.Addr, q *dns.Msg) {
			m := answerA(q, 60, "10.0.0.1")
			m.Id++
			send(pc, from, m)
		}},
		{"wrong name", func(pc net.PacketConn, from net.Addr, q *dns.Msg) {
			m := answerA(q, 60, "10.0.0.2")
			m.Question[0].Name = "evil.test."
			send(pc, from, m)
		}},
		{"wrong case (0x20)", func(pc net.PacketConn, from net.Addr, q *dns.Msg) {
			m := answerA(q, 60, "10.0.0.3")
			m.Question[0].Name = flipCase(q.Question[0].Name)
			send(pc, from, m)
		}},
		{"wrong type", func(pc net.PacketConn, from net.Addr, q *dns.Msg) {
			m := answerA(q, 60, "10.0.0.4")
			m.Question[0].Qtype = dns.TypeMX
			send(pc, from, m)
		}},
		{"not a response", func(pc net.PacketConn, from net.Addr, q *dns.Msg) {
			m := answerA(q, 60, "10.0.0.5")
			m.Response = false
			send(pc, from, m)
		}},
		{"wrong source", func(_ net.PacketConn, from net.Addr, q *dns.Msg) {
			send(other, from, answerA(q, 60, "10.0.0.6"))
		}},
		{"garbage", func(pc net.PacketConn, from net.Addr, q *dns.Msg) {
			b, _ := q.Pack()
			_, _ = pc.WriteTo(b[:7], from)
			_, _ = pc.WriteTo(append(b[:2:2], 0x80, 0, 0, 1, 0, 5, 0xff), from)
		}},
		{"two questions", func(pc net.PacketConn, from net.Addr, q *dns.Msg) {
			m := answerA(q, 60, "10.0.0.7")
			m.Question = append(m.Question, m.Question[0])
			send(pc, from, m)
		}},
	}
	for _, b := range bad {
		t.Run(b.name, func(t *testing.T) {
			srv := startScript(t, func(pc net.PacketConn, from net.Addr, q *dns.Msg) {
				b.send(pc, from, q)
				send(pc, from, answerA(q, 60, "192.0.2.77"))
			})
			base := newBase(t)
			r := newResolver(t, base, &Config{Nameservers: []string{srv.addr}, Timeout: 5 * time.Second, NoCache: true})
			var got []netip.Addr
			var gotErr error
			r.ResolveIPv4("victim.test.", func(a []netip.Addr, _ time.Duration, err error) {
				got, gotErr = a, err
				base.LoopBreak()
			})
			run(t, base)
			if gotErr != nil || !slices.Equal(got, []netip.Addr{netip.MustParseAddr("192.0.2.77")}) {
				t.Fatalf("got %v, %v; want only the real answer", got, gotErr)
			}
			if n := srv.queries.Load(); n != 1 {
				t.Fatalf("server saw %d queries, want 1", n)
			}
		})
	}
}

// flipCase inverts the case of every letter of s.
func flipCase(s string) string {
	b := []byte(s)
	for i, c := range b {
		if l := c | 0x20; l >= 'a' && l <= 'z' {
			b[i] ^= 0x20
		}
	}
	return string(b)
}

// TestLateReplyIgnored: a reply that arrives after its attempt timed out
// is dropped; the retry's reply is the one used, and a reply arriving
// after the lookup finished does no harm.
func TestLateReplyIgnored(t *testing.T) {
	held := make(chan func(), 4)
	srv := startScript(t, func(pc net.PacketConn, from net.Addr, q *dns.Msg) {
		m := answerA(q, 60, "192.0.2.50")
		held <- func() { send(pc, from, m) }
	})
	base := newBase(t)
	r := newResolver(t, base, &Config{Nameservers: []string{srv.addr}, Timeout: 500 * time.Millisecond, Attempts: 1, NoCache: true})
	var gotErr error
	r.ResolveIPv4("late.test.", func(_ []netip.Addr, _ time.Duration, err error) {
		gotErr = err
		base.LoopBreak()
	})
	run(t, base)
	if !errors.Is(gotErr, ErrTimeout) {
		t.Fatalf("got %v, want ErrTimeout", gotErr)
	}
	var ne net.Error
	if !errors.As(gotErr, &ne) || !ne.Timeout() {
		t.Fatalf("%v is not a net.Error with Timeout()", gotErr)
	}
	(<-held)() // the reply arrives now, to a socket already closed
	// The Resolver is still sound: the next lookup succeeds.
	var got []netip.Addr
	r.ResolveIPv4("late.test.", func(a []netip.Addr, _ time.Duration, err error) {
		got, gotErr = a, err
		base.LoopBreak()
	})
	go func() {
		(<-held)()
	}()
	run(t, base)
	if gotErr != nil || len(got) != 1 {
		t.Fatalf("got %v, %v", got, gotErr)
	}
}

// TestCaseRandomized: queries carry mixed case and a reply that echoes
// the name in lower case is refused.
func TestCaseRandomized(t *testing.T) {
	var mu sync.Mutex
	var names []string
	srv := startScript(t, func(pc net.PacketConn, from net.Addr, q *dns.Msg) {
		mu.Lock()
		names = append(names, q.Question[0].Name)
		mu.Unlock()
		m := answerA(q, 60, "192.0.2.60")
		m.Question[0].Name = strings.ToLower(q.Question[0].Name)
		for _, rr := range m.Answer {
			rr.Header().Name = m.Question[0].Name
		}
		send(pc, from, m)
	})
	base := newBase(t)
	r := newResolver(t, base, &Config{Nameservers: []string{srv.addr}, Timeout: 100 * time.Millisecond, Attempts: 3, NoCache: true})
	var gotErr error
	r.ResolveIPv4("abcdefghijklmnopqrstuvwxyz.test.", func(_ []netip.Addr, _ time.Duration, err error) {
		gotErr = err
		base.LoopBreak()
	})
	run(t, base)
	if !errors.Is(gotErr, ErrTimeout) {
		t.Fatalf("got %v, want ErrTimeout (lower-cased echoes refused)", gotErr)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(names) != 3 {
		t.Fatalf("server saw %d queries, want 3", len(names))
	}
	for _, n := range names {
		if n == strings.ToLower(n) {
			t.Errorf("query name %q not case-randomized", n)
		}
	}
	if names[0] == names[1] && names[1] == names[2] {
		t.Errorf("the same case pattern three times: %q", names[0])
	}
}
