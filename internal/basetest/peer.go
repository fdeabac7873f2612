package basetest

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// RequirePeer returns the path of the peer program bin (curl, dnsmasq...).
// When bin is not installed it skips the test, or fails it when the
// environment sets GOEVENT_REQUIRE_PEERS=1, as CI does, so that a missing
// peer never passes silently there. bin may also name a program in /usr/sbin
// or /sbin, which are often not on a user's PATH.
func RequirePeer(t testing.TB, bin string) string {
	t.Helper()
	path, err := exec.LookPath(bin)
	if err == nil {
		return path
	}
	for _, dir := range []string{"/usr/sbin", "/sbin", "/usr/local/sbin"} {
		p := filepath.Join(dir, bin)
		if fi, e := os.Stat(p); e == nil && fi.Mode().IsRegular() && fi.Mode()&0o111 != 0 {
			return p
		}
	}
	PeerUnavailable(t, bin, err)
	return ""
}

// PeerUnavailable ends a test whose peer (a program, a C library it must
// build against) is not there: a skip, or a failure when the environment
// sets GOEVENT_REQUIRE_PEERS=1. what names the peer; err says why.
func PeerUnavailable(t testing.TB, what string, err error) {
	t.Helper()
	if os.Getenv("GOEVENT_REQUIRE_PEERS") == "1" {
		t.Fatalf("peer %s required (GOEVENT_REQUIRE_PEERS=1) but unavailable: %v", what, err)
	}
	t.Skipf("peer %s unavailable: %v", what, err)
}
