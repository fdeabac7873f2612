package evdns_test

import (
	"fmt"
	"net/netip"

	"github.com/goevent/goevent/core"
	"github.com/goevent/goevent/evdns"
	"golang.org/x/sys/unix"
)

// LookupHost answers from the hosts table without a query; with
// nameservers configured the same call goes to the DNS.
func ExampleResolver_LookupHost() {
	base, _ := core.NewBase()
	defer base.Close()
	r, _ := evdns.NewResolver(base, &evdns.Config{NoCache: true})
	defer r.Shutdown()
	_ = r.AddHost("db.example.test", netip.MustParseAddr("192.0.2.10"))
	_ = r.AddHost("db.example.test", netip.MustParseAddr("2001:db8::10"))

	r.LookupHost(base, "db.example.test", unix.AF_UNSPEC, func(addrs []netip.Addr, err error) {
		fmt.Println(addrs, err)
		base.LoopBreak()
	})
	_ = base.Loop(core.LoopNoExitOnEmpty)
	// Output: [192.0.2.10 2001:db8::10] <nil>
}
