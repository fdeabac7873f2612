package ssl

import "net/netip"

func netAddrPort(s string) (netip.AddrPort, error) { return netip.ParseAddrPort(s) }
