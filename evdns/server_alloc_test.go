//go:build !race

package evdns

import (
	"net/netip"
	"testing"

	"github.com/goevent/goevent/internal/sys"
	"github.com/miekg/dns"
	"golang.org/x/sys/unix"
)

// TestServerUDPAllocs pins what a ServerPort allocates per UDP query of
// the common shape (one question, with and without OPT) answered at once
// by a Handler that allocates nothing itself: the batch receive and send,
// the fast-path parse and pack allocate nothing, and OPT records live in
// the Request block, which leaves that block (Request, query and reply
// together) and the question name's string.
func TestServerUDPAllocs(t *testing.T) {
	for _, tt := range []struct {
		name string
		edns bool
		max  float64
	}{
		{"plain", false, 2},
		{"edns", true, 2},
	} {
		t.Run(tt.name, func(t *testing.T) {
			s := startServer(t, HandlerFunc(func(req *Request) {
				req.SetRcode(dns.RcodeNameError)
				_ = req.Respond()
			}), nil)
			server := netip.MustParseAddrPort(s.udp)
			// Flags set apart: darwin has no SOCK_NONBLOCK or SOCK_CLOEXEC.
			fd, err := unix.Socket(unix.AF_INET, unix.SOCK_DGRAM, 0)
			if err != nil {
				t.Fatal(err)
			}
			defer unix.Close(fd)
			unix.CloseOnExec(fd)
			if err := unix.SetNonblock(fd, true); err != nil {
				t.Fatal(err)
			}
			if err := unix.Bind(fd, &unix.SockaddrInet4{Addr: [4]byte{127, 0, 0, 1}}); err != nil {
				t.Fatal(err)
			}
			const n = 16
			out := sys.NewBatch(n, 512)
			for i := range out.Msgs {
				b := packQuery(t, "h1.bench.test.", dns.TypeA, tt.edns)
				out.Msgs[i].N = copy(out.Msgs[i].Buf, b)
				out.Msgs[i].Addr = server
			}
			in := sys.NewBatch(n, 512)
			pfd := []unix.PollFd{{Fd: int32(fd), Events: unix.POLLIN}}
			var failed error
			round := func() {
				if k, err := sys.SendBatch(fd, out, 0, n, false); k != n || err != nil {
					failed = err
					return
				}
				for got := 0; got < n; {
					if _, err := unix.Poll(pfd, 10000); err != nil && err != unix.EINTR {
						failed = err
						return
					}
					k, err := sys.RecvBatch(fd, in)
					if err != nil && err != unix.EAGAIN {
						failed = err
						return
					}
					got += k
				}
			}
			round() // warm up: buffers, maps, the loop's first passes
			allocs := testing.AllocsPerRun(50, round) / n
			if failed != nil {
				t.Fatal(failed)
			}
			if allocs > tt.max {
				t.Errorf("%.2f allocations per query, want at most %v", allocs, tt.max)
			}
			t.Logf("%.2f allocations per query", allocs)
		})
	}
}
