package ssl

import (
	"encoding/pem"
	"net/netip"
)

func pemBlock(typ string, der []byte) []byte {
	return pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der})
}

func netAddrPort(s string) (netip.AddrPort, error) { return netip.ParseAddrPort(s) }
