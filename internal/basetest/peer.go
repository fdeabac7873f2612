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
	if os.Getenv("GOEVENT_REQUIRE_PEERS") == "1" {
		t.Fatalf("peer %s required (GOEVENT_REQUIRE_PEERS=1) but not found: %v", bin, err)
	}
	t.Skipf("peer %s not installed", bin)
	return ""
}
