// Package privdrop is what goevent's daemons (cmd/evhttpd, cmd/evdnsd)
// share for their -user flag: switching to an unprivileged user after
// binding.
package privdrop

import (
	"fmt"
	"os/user"
	"strconv"
	"syscall"
)

// Credentials are the user and primary group a daemon's -user flag
// switches to.
type Credentials struct {
	name     string
	uid, gid int
}

// LookupUser finds the user name and its primary group. A daemon calls it
// before binding, so that a typo fails at once.
func LookupUser(name string) (Credentials, error) {
	u, err := user.Lookup(name)
	if err != nil {
		return Credentials{}, fmt.Errorf("-user: %w", err)
	}
	uid, err := strconv.Atoi(u.Uid)
	if err != nil {
		return Credentials{}, fmt.Errorf("-user %s: uid %q: %w", name, u.Uid, err)
	}
	gid, err := strconv.Atoi(u.Gid)
	if err != nil {
		return Credentials{}, fmt.Errorf("-user %s: gid %q: %w", name, u.Gid, err)
	}
	return Credentials{name: name, uid: uid, gid: gid}, nil
}

// Apply switches the process, every thread of it (Go's setuid family
// runs on all threads on Linux), to the user and its primary group, with
// no supplementary groups. A daemon calls it after its sockets are bound
// and the files that need the old identity are open.
func (c Credentials) Apply() error {
	if err := syscall.Setgroups([]int{c.gid}); err != nil {
		return fmt.Errorf("-user %s: setgroups: %w", c.name, err)
	}
	if err := syscall.Setgid(c.gid); err != nil {
		return fmt.Errorf("-user %s: setgid: %w", c.name, err)
	}
	if err := syscall.Setuid(c.uid); err != nil {
		return fmt.Errorf("-user %s: setuid: %w", c.name, err)
	}
	return nil
}
