package main

import (
	"fmt"
	"os/user"
	"strconv"
	"syscall"
)

// credentials are the user and group -user switches to.
type credentials struct {
	name     string
	uid, gid int
}

// lookupUser finds the user name and its primary group. It runs before
// binding, so that a typo fails at once.
func lookupUser(name string) (credentials, error) {
	u, err := user.Lookup(name)
	if err != nil {
		return credentials{}, fmt.Errorf("-user: %w", err)
	}
	uid, err := strconv.Atoi(u.Uid)
	if err != nil {
		return credentials{}, fmt.Errorf("-user %s: uid %q: %w", name, u.Uid, err)
	}
	gid, err := strconv.Atoi(u.Gid)
	if err != nil {
		return credentials{}, fmt.Errorf("-user %s: gid %q: %w", name, u.Gid, err)
	}
	return credentials{name: name, uid: uid, gid: gid}, nil
}

// apply switches the process, every thread of it (Go's setuid family
// runs on all threads on Linux), to the user and its primary group, with
// no supplementary groups. It runs after the sockets are bound and the
// files that need the old identity are open.
func (c credentials) apply() error {
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
